// Environment variables of the VM (Istio WasmPlugin vmConfig.env, e.g. a key taken from the proxy's own
// environment with valueFrom: HOST), read through the WASI calls Envoy provides. Used for secrets that must not
// travel in pluginConfig, which Istio copies into xDS and anyone who can read the WasmPlugin can see.
@external("wasi_snapshot_preview1", "environ_sizes_get")
declare function environ_sizes_get(countPtr: usize, sizePtr: usize): u32;

@external("wasi_snapshot_preview1", "environ_get")
declare function environ_get(arrayPtr: usize, bufferPtr: usize): u32;

const MAX_ENVIRONMENT_BYTES: u32 = 1 << 20;

// The value of `name`, or null when it is not set (or the environment cannot be read).
export function getEnvironmentVariable(name: string): string | null {
  const sizes = new StaticArray<u32>(2);
  const sizesPtr = changetype<usize>(sizes);
  if (environ_sizes_get(sizesPtr, sizesPtr + 4) != 0) return null;
  const count = sizes[0];
  const bytes = sizes[1];
  if (count == 0 || bytes == 0 || bytes > MAX_ENVIRONMENT_BYTES || count > bytes) return null;
  const pointers = new ArrayBuffer(<i32>count * 4);
  const buffer = new ArrayBuffer(<i32>bytes);
  const base = changetype<usize>(buffer);
  if (environ_get(changetype<usize>(pointers), base) != 0) return null;
  const prefix = name + "=";
  for (let i: u32 = 0; i < count; i++) {
    const entry = load<u32>(changetype<usize>(pointers) + <usize>(i * 4));
    // Each entry must point into the buffer we handed over; anything else is ignored rather than read.
    if (<usize>entry < base || <usize>entry >= base + <usize>bytes) continue;
    let end = <usize>entry;
    while (end < base + <usize>bytes && load<u8>(end) != 0) end++;
    const text = String.UTF8.decodeUnsafe(<usize>entry, end - <usize>entry);
    if (text.startsWith(prefix)) return text.substring(prefix.length);
  }
  return null;
}
