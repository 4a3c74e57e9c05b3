// Benchmark entry for allowlist matching (policy/name_list.ts): build a list of `size` exact names, then match
// names against it many times, so the cost of one lookup can be compared across list sizes.
//
// It measures what the request path does for a tools/call (guard/engine.ts judgeToolCall): the name's UTF-8
// bytes, as they sit in the request body, go to `exactIndex`; a hit returns the entry's string (`exactName`);
// a miss makes the engine decode the name and ask `matches`, which here gets the probe's string decoded
// beforehand (decoding does not depend on the list's size, and the entry stays allocation-free). The list is
// built the way the configuration builds it: from the names' UTF-8 bytes (`addUtf8`).
import { NameList } from "../policy/name_list";

let list = new NameList();
// The probes' UTF-8 bytes back to back; per probe its offset and length there, and its string.
let probeBytes = new ArrayBuffer(0);
let probeOffsets = new Array<i32>();
let probeLengths = new Array<i32>();
let probeNames = new Array<string>();

// A list of `size` exact names "tool_0" … "tool_{size-1}", probed with `probeCount` names of which every other
// one is in the list (when the list is not empty).
export function build(size: i32, probeCount: i32): void {
  list = new NameList();
  list.reserve(size, 0); // the bytes buffer grows as it goes (only the table matters to the lookup)
  for (let i = 0; i < size; i++) {
    const name = String.UTF8.encode("tool_" + i.toString());
    list.addUtf8(changetype<usize>(name), name.byteLength);
  }
  probeNames = new Array<string>();
  probeOffsets = new Array<i32>();
  probeLengths = new Array<i32>();
  let total = 0;
  for (let i = 0; i < probeCount; i++) {
    const inList = (i & 1) == 0 && size > 0;
    const name = inList ? "tool_" + ((i * 7919) % size).toString() : "absent_" + i.toString();
    probeNames.push(name);
    probeOffsets.push(total);
    probeLengths.push(String.UTF8.byteLength(name));
    total += String.UTF8.byteLength(name);
  }
  probeBytes = new ArrayBuffer(total);
  for (let i = 0; i < probeCount; i++) {
    String.UTF8.encodeUnsafe(changetype<usize>(probeNames[i]), probeNames[i].length, changetype<usize>(probeBytes) + <usize>probeOffsets[i]);
  }
}

// Matches every probe `rounds` times; returns how many matched (so the work cannot be optimised away).
export function matchAll(rounds: i32): i32 {
  let matched = 0;
  const n = probeNames.length;
  const base = changetype<usize>(probeBytes);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < n; i++) {
      const entry = list.exactIndex(base + <usize>probeOffsets[i], probeLengths[i]);
      if (entry >= 0) {
        // The engine's tool from here on is this string (what it then does with it is the decision's cost).
        if (changetype<usize>(list.exactName(entry)) != 0) matched++;
      } else if (list.matches(probeNames[i])) {
        matched++;
      }
    }
  }
  return matched;
}
