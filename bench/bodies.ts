// Realistic tools/call bodies of given sizes: code-search style arguments with nested objects, numbers,
// escapes and non-ASCII text, so that the parser does the work a real agent's request costs.
export function toolCallBody(targetBytes: number, tool = "search_code", id = 1): Uint8Array {
  const records: string[] = [];
  const frame = (context: string) => `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":${JSON.stringify(tool)},"arguments":{"query":"TODO owner:platform","context":[${context}]}}}`;
  let size = Buffer.byteLength(frame(""));
  for (let i = 0; size < targetBytes; i++) {
    const record = JSON.stringify({
      path: `src/module_${i}/file_${i % 17}.ts`,
      line: (i * 7919) % 10000,
      score: ((i * 31) % 1000) / 1000,
      snippet: `const x${i} = "tab\there \"quoted\" — ünïcödé ✓";`,
      tags: ["ts", i % 2 === 0 ? "core" : "util"],
    });
    records.push(record);
    size += Buffer.byteLength(record) + (records.length > 1 ? 1 : 0);
  }
  return new TextEncoder().encode(frame(records.join(",")));
}

export const BODY_SIZES_KB = [0.4, 1.2, 16, 256, 1024] as const;
