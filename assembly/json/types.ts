// Public vocabulary of the JSON reader: value types, error classes and limits.
import { utf8 } from "../abi/text";

/** Type of a node in a parsed document. `Absent` is what `type()` answers for an id that names no node. */
export enum JsonType {
  Absent = -1,
  Null = 0,
  False = 1,
  True = 2,
  Number = 3,
  String = 4,
  Array = 5,
  Object = 6,
}

/** Why a document was rejected. `None` means the last parse succeeded. */
export enum JsonError {
  None = 0,
  Empty,            // no value at all (empty input or only whitespace)
  ByteOrderMark,    // input starts with EF BB BF; RFC 8259 §8.1 says senders must not add one
  UnexpectedByte,   // a byte that cannot start or continue the construct at hand
  UnexpectedEnd,    // the input ended inside a value
  TrailingContent,  // something other than whitespace after the top-level value
  InvalidUtf8,      // malformed, overlong, surrogate or out-of-range UTF-8 inside a string
  InvalidEscape,    // backslash followed by something RFC 8259 does not allow
  LoneSurrogate,    // \uD800-\uDFFF escape that is not part of a high+low pair
  ControlCharacter, // raw byte < 0x20 inside a string
  InvalidNumber,    // number outside the RFC grammar (leading zero, "+", ".5", "1.", "1e", ...)
  TooDeep,          // arrays/objects nested deeper than JsonLimits.maxDepth
  TooLarge,         // input longer than JsonLimits.maxBytes (or not inside linear memory)
  TooManyValues,    // more values + keys than JsonLimits.maxValues
  DuplicateKey,     // the same member name twice in one object (after decoding escapes)
}

/** Short human-readable text for an error, for logs and JSON-RPC error messages (error paths only: decoded from
 * the UTF-8 text table when asked for). */
export function jsonErrorMessage(e: JsonError): string {
  switch (e) {
    case JsonError.None: return utf8("no error");
    case JsonError.Empty: return utf8("empty document");
    case JsonError.ByteOrderMark: return utf8("byte order mark not allowed");
    case JsonError.UnexpectedByte: return utf8("unexpected character");
    case JsonError.UnexpectedEnd: return utf8("unexpected end of input");
    case JsonError.TrailingContent: return utf8("unexpected content after the value");
    case JsonError.InvalidUtf8: return utf8("invalid UTF-8");
    case JsonError.InvalidEscape: return utf8("invalid escape sequence");
    case JsonError.LoneSurrogate: return utf8("unpaired surrogate escape");
    case JsonError.ControlCharacter: return utf8("unescaped control character in string");
    case JsonError.InvalidNumber: return utf8("invalid number");
    case JsonError.TooDeep: return utf8("nesting too deep");
    case JsonError.TooLarge: return utf8("document too large");
    case JsonError.TooManyValues: return utf8("too many values");
    case JsonError.DuplicateKey: return utf8("duplicate object key");
    default: return utf8("unknown error");
  }
}

/** Bounds that keep the work and memory spent on one document proportional to what the caller allows. */
export class JsonLimits {
  /** Input longer than this is rejected with TooLarge before any byte is read. */
  maxBytes: i32 = 1 << 20;
  /** Arrays/objects nested deeper than this are rejected with TooDeep (0 = only a scalar at the root). */
  maxDepth: i32 = 64;
  /** More values + keys than this are rejected with TooManyValues. */
  maxValues: i32 = 1 << 20;
  /**
   * Nodes deeper than this (root = depth 0) are fully validated but not stored in the node table, so a caller
   * that only looks at the top of a document pays no memory for the rest. 0 = root only.
   */
  recordDepth: i32 = 0x7fffffff;
  /** Reject an object that names the same member twice (compared after decoding escapes), at any depth. */
  rejectDuplicateKeys: bool = true;
}
