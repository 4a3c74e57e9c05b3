// Unit tests of the host's building blocks: the header-map wire format, header map semantics, body buffer
// edits, status conversion and the binary reader.
import { describe, expect, test } from "vitest";
import { ByteBuffer } from "../src/host/bytes.ts";
import { InstanceBuffer } from "../src/host/context.ts";
import { HeaderMap, parsePairs, serializePairs } from "../src/host/header-map.ts";
import { dataAction, headersAction, trailersAction } from "../src/host/status.ts";
import { readModuleInfo } from "../src/host/wasm-binary.ts";
import { watModule } from "./wat/load.ts";

describe("map wire format", () => {
  test("the spec's example {a: 1, b: 22}", () => {
    const bytes = serializePairs([["a", "1"], ["b", "22"]]);
    expect([...bytes]).toEqual([2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0x61, 0, 0x31, 0, 0x62, 0, 0x32, 0x32, 0]);
    expect(parsePairs(bytes)).toEqual([["a", "1"], ["b", "22"]]);
  });

  test("malformed input gives an empty list (like PairsUtil::toPairs)", () => {
    const good = serializePairs([["k", "v"]]);
    const missingNul = good.slice();
    missingNul[missingNul.length - 1] = 0x41;
    const tooMany = new Uint8Array(4);
    new DataView(tooMany.buffer).setUint32(0, 1025, true);
    expect(parsePairs(good.subarray(0, good.length - 1))).toEqual([]);
    expect(parsePairs(missingNul)).toEqual([]);
    expect(parsePairs(new Uint8Array([...good, 0]))).toEqual([]);
    expect(parsePairs(tooMany)).toEqual([]);
    expect(parsePairs(new Uint8Array(0))).toEqual([]);
    expect(parsePairs(serializePairs([]))).toEqual([]);
  });
});

describe("HeaderMap", () => {
  test("keys are lower-cased, pseudo-headers stay in front, get returns the first value", () => {
    const map = HeaderMap.from([["Content-Type", "a"], ["x", "1"]]);
    map.add(":path", "/");
    map.add("X", "2");
    expect(map.toList()).toEqual([[":path", "/"], ["content-type", "a"], ["x", "1"], ["x", "2"]]);
    expect(map.get("X")).toBe("1");
  });

  test("set removes every value then adds one; byteSize sums keys and values", () => {
    const map = HeaderMap.from([["x", "1"], ["y", "2"], ["x", "3"]]);
    map.set("x", "9");
    expect(map.toList()).toEqual([["y", "2"], ["x", "9"]]);
    expect(map.byteSize()).toBe(4);
  });
});

describe("body buffer edits (Envoy's Buffer::copyFrom)", () => {
  const edit = (start: number, length: number, data: string) => {
    const buffer = new ByteBuffer(new TextEncoder().encode("abcd"));
    const rc = new InstanceBuffer(buffer).write(start, length, new TextEncoder().encode(data));
    return [rc, new TextDecoder().decode(buffer.view())];
  };
  test.each([
    [0, 0, "<", 0, "<abcd"],
    [0, 4, "new", 0, "new"],
    [0, 100, "new", 0, "new"],
    [0, 1, "A", 0, "Abcd"],
    [4, 0, ">", 0, "abcd>"],
    [0xffffffff, 0, ">", 0, "abcd>"],
    [2, 1, "X", 2, "abcd"],
  ])("start %i length %i data %s → rc %i, %s", (start, length, data, rc, result) => {
    expect(edit(start, length, data)).toEqual([rc, result]);
  });
});

describe("status conversion", () => {
  test("headers", () => {
    expect(headersAction(0, false, false)).toBe("Continue");
    expect(headersAction(1, false, false)).toBe("StopAllIterationAndWatermark");
    expect(headersAction(1, false, true)).toBe("StopIteration");
    expect(headersAction(2, false, false)).toBe("Continue");
    expect(headersAction(3, false, false)).toBe("StopAllIterationAndBuffer");
    expect(headersAction(7, false, false)).toBe("StopAllIterationAndWatermark");
    expect(headersAction(0, true, false)).toBe("StopAllIterationAndWatermark");
  });
  test("data and trailers", () => {
    expect([0, 1, 2, 3, 4, 99].map((v) => dataAction(v, false))).toEqual([
      "Continue",
      "StopIterationAndBuffer",
      "StopIterationAndWatermark",
      "StopIterationNoBuffer",
      "StopIterationNoBuffer",
      "StopIterationNoBuffer",
    ]);
    expect(dataAction(0, true)).toBe("StopIterationNoBuffer");
    expect([0, 1, 2].map((v) => trailersAction(v, false))).toEqual(["Continue", "StopIteration", "StopIteration"]);
  });
});

describe("binary reader", () => {
  test("lists imports and exported functions with signatures", async () => {
    const info = readModuleInfo(await watModule("wasi"));
    expect(info.imports.find((i) => i.name === "clock_time_get")).toMatchObject({
      module: "wasi_snapshot_preview1",
      kind: "func",
      type: { params: ["i32", "i64", "i32"], results: ["i32"] },
    });
    expect(info.exports.find((e) => e.name === "proxy_on_vm_start")).toMatchObject({ kind: "func", type: { params: ["i32", "i32"], results: ["i32"] } });
    expect(info.exports.find((e) => e.name === "memory")?.kind).toBe("memory");
  });

  test("rejects bytes that are not a wasm module", () => {
    expect(() => readModuleInfo(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(/corrupted/);
  });
});
