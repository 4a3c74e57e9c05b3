// Benchmark entry for allowlist matching (policy/name_list.ts): build a list of `size` exact names, then match
// names against it many times, so the cost of one lookup can be compared across list sizes.
import { NameList } from "../policy/name_list";

let list = new NameList();
let probes = new Array<string>();

// A list of `size` exact names "tool_0" … "tool_{size-1}", probed with `probeCount` names of which every other
// one is in the list (when the list is not empty).
export function build(size: i32, probeCount: i32): void {
  list = new NameList();
  for (let i = 0; i < size; i++) list.add("tool_" + i.toString());
  probes = new Array<string>();
  for (let i = 0; i < probeCount; i++) {
    const inList = (i & 1) == 0 && size > 0;
    probes.push(inList ? "tool_" + ((i * 7919) % size).toString() : "absent_" + i.toString());
  }
}

// Matches every probe `rounds` times; returns how many matched (so the work cannot be optimised away).
export function matchAll(rounds: i32): i32 {
  let matched = 0;
  const n = probes.length;
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < n; i++) {
      if (list.matches(probes[i])) matched++;
    }
  }
  return matched;
}
