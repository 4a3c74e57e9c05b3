// Pin observations kept in Envoy shared data, so every worker's VM of this plugin sees what any of them saw in
// a tools/list (the one that answers a tools/call is often not the one that filtered the list).
import { WasmResult, getSharedData, setSharedData } from "../abi";
import { PinStatus } from "../policy/pins";
import { utf8 } from "../abi/text";

const KEY_PREFIX = utf8("mcp-guard/pin-mismatch/");
const MISMATCH: u8 = 0x31; // "1"

export class SharedPinStatus extends PinStatus {
  constructor(private rootId: string) {
    super();
  }

  private key(tool: string): string {
    return KEY_PREFIX + this.rootId + "/" + tool;
  }

  isMismatched(tool: string): bool {
    const data = getSharedData(this.key(tool));
    if (data.result != WasmResult.Ok) return false;
    const value = data.value;
    return value !== null && value.byteLength == 1 && load<u8>(changetype<usize>(value)) == MISMATCH;
  }

  record(tool: string, matched: bool): void {
    const value = new ArrayBuffer(1);
    store<u8>(changetype<usize>(value), matched ? <u8>0x30 : MISMATCH);
    setSharedData(this.key(tool), value);
  }
}
