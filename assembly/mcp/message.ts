// Classifies one JSON-RPC 2.0 message of an already-parsed document, strictly: anything that is not clearly a
// request, a notification or a response is Invalid, with the JSON-RPC code and a message the client can act on.
// MCP narrows JSON-RPC: ids are strings or integers (never null), params is an object when present.
//
// This runs for every request, so it reads the message's members in one pass over its keys (and params' in
// another), recognises a standard method without decoding it (the method string is then the table's own), and
// fills a Message the caller may reuse.
import { utf8 } from "../abi/text";
import { JsonDocument, JsonType, NameTable, plainWord } from "../json";
import { STANDARD_METHODS } from "../policy/methods";
import { NameList } from "../policy/name_list";
import { INVALID_REQUEST } from "./rpc_codes";

export enum MessageKind { Invalid = 0, Request = 1, Notification = 2, Response = 3 }

// The members of a message and of its params that the guard reads, and where classifyMessage puts them.
const MESSAGE_MEMBERS = new NameTable(["id", "jsonrpc", "method", "params", "result", "error"]);
const M_ID = 0;
const M_JSONRPC = 1;
const M_METHOD = 2;
const M_PARAMS = 3;
const M_RESULT = 4;
const M_ERROR = 5;
const PARAMS_MEMBERS = new NameTable(["name", "arguments", "_meta", "uri"]);
const P_NAME = 0;
const P_ARGUMENTS = 1;
const P_META = 2;
const P_URI = 3;
const members = new StaticArray<i32>(6);
const membersPtr = changetype<usize>(members);

/** Value node of member `k` from the last members() call (plain load: `k` is one of the constants above). */
// @ts-ignore: decorator
@inline
function member(k: i32): i32 {
  return load<i32>(membersPtr + (<usize>k << 2));
}
const JSONRPC_VERSION = plainWord("2.0");
// The standard methods, looked up by their bytes (NameList keeps them in STANDARD_METHODS order).
const STANDARD = new NameList();
for (let i = 0; i < STANDARD_METHODS.length; i++) STANDARD.add(STANDARD_METHODS[i]);

export class Message {
  kind: MessageKind = MessageKind.Invalid;
  node: i32 = -1;
  // The id value node when it is a valid MCP id (string or integer); -1 otherwise.
  idNode: i32 = -1;
  method: string = "";
  // Index of the method in STANDARD_METHODS, or -1 for any other method (and for non-requests).
  methodIndex: i32 = -1;
  // The params object node, or -1 when params is absent; then its members name, arguments, _meta and uri
  // (value nodes, -1 when absent).
  paramsNode: i32 = -1;
  nameNode: i32 = -1;
  argumentsNode: i32 = -1;
  metaNode: i32 = -1;
  uriNode: i32 = -1;
  errorCode: i32 = 0;
  errorMessage: string = "";

  // Everything but `method`, which classifyMessage sets on every path (a reference store runs the GC's write
  // barrier, so the same method as last time is not written again).
  reset(node: i32): void {
    this.kind = MessageKind.Invalid;
    this.node = node;
    this.idNode = -1;
    this.methodIndex = -1;
    this.paramsNode = -1;
    this.nameNode = -1;
    this.argumentsNode = -1;
    this.metaNode = -1;
    this.uriNode = -1;
    this.errorCode = 0;
    if (!same(this.errorMessage, "")) this.errorMessage = "";
  }

  setMethod(method: string): Message {
    if (!same(this.method, method)) this.method = method;
    return this;
  }
}

/** Whether `a` and `b` are the same string object (not just equal text): a cheap test before a store. */
// @ts-ignore: decorator
@inline
export function same(a: string, b: string): bool {
  return changetype<usize>(a) == changetype<usize>(b);
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

/** Classifies the message at `node` into `out` (reset first) and returns it. */
export function classifyMessage(doc: JsonDocument, node: i32, out: Message): Message {
  out.reset(node);
  // The method is known further down; the refusals before it name none.
  if (doc.type(node) != JsonType.Object) return invalid(out.setMethod(""), utf8("Invalid Request: a JSON-RPC message must be an object"));
  doc.members(node, MESSAGE_MEMBERS, members);
  const idNode = member(M_ID);
  const version = member(M_JSONRPC);
  const methodNode = member(M_METHOD);
  const params = member(M_PARAMS);
  const hasResult = member(M_RESULT) >= 0;
  const hasError = member(M_ERROR) >= 0;

  if (idNode >= 0) {
    if (!isValidId(doc, idNode)) return invalid(out.setMethod(""), utf8("Invalid Request: id must be a string or an integer"));
    out.idNode = idNode;
  }
  // One comparison for the usual "2.0"; an escaped form ("2\u002e0") is decoded.
  if (version < 0 || (doc.shortPlainWord(version) != JSONRPC_VERSION && !doc.stringEquals(version, "2.0"))) return invalid(out.setMethod(""), utf8("Invalid Request: jsonrpc must be \"2.0\""));

  if (methodNode >= 0) {
    // Found on its bytes when it has no escapes; otherwise decoded ("tools\/call" is tools/call too: the
    // index, not the spelling, decides how the message is judged).
    let index = STANDARD.exactIndexOf(doc, methodNode);
    if (index >= 0) {
      out.setMethod(STANDARD_METHODS[index]);
    } else {
      const method = doc.getString(methodNode);
      if (method === null) return invalid(out.setMethod(""), utf8("Invalid Request: method must be a string"));
      out.setMethod(method);
      index = STANDARD_METHODS.indexOf(method);
    }
    out.methodIndex = index;
    if (params >= 0) {
      if (doc.type(params) != JsonType.Object) return invalid(out, utf8("Invalid Request: params must be an object"));
      out.paramsNode = params;
      doc.members(params, PARAMS_MEMBERS, members);
      out.nameNode = member(P_NAME);
      out.argumentsNode = member(P_ARGUMENTS);
      out.metaNode = member(P_META);
      out.uriNode = member(P_URI);
    }
    if (hasResult || hasError) return invalid(out, utf8("Invalid Request: a request cannot carry result or error"));
    out.kind = idNode >= 0 ? MessageKind.Request : MessageKind.Notification;
    return out;
  }

  // No method: a response to a request the server sent (sampling, elicitation, roots, ping).
  out.setMethod("");
  if (idNode < 0 && !hasError) return invalid(out, utf8("Invalid Request: a message needs a method, or an id with result or error"));
  if (hasResult == hasError) return invalid(out, utf8("Invalid Request: a response carries exactly one of result and error"));
  out.kind = MessageKind.Response;
  return out;
}
