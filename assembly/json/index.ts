// Public API of the strict JSON reader and the JSON writer (see docs/json-reader.md).
export { JsonError, JsonLimits, JsonType, jsonErrorMessage } from "./types";
export { JsonDocument, NameTable, plainWord } from "./document";
export { JsonWriter, jsonQuote } from "./writer";
