// The request-path decision: pure (no host calls), so it can be tested and benchmarked on its own.
// Input: the policy, the request body bytes and the MCP-Protocol-Version header. Output: a Decision with the
// exact reply a refused client gets.
import { decimal, utf8 } from "../abi/text";
import { JsonDocument, JsonError, JsonType, jsonErrorMessage } from "../json";
import { JsonWriter } from "../json/writer";
import { writeErrorResponse } from "../mcp/error_reply";
import { Message, MessageKind, classifyMessage, same } from "../mcp/message";
import { batchesAllowed } from "../mcp/protocol";
import { RequestHeaders, requiresHeaderMirroring } from "../mcp/request_headers";
import { HEADER_MISMATCH, INVALID_PARAMS, INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR, RESOURCE_NOT_FOUND } from "../mcp/rpc_codes";
import { GuardConfig } from "../policy/config";
import { checkResourceUri } from "../policy/resource_uri";
import { PinStatus } from "../policy/pins";
import { ToolHints } from "../policy/tool_hints";
import { ApprovalMode } from "../policy/approval_config";
import { AccessPolicy } from "../policy/access";
import { STANDARD_METHODS } from "../policy/methods";
import * as R from "./decision";
import { Decision } from "./decision";

// The deepest node the decision reads: batch array (0) → message (1) → params (2) → params.name (3). Deeper
// values (tool arguments) are validated in full but not recorded, which keeps big arguments cheap.
const RECORD_DEPTH: i32 = 3;

const TOOLS_CALL = STANDARD_METHODS.indexOf("tools/call");
const PROMPTS_GET = STANDARD_METHODS.indexOf(utf8("prompts/get"));
const RESOURCES_READ = STANDARD_METHODS.indexOf(utf8("resources/read"));
const RESOURCES_SUBSCRIBE = STANDARD_METHODS.indexOf(utf8("resources/subscribe"));
// The _meta key that repeats the protocol version: decoded once here, so the request path reads a global.
const META_PROTOCOL_VERSION = utf8("io.modelcontextprotocol/protocolVersion");

// The verdict on one message inside a body.
class MessageVerdict {
  allow: bool = true;
  rpcCode: i32 = 0;
  message: string = "";
  reason: string = R.REASON_ALLOWED;
  policyDenial: bool = false;
  tool: string = "";
  prompt: string = "";
  resource: string = "";
  destructive: bool = false;

  reset(): void {
    this.allow = true;
    this.rpcCode = 0;
    this.policyDenial = false;
    this.destructive = false;
    // Only what a refusal or the last message set is written back (each reference store is a GC write barrier).
    if (!same(this.message, "")) this.message = "";
    if (!same(this.reason, R.REASON_ALLOWED)) this.reason = R.REASON_ALLOWED;
    if (!same(this.tool, "")) this.tool = "";
    if (!same(this.prompt, "")) this.prompt = "";
    if (!same(this.resource, "")) this.resource = "";
  }
}

// A request body is decided without allocating, apart from the id's copy kept for the audit record: the
// Decision, the Message and the verdict of a single message are the engine's own, reset per request; the
// method and an allowed tool's name are strings the policy already holds, recognised on the body's bytes.
export class RequestEngine {
  private doc: JsonDocument = new JsonDocument();
  // The caller's policy for the decision under way.
  private access: AccessPolicy;
  private writer: JsonWriter = new JsonWriter();
  private decision: Decision = new Decision();
  private message: Message = new Message();
  private verdict: MessageVerdict = new MessageVerdict();
  // config.methods.permits() of each standard method, in STANDARD_METHODS order: the policy does not change
  // while this engine lives.
  private standardPermitted: StaticArray<bool> = new StaticArray<bool>(STANDARD_METHODS.length);
  // isDestructive's answer for the last tool, by identity: an allowed tool's name is the allowlist's own
  // string, so the same tool called again skips the glob matching and the hint lookup (until a hint changes).
  private lastTool: string = "";
  private lastHintsVersion: i32 = -1;
  private lastDestructive: bool = false;

  constructor(private config: GuardConfig, private pins: PinStatus = new PinStatus(), private hints: ToolHints = new ToolHints()) {
    this.access = config.defaults;
    for (let i = 0; i < STANDARD_METHODS.length; i++) this.standardPermitted[i] = config.methods.permits(STANDARD_METHODS[i]);
    const limits = this.doc.limits;
    limits.maxBytes = config.limits.maxBodyBytes;
    limits.maxDepth = config.limits.maxJsonDepth;
    limits.maxValues = config.limits.maxBodyBytes;
    limits.recordDepth = RECORD_DEPTH;
    limits.rejectDuplicateKeys = true;
  }

  // Decides a complete request body held at [ptr, ptr + len). The Decision is reused by the next call.
  decide(ptr: usize, len: i32, headers: RequestHeaders, access: AccessPolicy | null = null): Decision {
    this.access = access !== null ? access : this.config.defaults;
    const protocolVersion = headers.protocolVersion;
    if (len == 0) return this.refuse(400, PARSE_ERROR, utf8("Parse error: the request body is empty"), R.REASON_EMPTY_BODY);
    const doc = this.doc;
    const error = doc.parse(ptr, len);
    if (error != JsonError.None) return this.refuseParse(error, doc.errorOffset);

    const root = doc.root();
    if (doc.type(root) == JsonType.Array) return this.decideBatch(root, protocolVersion);

    const message = classifyMessage(doc, root, this.message);
    const verdict = this.verdict;
    verdict.reset();
    this.judge(message, verdict);
    // Without any of the mirrored headers there is nothing to compare (and on versions before 2026-07-28
    // nothing is required): skip the call.
    if (verdict.allow && (headers.protocolVersion !== null || headers.mcpMethod !== null || headers.mcpName !== null)) {
      this.checkMirroredHeaders(message, headers, verdict);
    }
    const decision = this.decision;
    decision.resetOutcome();
    // The same tool called again carries the same strings: store only what changed (see Decision.reset).
    if (!same(decision.method, message.method)) decision.method = message.method;
    if (!same(decision.tool, verdict.tool)) decision.tool = verdict.tool;
    if (!same(decision.prompt, verdict.prompt)) decision.prompt = verdict.prompt;
    if (!same(decision.resource, verdict.resource)) decision.resource = verdict.resource;
    decision.destructive = verdict.destructive;
    decision.messageCount = 1;
    decision.id = this.idOf(message);
    if (message.methodIndex == TOOLS_CALL && message.paramsNode >= 0) {
      const args = message.argumentsNode;
      decision.argumentsStart = doc.start(args);
      decision.argumentsEnd = doc.end(args);
    }
    if (verdict.allow) return decision;
    decision.allow = false;
    decision.rpcCode = verdict.rpcCode;
    decision.reason = verdict.reason;
    decision.detail = verdict.message;
    decision.httpStatus = verdict.policyDenial ? this.config.denyStatus : 400;
    const writer = this.writer;
    writer.reset();
    writeErrorResponse(writer, decision.id, verdict.rpcCode, verdict.message);
    decision.reply = writer.toArrayBuffer();
    return decision;
  }

  // Reply for a body that cannot be a message at all.
  refuse(httpStatus: i32, rpcCode: i32, message: string, reason: string): Decision {
    const decision = new Decision();
    decision.allow = false;
    decision.httpStatus = httpStatus;
    decision.rpcCode = rpcCode;
    decision.reason = reason;
    decision.detail = message;
    const writer = this.writer;
    writer.reset();
    writeErrorResponse(writer, null, rpcCode, message);
    decision.reply = writer.toArrayBuffer();
    return decision;
  }

  private refuseParse(error: JsonError, offset: i32): Decision {
    const where = utf8(" at byte ") + decimal(offset);
    if (error == JsonError.DuplicateKey) {
      return this.refuse(400, INVALID_REQUEST, utf8("Invalid Request: duplicate object key") + where, R.REASON_DUPLICATE_KEY);
    }
    if (error == JsonError.TooDeep) {
      return this.refuse(400, INVALID_REQUEST, utf8("Invalid Request: nesting deeper than ") + decimal(this.config.limits.maxJsonDepth) + utf8(" levels"), R.REASON_TOO_DEEP);
    }
    if (error == JsonError.TooManyValues) {
      return this.refuse(400, INVALID_REQUEST, utf8("Invalid Request: too many JSON values"), R.REASON_TOO_MANY_VALUES);
    }
    if (error == JsonError.TooLarge) {
      return this.refuse(413, INVALID_REQUEST, utf8("Request body exceeds the ") + decimal(this.config.limits.maxBodyBytes) + utf8(" byte limit"), R.REASON_BODY_TOO_LARGE);
    }
    return this.refuse(400, PARSE_ERROR, utf8("Parse error: ") + jsonErrorMessage(error) + where, R.REASON_PARSE_ERROR);
  }

  private idOf(message: Message): ArrayBuffer | null {
    return message.idNode >= 0 ? this.doc.rawBytes(message.idNode) : null;
  }

  private judge(message: Message, verdict: MessageVerdict): MessageVerdict {
    if (message.kind == MessageKind.Invalid) {
      return deny(verdict, message.errorCode, message.errorMessage, R.REASON_INVALID_REQUEST, false);
    }
    if (message.kind == MessageKind.Response) return verdict;

    const method = message.method;
    const index = message.methodIndex;
    const standard = this.standardPermitted;
    const permitted = index >= 0 && index < standard.length ? load<bool>(changetype<usize>(standard) + <usize>index) : this.config.methods.permits(method);
    if (!permitted) {
      return deny(verdict, METHOD_NOT_FOUND, utf8("Method not found: ") + method, R.REASON_METHOD_NOT_ALLOWED, true);
    }
    if (index == TOOLS_CALL) {
      return this.judgeToolCall(message, verdict);
    } else if (index == PROMPTS_GET) {
      return this.judgePrompt(message, verdict);
    } else if (index == RESOURCES_READ || index == RESOURCES_SUBSCRIBE) {
      return this.judgeResource(message, verdict);
    }
    return verdict;
  }

  private judgeToolCall(message: Message, verdict: MessageVerdict): MessageVerdict {
    const doc = this.doc;
    const nameNode = message.nameNode;
    if (doc.type(nameNode) != JsonType.String) {
      return deny(verdict, INVALID_REQUEST, utf8("Invalid Request: tools/call needs params.name as a string"), R.REASON_INVALID_TOOL_NAME, false);
    }
    // An exact allowlist entry is found on the name's bytes and its own string stands for the tool; anything
    // else (escapes, a glob, a refusal) decodes the name.
    const tools = this.access.tools;
    const entry = tools.exactIndexOf(doc, nameNode);
    let tool = "";
    if (entry >= 0) {
      tool = tools.exactName(entry);
    } else {
      const decoded = doc.getString(nameNode);
      if (decoded !== null) tool = decoded;
      verdict.tool = tool;
      if (!tools.matchesAfterMiss(doc, nameNode, tool)) {
        // Same answer as for a tool the server does not have, so the allowlist cannot be probed.
        return deny(verdict, INVALID_PARAMS, utf8("Unknown tool: ") + tool, R.REASON_TOOL_NOT_ALLOWED, true);
      }
    }
    verdict.tool = tool;
    verdict.destructive = this.isDestructive(tool);
    const pins = this.config.toolPins;
    if (pins.size > 0 && pins.has(tool) && this.pins.isMismatched(tool)) {
      // The server last described this tool differently from its pin: the agent never saw it, so it is unknown.
      return deny(verdict, INVALID_PARAMS, utf8("Unknown tool: ") + tool, R.REASON_TOOL_PIN_MISMATCH, true);
    }
    return verdict;
  }

  // MCP 2026-07-28: the method, the name and the protocol version travel in headers too (so intermediaries can
  // route without reading the body) and must say the same as the body; a client on that version must send them.
  private checkMirroredHeaders(message: Message, headers: RequestHeaders, verdict: MessageVerdict): MessageVerdict {
    if (message.kind != MessageKind.Request && message.kind != MessageKind.Notification) return verdict;
    const required = requiresHeaderMirroring(headers.protocolVersion);
    const method = message.method;
    const mcpMethod = headers.mcpMethod;
    if (mcpMethod !== null) {
      if (mcpMethod != method) return mismatch(verdict, utf8("Mcp-Method header value ") + quoted(mcpMethod) + utf8(" does not match body value ") + quoted(method));
    } else if (required) {
      return mismatch(verdict, utf8("the Mcp-Method header is required"));
    }
    const index = message.methodIndex;
    const nameNode = index == RESOURCES_READ ? message.uriNode : index == TOOLS_CALL || index == PROMPTS_GET ? message.nameNode : -2;
    if (nameNode != -2) {
      const mcpName = headers.mcpName;
      if (mcpName !== null) {
        const bodyName = this.doc.getString(nameNode);
        if (bodyName === null || mcpName != bodyName) {
          return mismatch(verdict, utf8("Mcp-Name header value ") + quoted(mcpName) + utf8(" does not match body value ") + quoted(bodyName !== null ? bodyName : ""));
        }
      } else if (required) {
        return mismatch(verdict, utf8("the Mcp-Name header is required for ") + method);
      }
    }
    const versionHeader = headers.protocolVersion;
    if (versionHeader !== null && message.paramsNode >= 0) {
      const meta = message.metaNode;
      const bodyVersion = this.doc.getString(this.doc.get(meta, META_PROTOCOL_VERSION));
      if (bodyVersion !== null && bodyVersion != versionHeader.trim()) {
        return mismatch(verdict, utf8("MCP-Protocol-Version header value ") + quoted(versionHeader) + utf8(" does not match body value ") + quoted(bodyVersion));
      }
    }
    return verdict;
  }

  // By name pattern, or by what the server's tools/list said (destructive unless it said otherwise).
  private isDestructive(tool: string): bool {
    const approval = this.config.approval;
    if (approval.mode == ApprovalMode.Off) return false;
    const hints = this.hints;
    if (changetype<usize>(tool) != changetype<usize>(this.lastTool) || hints.version != this.lastHintsVersion) {
      this.lastTool = tool;
      this.lastHintsVersion = hints.version;
      this.lastDestructive = approval.patterns.matches(tool) || (approval.useAnnotations && hints.hint(tool) == 1);
    }
    return this.lastDestructive;
  }

  private judgePrompt(message: Message, verdict: MessageVerdict): MessageVerdict {
    const name = this.doc.getString(message.nameNode);
    if (name === null) {
      return deny(verdict, INVALID_REQUEST, utf8("Invalid Request: prompts/get needs params.name as a string"), R.REASON_INVALID_PARAMS, false);
    }
    verdict.prompt = name;
    const prompts = this.access.prompts;
    if (prompts !== null && !prompts.matches(name)) {
      return deny(verdict, INVALID_PARAMS, utf8("Unknown prompt: ") + name, R.REASON_PROMPT_NOT_ALLOWED, true);
    }
    return verdict;
  }

  private judgeResource(message: Message, verdict: MessageVerdict): MessageVerdict {
    const uri = this.doc.getString(message.uriNode);
    if (uri === null) {
      return deny(verdict, INVALID_REQUEST, utf8("Invalid Request: ") + message.method + utf8(" needs params.uri as a string"), R.REASON_INVALID_PARAMS, false);
    }
    verdict.resource = uri;
    const check = checkResourceUri(uri);
    if (!check.ok) {
      return deny(verdict, INVALID_PARAMS, utf8("Invalid resource URI: it contains ") + check.reason, R.REASON_RESOURCE_URI_REJECTED, true);
    }
    if (!this.access.resourcePrefixes.permits(check.normalised)) {
      // The answer a server gives for a resource it does not have, so the prefixes cannot be probed.
      return deny(verdict, RESOURCE_NOT_FOUND, utf8("Resource not found: ") + uri, R.REASON_RESOURCE_NOT_ALLOWED, true);
    }
    return verdict;
  }

  private decideBatch(root: i32, protocolVersion: string | null): Decision {
    const doc = this.doc;
    if (!batchesAllowed(protocolVersion)) {
      const version = protocolVersion !== null ? protocolVersion : "";
      return this.refuse(400, INVALID_REQUEST, utf8("Invalid Request: JSON-RPC batches are not allowed in MCP protocol version ") + version, R.REASON_BATCH_NOT_ALLOWED);
    }
    const count = doc.length(root);
    if (count == 0) return this.refuse(400, INVALID_REQUEST, utf8("Invalid Request: empty batch"), R.REASON_INVALID_REQUEST);
    if (count > this.config.limits.maxBatchSize) {
      return this.refuse(400, INVALID_REQUEST, utf8("Invalid Request: batch of ") + decimal(count) + utf8(" messages exceeds the limit of ") + decimal(this.config.limits.maxBatchSize), R.REASON_BATCH_TOO_LARGE);
    }

    const messages = new Array<Message>();
    const verdicts = new Array<MessageVerdict>();
    const tools = new Array<string>();
    let firstDenied = -1;
    let firstDestructive = -1;
    let anyInvalid = false;
    for (let item = doc.firstChild(root); item >= 0; item = doc.nextSibling(item)) {
      const message = classifyMessage(doc, item, new Message());
      const verdict = this.judge(message, new MessageVerdict());
      if (verdict.destructive && firstDestructive < 0) firstDestructive = messages.length;
      if (message.methodIndex == TOOLS_CALL) tools.push(verdict.tool);
      if (!verdict.allow) {
        if (firstDenied < 0) firstDenied = messages.length;
        if (!verdict.policyDenial) anyInvalid = true;
      }
      messages.push(message);
      verdicts.push(verdict);
    }

    const decision = new Decision();
    decision.isBatch = true;
    decision.destructive = firstDestructive >= 0;
    decision.messageCount = messages.length;
    decision.batchTools = tools;
    if (firstDenied < 0) {
      // Named by its first destructive call, if any: the one an approval refusal (and its URL) must speak of.
      const named = firstDestructive > 0 ? firstDestructive : 0;
      if (named < messages.length) {
        decision.method = messages[named].method;
        decision.tool = verdicts[named].tool;
      }
      return decision;
    }
    // One denied message rejects the whole batch: the client gets an error for every message that expected
    // an answer, the refused ones with their own reason, the others saying why they were not run.
    const first = verdicts[firstDenied];
    decision.allow = false;
    decision.method = messages[firstDenied].method;
    decision.tool = first.tool;
    decision.rpcCode = first.rpcCode;
    decision.reason = first.reason;
    decision.detail = utf8("batch message ") + decimal(firstDenied) + ": " + first.message;
    decision.httpStatus = anyInvalid ? 400 : this.config.denyStatus;

    const writer = this.writer;
    writer.reset();
    writer.beginArray();
    let written = 0;
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i];
      const verdict = verdicts[i];
      const id = this.idOf(message);
      if (!verdict.allow) {
        writeErrorResponse(writer, id, verdict.rpcCode, verdict.message);
        written++;
      } else if (message.kind == MessageKind.Request) {
        writeErrorResponse(writer, id, INVALID_REQUEST, utf8("Invalid Request: batch refused because message ") + decimal(firstDenied) + utf8(" was refused"));
        written++;
      }
    }
    writer.endArray();
    decision.reply = writer.toArrayBuffer();
    return decision;
  }
}

function quoted(value: string): string {
  return "'" + value + "'";
}

function mismatch(verdict: MessageVerdict, detail: string): MessageVerdict {
  deny(verdict, HEADER_MISMATCH, utf8("Header mismatch: ") + detail, R.REASON_HEADER_MISMATCH, false);
  return verdict;
}

function deny(verdict: MessageVerdict, code: i32, message: string, reason: string, policyDenial: bool): MessageVerdict {
  verdict.allow = false;
  verdict.rpcCode = code;
  verdict.message = message;
  verdict.reason = reason;
  verdict.policyDenial = policyDenial;
  return verdict;
}
