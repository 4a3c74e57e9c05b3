// asc transform: stores the text of `utf8("…")` calls as UTF-8 in one static table instead of one UTF-16 string
// literal each. AssemblyScript keeps every string literal as UTF-16 with a 20-byte object header, so a long
// ASCII message costs more than twice its length; the configuration's error messages alone were ~14 KB that
// way. The transform runs after parsing: it appends each literal's UTF-8 bytes to the byte array of
// `memory.data<u8>([0])` in assembly/abi/text.ts (identical texts, and texts contained in earlier ones, share
// bytes) and rewrites the call to `utf8("", offset, length)`, which decodes the text when it is used. Without the
// transform (e.g. a build that does not load asconfig.json) `utf8(text)` returns its argument: same strings.
import { Transform } from "assemblyscript/transform";

const TABLE_FILE = "assembly/abi/text";
const encoder = new TextEncoder();

// Every node below `node`: the compiler's AST nodes are plain objects, so their fields are walked generically.
function walk(node, visit, seen) {
  if (node === null || typeof node !== "object" || seen.has(node)) return;
  seen.add(node);
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit, seen);
    return;
  }
  visit(node);
  for (const key of Object.keys(node)) {
    if (key === "range" || key === "parent") continue;
    walk(node[key], visit, seen);
  }
}

// The text of a string literal, or of a template literal without substitutions (for texts over several lines).
function literalText(node) {
  if (node.literalKind === undefined) return null;
  if (typeof node.value === "string") return node.value;
  if (Array.isArray(node.parts) && node.parts.length === 1 && node.expressions.length === 0 && !node.tag) return node.parts[0];
  return null;
}

function isUtf8Call(node) {
  return Array.isArray(node.args) && node.args.length === 1 && node.expression !== undefined &&
    node.expression.text === "utf8" && literalText(node.args[0]) !== null;
}

export default class Utf8TextTransform extends Transform {
  afterParse(parser) {
    const sources = parser.sources.filter((source) => !source.normalizedPath.startsWith("~lib/"));
    const table = sources.find((source) => source.normalizedPath.replace(/\.ts$/, "") === TABLE_FILE);
    if (table === undefined) return; // the program does not use the table
    let array = null;
    walk(table.statements, (node) => {
      if (array === null && Array.isArray(node.elementExpressions)) array = node;
    }, new Set());
    if (array === null || array.elementExpressions.length !== 1) throw new Error(`${TABLE_FILE}: no memory.data<u8>([0]) to fill`);
    const placeholder = array.elementExpressions[0];
    const integer = (value, range) => Object.assign(Object.create(Object.getPrototypeOf(placeholder)), placeholder, {
      value: globalThis.i64_new(value, 0),
      range,
    });

    const bytes = [];
    let latin1 = ""; // the table so far, one char per byte, to find texts already in it
    for (const source of sources) {
      walk(source.statements, (node) => {
        if (!isUtf8Call(node)) return;
        const literal = node.args[0];
        const encoded = encoder.encode(literalText(literal));
        const key = String.fromCharCode(...encoded);
        let offset = latin1.indexOf(key);
        if (offset < 0) {
          offset = bytes.length;
          bytes.push(...encoded);
          latin1 += key;
        }
        if (typeof literal.value === "string") literal.value = "";
        else literal.parts = literal.rawParts = [""];
        node.args.push(integer(offset, literal.range), integer(encoded.length, literal.range));
      }, new Set());
    }
    if (bytes.length > 0) array.elementExpressions = bytes.map((b) => integer(b, placeholder.range));
  }
}
