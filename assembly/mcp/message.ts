// Classifies one JSON-RPC 2.0 message of an already-parsed document, strictly: anything that is not clearly a
// request, a notification or a response is Invalid, with the JSON-RPC code and a message the client can act on.
// MCP narrows JSON-RPC: ids are strings or integers (never null), params is an object when present.
import { JsonDocument, JsonType } from "../json";
import { INVALID_REQUEST } from "./rpc_codes";

export enum MessageKind { Invalid = 0, Request = 1, Notification = 2, Response = 3 }

export class Message {
  kind: MessageKind = MessageKind.Invalid;
  node: i32 = -1;
  // The id value node when it is a valid MCP id (string or integer); -1 otherwise.
  idNode: i32 = -1;
  method: string = "";
  // The params object node, or -1 when params is absent.
  paramsNode: i32 = -1;
  errorCode: i32 = 0;
  errorMessage: string = "";
}

function invalid(out: Message, message: string): Message {
  out.kind = MessageKind.Invalid;
  out.errorCode = INVALID_REQUEST;
  out.errorMessage = message;
  return out;
}

export function isValidId(doc: JsonDocument, node: i32): bool {
  const t = doc.type(node);
  return t == JsonType.String || (t == JsonType.Number && doc.isInteger(node));
}

export function classifyMessage(doc: JsonDocument, node: i32): Message {
  const out = new Message();
  out.node = node;
  if (doc.type(node) != JsonType.Object) return invalid(out, "Invalid Request: a JSON-RPC message must be an object");

  const idNode = doc.get(node, "id");
  if (idNode >= 0) {
    if (!isValidId(doc, idNode)) return invalid(out, "Invalid Request: id must be a string or an integer");
    out.idNode = idNode;
  }
  const version = doc.get(node, "jsonrpc");
  if (version < 0 || !doc.stringEquals(version, "2.0")) return invalid(out, "Invalid Request: jsonrpc must be \"2.0\"");

  const methodNode = doc.get(node, "method");
  if (methodNode >= 0) {
    const method = doc.getString(methodNode);
    if (method === null) return invalid(out, "Invalid Request: method must be a string");
    out.method = method;
    const params = doc.get(node, "params");
    if (params >= 0) {
      if (doc.type(params) != JsonType.Object) return invalid(out, "Invalid Request: params must be an object");
      out.paramsNode = params;
    }
    if (doc.get(node, "result") >= 0 || doc.get(node, "error") >= 0) {
      return invalid(out, "Invalid Request: a request cannot carry result or error");
    }
    out.kind = idNode >= 0 ? MessageKind.Request : MessageKind.Notification;
    return out;
  }

  // No method: a response to a request the server sent (sampling, elicitation, roots, ping).
  const hasResult = doc.get(node, "result") >= 0;
  const hasError = doc.get(node, "error") >= 0;
  if (idNode < 0 && !hasError) return invalid(out, "Invalid Request: a message needs a method, or an id with result or error");
  if (hasResult == hasError) return invalid(out, "Invalid Request: a response carries exactly one of result and error");
  out.kind = MessageKind.Response;
  return out;
}

// params.<key> as a decoded string, or null when params or the member is missing or not a string.
export function paramString(doc: JsonDocument, message: Message, key: string): string | null {
  if (message.paramsNode < 0) return null;
  const value = doc.get(message.paramsNode, key);
  if (value < 0) return null;
  return doc.getString(value);
}

// The tool a tools/call names: params.name.
export function toolCallName(doc: JsonDocument, message: Message): string | null {
  return paramString(doc, message, "name");
}
