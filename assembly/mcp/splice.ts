// Rewrites a document by replacing byte ranges, leaving every other byte as it was. Edits are recorded in
// document order and must not overlap (the list filter only edits disjoint members).
import { Bytes } from "./bytes";

export class Splicer {
  private starts: Array<i32> = new Array<i32>();
  private ends: Array<i32> = new Array<i32>();
  private replacements: Array<ArrayBuffer> = new Array<ArrayBuffer>();

  get count(): i32 {
    return this.starts.length;
  }

  clear(): void {
    this.starts.length = 0;
    this.ends.length = 0;
    this.replacements.length = 0;
  }

  replace(start: i32, end: i32, replacement: ArrayBuffer): void {
    this.starts.push(start);
    this.ends.push(end);
    this.replacements.push(replacement);
  }

  // Writes [0, len) of the source with the edits applied, in source order.
  apply(ptr: usize, len: i32, out: Bytes): void {
    this.applyRange(ptr, 0, len, out);
  }

  // Writes [from, to) of the source with the edits that lie inside it applied.
  applyRange(ptr: usize, from: i32, to: i32, out: Bytes): void {
    const n = this.starts.length;
    // Insertion sort by start: a message has a handful of edits.
    for (let i = 1; i < n; i++) {
      for (let j = i; j > 0 && this.starts[j - 1] > this.starts[j]; j--) {
        const s = this.starts[j]; this.starts[j] = this.starts[j - 1]; this.starts[j - 1] = s;
        const e = this.ends[j]; this.ends[j] = this.ends[j - 1]; this.ends[j - 1] = e;
        const r = this.replacements[j]; this.replacements[j] = this.replacements[j - 1]; this.replacements[j - 1] = r;
      }
    }
    let at = from;
    for (let i = 0; i < n; i++) {
      const start = this.starts[i];
      const end = this.ends[i];
      if (start < at || end < start || end > to) continue; // outside the range or overlapping: skip, never trap
      out.append(ptr + <usize>at, start - at);
      out.appendBuffer(this.replacements[i]);
      at = end;
    }
    out.append(ptr + <usize>at, to - at);
  }
}
