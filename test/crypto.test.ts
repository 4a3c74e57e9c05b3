// SHA-256, HMAC-SHA256, hex and constant-time comparison of the module (assembly/crypto/) through
// build/test/crypto.wasm: published vectors, then agreement with node:crypto on random inputs.
import { createHash, createHmac } from "node:crypto";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { CryptoWasm } from "./crypto-harness.ts";
import { prng } from "./json-harness.ts";

let wasm: CryptoWasm;

beforeAll(() => {
  wasm = CryptoWasm.load();
});

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const fromHex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, "hex"));
const fill = (n: number, byte: number): Uint8Array => new Uint8Array(n).fill(byte);
const nodeSha256 = (b: Uint8Array | string): string => createHash("sha256").update(b).digest("hex");
const nodeHmac = (k: Uint8Array | string, m: Uint8Array | string): string => createHmac("sha256", k).update(m).digest("hex");

function randomBytes(next: () => number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(next() * 256);
  return out;
}

describe("SHA-256: FIPS 180-4 examples and CAVP vectors", () => {
  const vectors: Array<[string, Uint8Array | string, string]> = [
    ["empty message", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
    ['"abc" (one block)', "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
    ["448 bits (padding spills into a second block)", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"],
    ["896 bits", "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"],
    ["CAVP ShortMsg Len=8", fromHex("d3"), "28969cdfa74a12c82f3bad960b0b000aca2ac329deea5c2328ebc6f2ba9802c1"],
    ["CAVP ShortMsg Len=16", fromHex("11af"), "5ca7133fa735326081558ac312c620eeca9970d1e70a4b95533d956f072d1f98"],
    ["CAVP ShortMsg Len=24", fromHex("b4190e"), "dff2e73091f6c05e528896c4c831b9448653dc2ff043528f6769437bc7b975c2"],
    ["CAVP ShortMsg Len=32", fromHex("74ba2521"), "b16aa56be3880d18cd41e68384cf1ec8c17680c45a02b1575dc1518923ae8b0e"],
  ];
  for (const [name, message, expected] of vectors) {
    it(name, () => {
      expect(hex(wasm.sha256(message))).toBe(expected);
      expect(wasm.sha256Hex(message)).toBe(expected);
      expect(nodeSha256(message)).toBe(expected); // the vector itself, checked once more
    });
  }

  it("one million 'a' (long message, 15625 blocks, in one update and in uneven pieces)", () => {
    const expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    const million = fill(1_000_000, 0x61);
    expect(hex(wasm.sha256(million))).toBe(expected);
    expect(hex(wasm.sha256Chunked(million, 997))).toBe(expected);
    const len = wasm.putInput(fill(1000, 0x61));
    expect(hex(wasm.outputBytes(wasm.x.digestRepeated(len, 1000)))).toBe(expected);
  });

  it("a multi-block message of pseudo-random bytes (CAVP LongMsg style, 1 MiB + 3 bytes)", () => {
    const message = randomBytes(prng(4), (1 << 20) + 3);
    expect(hex(wasm.sha256(message))).toBe(nodeSha256(message));
  });
});

describe("SHA-256 against node:crypto", () => {
  it("every length 0..300 around the block and padding boundaries, whole and byte by byte", () => {
    const next = prng(1);
    for (let n = 0; n <= 300; n++) {
      const message = randomBytes(next, n);
      const expected = nodeSha256(message);
      expect(hex(wasm.sha256(message)), `length ${n}`).toBe(expected);
      expect(hex(wasm.sha256Chunked(message, 1)), `length ${n}, byte by byte`).toBe(expected);
    }
  });

  it("random lengths 0..2000 in random pieces (fast-check, 400 runs)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 2000 }), fc.integer({ min: 1, max: 200 }), (message, chunk) => {
        const expected = nodeSha256(message);
        expect(hex(wasm.sha256(message))).toBe(expected);
        expect(hex(wasm.sha256Chunked(message, chunk))).toBe(expected);
      }),
      { numRuns: 400, seed: 20260728 },
    );
  });

  it("updateString hashes UTF-8 like Node, lone surrogates as U+FFFD (fast-check, 300 runs)", () => {
    const unit = fc.oneof(
      fc.string({ unit: "binary", maxLength: 40 }),
      fc.constantFrom("\ud800", "\udfff", "a\udc00b", "\ud83d\ude00", "\u2028", "é€", "\u0000"),
    );
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 30 }), (parts) => {
        const s = parts.join("") + "x".repeat(parts.length * 13); // long enough to cross the staging buffer
        expect(hex(wasm.sha256Text(s))).toBe(nodeSha256(Buffer.from(s, "utf8")));
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it("ignores a range outside linear memory instead of trapping", () => {
    const pages = wasm.x.memory.buffer.byteLength;
    expect(hex(wasm.outputBytes(wasm.x.digestRange(pages - 4, 64)))).toBe(nodeSha256(""));
    expect(hex(wasm.outputBytes(wasm.x.digestRange(0, -1)))).toBe(nodeSha256(""));
    expect(wasm.logs).toEqual([]);
  });
});

describe("HMAC-SHA256: RFC 4231 test cases", () => {
  const cases: Array<[string, Uint8Array | string, Uint8Array | string, string]> = [
    ["4.2 case 1", fill(20, 0x0b), "Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"],
    ["4.3 case 2 (key shorter than the output)", "Jefe", "what do ya want for nothing?",
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"],
    ["4.4 case 3", fill(20, 0xaa), fill(50, 0xdd), "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"],
    ["4.5 case 4", fromHex("0102030405060708090a0b0c0d0e0f10111213141516171819"), fill(50, 0xcd),
      "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"],
    ["4.7 case 6 (131-byte key, hashed first)", fill(131, 0xaa), "Test Using Larger Than Block-Size Key - Hash Key First",
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"],
    ["4.8 case 7 (large key and large data)", fill(131, 0xaa),
      "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.",
      "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"],
  ];
  for (const [name, key, data, expected] of cases) {
    it(name, () => {
      expect(hex(wasm.hmac(key, data))).toBe(expected);
    });
  }

  it("4.6 case 5 (output truncated to 128 bits: the prefix matches)", () => {
    expect(hex(wasm.hmac(fill(20, 0x0c), "Test With Truncation")).slice(0, 32)).toBe("a3b6167473100ee06e0c796c2955552b");
  });
});

describe("HMAC-SHA256 against node:crypto", () => {
  it("random keys 0..200 bytes (block size 64: shorter, equal, longer) and messages 0..600 (fast-check, 400 runs)", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(new Uint8Array(64), fill(64, 0xff), fill(65, 1), new Uint8Array(0))),
        fc.uint8Array({ maxLength: 600 }),
        (key, message) => {
          expect(hex(wasm.hmac(key, message))).toBe(nodeHmac(key, message));
        },
      ),
      { numRuns: 400, seed: 4231 },
    );
  });

  it("a 1 MiB key and a 1 MiB message", () => {
    const next = prng(9);
    const key = randomBytes(next, 1 << 20);
    const message = randomBytes(next, 1 << 20);
    expect(hex(wasm.hmac(key, message))).toBe(nodeHmac(key, message));
  });
});

describe("constantTimeEquals", () => {
  it("is true exactly for equal bytes", () => {
    const a = fromHex("00112233445566778899aabbccddeeff");
    expect(wasm.equals(a, a.slice())).toBe(true);
    expect(wasm.equals(new Uint8Array(0), new Uint8Array(0))).toBe(true);
    for (let i = 0; i < a.length; i++) {
      const b = a.slice();
      b[i] = b[i]! ^ 1;
      expect(wasm.equals(a, b), `differs at ${i}`).toBe(false);
    }
    expect(wasm.equals(a, a.slice(0, 15))).toBe(false);
    expect(wasm.equals(a.slice(0, 15), a)).toBe(false);
    expect(wasm.equals(new Uint8Array(0), a)).toBe(false);
  });

  it("agrees with a byte comparison on random pairs (fast-check, 300 runs)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), fc.boolean(), (a, b, same) => {
        const other = same ? a.slice() : b;
        expect(wasm.equals(a, other)).toBe(Buffer.compare(a, other) === 0);
      }),
      { numRuns: 300, seed: 11 },
    );
  });
});

describe("hex", () => {
  it("encodes lowercase and decodes either case", () => {
    expect(wasm.toHex(fromHex("00ff10ab"))).toBe("00ff10ab");
    expect(wasm.toHex(new Uint8Array(0))).toBe("");
    expect(hex(wasm.fromHex("00FF10aB")!)).toBe("00ff10ab");
    expect(wasm.fromHex("")).toEqual(new Uint8Array(0));
  });

  it("rejects odd lengths and non-hex characters", () => {
    for (const bad of ["0", "abc", "0g", "g0", " 0", "0x00", "\u0660\u0660", "ａａ", "\ud800\udc00"]) {
      expect(wasm.fromHex(bad), JSON.stringify(bad)).toBeNull();
    }
  });

  it("round-trips random bytes and matches Buffer (fast-check, 200 runs)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const text = wasm.toHex(bytes);
        expect(text).toBe(hex(bytes));
        expect(wasm.fromHex(text)).toEqual(bytes);
        expect(wasm.fromHex(text.toUpperCase())).toEqual(bytes);
      }),
      { numRuns: 200, seed: 16 },
    );
  });

  it("never logged an abort", () => {
    expect(wasm.logs).toEqual([]);
  });
});
