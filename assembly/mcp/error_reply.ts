// Builds JSON-RPC error responses the filter sends in place of the server's answer. The id is echoed byte for
// byte from the request (it was validated as a string or integer); when the request's id is unknown (parse
// errors, invalid messages) the id is omitted, as MCP 2025-11-25 and later specify for that case.
import { JsonWriter } from "../json/writer";

export function writeErrorResponse(writer: JsonWriter, id: ArrayBuffer | null, code: i32, message: string): void {
  writer.beginObject();
  writer.key("jsonrpc");
  writer.string("2.0");
  if (id !== null) {
    writer.key("id");
    writer.raw(id);
  }
  writer.key("error");
  writer.beginObject();
  writer.key("code");
  writer.integer(code);
  writer.key("message");
  writer.string(message);
  writer.endObject();
  writer.endObject();
}
