// Benchmark entry: the guard's two jobs done with json-as (https://github.com/JairusSW/json-as) inside wasm, as
// the evidence for writing our own reader (docs/json-reader.md, "Why not json-as"). Compiled only by the
// benchmark, with json-as's transform (`--transform json-as/transform`); it lives in a subfolder so that the
// test setup, which compiles every assembly/testing/*.ts without the transform, leaves it alone.
//
// json-as parses AssemblyScript strings (UTF-16), so each call first decodes the UTF-8 body, as a json-as guard
// would have to. It throws (traps) on malformed input: the benchmark only feeds it valid bodies.
import { JSON } from "json-as";

@json
class ToolCallParams {
  name: string = "";
  @optional
  arguments: JSON.Raw = new JSON.Raw("null");
}

@json
class Request {
  jsonrpc: string = "";
  @optional
  id: JSON.Raw = new JSON.Raw("null");
  method: string = "";
  @optional
  params: ToolCallParams | null = null;
}

let input = new ArrayBuffer(1024);
let output = new ArrayBuffer(1024);
let allowed = new Set<string>();

export function inputBuffer(len: i32): usize {
  if (input.byteLength < len) input = new ArrayBuffer(len);
  return changetype<usize>(input);
}

export function outputPtr(): usize {
  return changetype<usize>(output);
}

// The exact tool names allowed, one per line, in the input buffer.
export function configure(len: i32): void {
  const text = String.UTF8.decodeUnsafe(changetype<usize>(input), <usize>len);
  allowed = new Set<string>();
  const names = text.split("\n");
  for (let i = 0; i < names.length; i++) allowed.add(names[i]);
}

function body(len: i32): string {
  return String.UTF8.decodeUnsafe(changetype<usize>(input), <usize>len);
}

// tools/call decision with a typed schema: `arguments` is kept raw (json-as skips it without validating it).
export function decideTyped(len: i32): i32 {
  const request = JSON.parse<Request>(body(len));
  if (request.jsonrpc != "2.0") return 0;
  if (request.method != "tools/call") return 1;
  const params = request.params;
  return params !== null && allowed.has(params.name) ? 1 : 0;
}

// tools/call decision on the schema-less JSON.Obj (the whole body is parsed, arguments included).
export function decideDynamic(len: i32): i32 {
  const message = JSON.parse<JSON.Obj>(body(len));
  const version = message.get("jsonrpc");
  if (version === null || version.get<string>() != "2.0") return 0;
  const method = message.get("method");
  if (method === null) return 0;
  if (method.get<string>() != "tools/call") return 1;
  const params = message.get("params");
  if (params === null) return 0;
  const name = params.get<JSON.Obj>().get("name");
  return name !== null && allowed.has(name.get<string>()) ? 1 : 0;
}

// tools/list rewrite on JSON.Obj: parse, drop the tools that are not allowed, serialize. Returns the UTF-8 length
// of the result at outputPtr().
export function filterTools(len: i32): i32 {
  const message = JSON.parse<JSON.Obj>(body(len));
  const result = message.get("result");
  if (result !== null) {
    const resultObj = result.get<JSON.Obj>();
    const tools = resultObj.get("tools");
    if (tools !== null) {
      const list = tools.get<JSON.Arr>();
      const kept = new JSON.Arr();
      for (let i = 0; i < list.length; i++) {
        const tool = list.at(i);
        const name = tool.get<JSON.Obj>().get("name");
        if (name !== null && allowed.has(name.get<string>())) kept.push(tool);
      }
      resultObj.set("tools", kept);
      message.set("result", resultObj);
    }
  }
  const text = JSON.stringify(message);
  const bytes = String.UTF8.encode(text);
  output = bytes;
  return bytes.byteLength;
}
