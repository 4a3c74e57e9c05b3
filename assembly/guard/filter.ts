// The per-stream HTTP filter. Stock-Istio flow (BRIEF §3): request headers always continue (Envoy would turn a
// pause into a full stop that also withholds our own body callbacks), the body is buffered until the end of the
// stream (or the trailers, which end an HTTP/2 request without end_of_stream on a data frame), then decided.
// A refusal is a local reply; Envoy resets the upstream request, so the server never sees the body.
import {
  BufferType, FilterDataStatus, FilterHeadersStatus, FilterTrailersStatus, HeaderPair, HttpContext, LogLevel, StreamType,
  WasmResult, continueStream, httpCall,
  MapType, getBufferBytes, getCurrentTimeNanoseconds, getHeaderMapValue, log, logEnabled, removeHeaderMapValue,
  replaceHeaderMapValue, sendLocalResponse,
} from "../abi";
import { JsonWriter } from "../json/writer";
import { INVALID_REQUEST, PARSE_ERROR, INTERNAL_ERROR } from "../mcp/rpc_codes";
import { GuardConfig, Mode } from "../policy/config";
import { RequestHeaders } from "../mcp/request_headers";
import * as R from "./decision";
import { Decision } from "./decision";
import * as L from "./metric_labels";
import { decisionLogLine } from "./decision_log";
import { RequestEngine } from "./engine";
import { isIdentityEncoding, isJsonContentType, parseContentLength } from "./media_type";
import { Framing, ResponseRewriter, framingOf } from "./response";
import { GuardRootContext } from "./root";
import { headerSafe } from "./header_value";
import { Identity, applyIdentityHeaders, resolveIdentity } from "./identity";
import { AuditRecord } from "./audit";
import { AUDIT_APPROVAL_DENIED, approvalRefusal, checkApproval } from "./approval";
import { TOKEN_VALID } from "./approval_token";
import { selectAccess } from "./rules";
import { AccessPolicy } from "../policy/access";
import { decimal, utf8 } from "../abi/text";

const logWriter = new JsonWriter();

// Headers the filter derives from the body in hold mode, for AuthorizationPolicies to match. A client's own
// copies are always removed, so a policy can never match a value the filter did not set. Decoded once at start
// (texts as UTF-8, see abi/text.ts).
const HEADER_METHOD = utf8("x-mcp-method");
const HEADER_TOOL = utf8("x-mcp-tool");
const HEADER_RESOURCE_URI = utf8("x-mcp-resource-uri");
const HEADER_PROMPT = utf8("x-mcp-prompt");
const HEADER_DESTRUCTIVE = utf8("x-mcp-destructive");
// The reason an audit record gives when the client left while the approval service was deciding.
const APPROVAL_ABANDONED = utf8("approval_webhook_abandoned");
const DERIVED_HEADERS: Array<string> = [HEADER_METHOD, HEADER_TOOL, HEADER_RESOURCE_URI, HEADER_PROMPT, HEADER_DESTRUCTIVE];


export class GuardHttpContext extends HttpContext {
  private guardRoot: GuardRootContext;
  private inspecting: bool = false;
  private decided: bool = false;
  // The stream's decision has been counted in the metrics.
  private counted: bool = false;
  private requestHeaders: RequestHeaders = new RequestHeaders();
  identity: Identity = new Identity();
  readonly audit: AuditRecord = new AuditRecord();
  // The caller's policy: the first matching per-identity rule, or the workload's defaults.
  private access: AccessPolicy | null = null;
  // The approval token the client sent (token mode); the header itself never reaches the server.
  private approvalToken: string | null = null;
  // Webhook mode: the allowed decision waiting for the approval service.
  private awaitingApproval: Decision | null = null;
  // Hold mode: the request headers are paused until the body is decided.
  private holding: bool = false;
  // The filter answered this request itself; the response is its own and passes untouched.
  private replied: bool = false;
  private response: ResponseRewriter | null = null;

  constructor(contextId: u32, root: GuardRootContext) {
    super(contextId, root);
    this.guardRoot = root;
  }

  onRequestHeaders(numHeaders: i32, endOfStream: bool): FilterHeadersStatus {
    const config = this.guardRoot.config;
    const engine = this.guardRoot.engine;
    if (config === null || engine === null) {
      // on_configure failed or never ran: refuse rather than pass traffic unchecked.
      this.replied = true;
      this.reply(503, utf8("mcp_guard_not_configured"), notConfiguredBody());
      return FilterHeadersStatus.StopIteration;
    }
    const method = getHeaderMapValue(MapType.HttpRequestHeaders, ":method");
    const headers = this.requestHeaders;
    headers.protocolVersion = getHeaderMapValue(MapType.HttpRequestHeaders, "mcp-protocol-version");
    headers.mcpMethod = getHeaderMapValue(MapType.HttpRequestHeaders, "mcp-method");
    headers.mcpName = getHeaderMapValue(MapType.HttpRequestHeaders, "mcp-name");
    for (let i = 0; i < DERIVED_HEADERS.length; i++) removeHeaderMapValue(MapType.HttpRequestHeaders, DERIVED_HEADERS[i]);
    this.approvalToken = getHeaderMapValue(MapType.HttpRequestHeaders, config.approval.tokenHeader);
    if (this.approvalToken !== null) removeHeaderMapValue(MapType.HttpRequestHeaders, config.approval.tokenHeader);
    const identity = resolveIdentity(config.identity);
    this.identity = identity;
    this.startAudit(method, identity);
    const access = selectAccess(config, identity);
    this.access = access;
    this.audit.rule = access.name;
    applyIdentityHeaders(config.identity, identity);
    if (config.identity.require && identity.user === null) {
      this.decided = true;
      const refusal = engine.refuse(config.identity.missingStatus, INVALID_REQUEST, utf8("Authentication required: the request carries no verified identity"), R.REASON_IDENTITY_REQUIRED);
      if (this.apply(config, refusal)) return FilterHeadersStatus.StopIteration;
      // audit mode: logged, the request goes on (the identity checks on the body still run)
      this.decided = false;
    }
    if (endOfStream) {
      // No body. A POST must carry a JSON-RPC message; other methods (GET for SSE streams, DELETE to end a
      // session) carry none and pass.
      if (method !== null && method == "POST") {
        this.decided = true;
        if (this.apply(config, engine.refuse(400, PARSE_ERROR, utf8("Parse error: the request body is empty"), R.REASON_EMPTY_BODY))) {
          return FilterHeadersStatus.StopIteration;
        }
      }
      return FilterHeadersStatus.Continue;
    }

    // A body follows: it must be something we can read.
    let refusal: Decision | null = null;
    if (!isIdentityEncoding(getHeaderMapValue(MapType.HttpRequestHeaders, "content-encoding"))) {
      refusal = engine.refuse(415, INVALID_REQUEST, utf8("Unsupported Media Type: the request body must not be compressed (content-encoding identity)"), R.REASON_UNSUPPORTED_ENCODING);
    } else if (!isJsonContentType(getHeaderMapValue(MapType.HttpRequestHeaders, "content-type"))) {
      refusal = engine.refuse(415, INVALID_REQUEST, utf8("Unsupported Media Type: Content-Type must be application/json"), R.REASON_UNSUPPORTED_MEDIA_TYPE);
    } else if (parseContentLength(getHeaderMapValue(MapType.HttpRequestHeaders, "content-length")) > <i64>config.limits.maxBodyBytes) {
      refusal = this.tooLarge(config, engine);
    }
    if (refusal !== null) {
      this.decided = true;
      if (this.apply(config, refusal)) return FilterHeadersStatus.StopIteration;
      return FilterHeadersStatus.Continue; // audit mode: logged, passed uninspected
    }
    this.inspecting = true;
    if (config.holdRequestHeaders) {
      this.holding = true;
      return FilterHeadersStatus.StopIteration;
    }
    return FilterHeadersStatus.Continue;
  }

  onRequestBody(bodySize: i32, endOfStream: bool): FilterDataStatus {
    if (!this.inspecting || this.decided) return FilterDataStatus.Continue;
    const config = this.guardRoot.config;
    const engine = this.guardRoot.engine;
    if (config === null || engine === null) return FilterDataStatus.StopIterationAndBuffer;
    if (bodySize > config.limits.maxBodyBytes) {
      this.decided = true;
      return this.apply(config, this.tooLarge(config, engine)) ? FilterDataStatus.StopIterationAndBuffer : FilterDataStatus.Continue;
    }
    if (!endOfStream) return FilterDataStatus.StopIterationAndBuffer;
    return this.decideBody(config, engine) ? FilterDataStatus.StopIterationAndBuffer : FilterDataStatus.Continue;
  }

  onRequestTrailers(numTrailers: i32): FilterTrailersStatus {
    if (!this.inspecting || this.decided) return FilterTrailersStatus.Continue;
    const config = this.guardRoot.config;
    const engine = this.guardRoot.engine;
    if (config === null || engine === null) return FilterTrailersStatus.StopIteration;
    // The request ended with trailers, so no body callback saw end_of_stream: decide now, on what was buffered.
    return this.decideBody(config, engine) ? FilterTrailersStatus.StopIteration : FilterTrailersStatus.Continue;
  }

  private accessOr(config: GuardConfig): AccessPolicy {
    const access = this.access;
    return access !== null ? access : config.defaults;
  }

  // Fills what the request headers tell the audit record (Envoy allows reading them only now).
  private startAudit(method: string | null, identity: Identity): void {
    const audit = this.audit;
    audit.startMillis = <i64>(getCurrentTimeNanoseconds() / 1000000);
    const requestId = getHeaderMapValue(MapType.HttpRequestHeaders, "x-request-id");
    if (requestId !== null) audit.requestId = requestId;
    if (method !== null) audit.httpMethod = method;
    const path = getHeaderMapValue(MapType.HttpRequestHeaders, ":path");
    if (path !== null) {
      // Without the query: the legacy transport puts the session id there.
      const query = path.indexOf("?");
      audit.path = query >= 0 ? path.substring(0, query) : path;
    }
    audit.user = identity.user;
    audit.identitySource = identity.source;
    audit.principal = identity.principal;
    audit.workload = this.guardRoot.workload();
    audit.namespace = this.guardRoot.namespace();
    audit.protocolVersion = this.requestHeaders.protocolVersion;
    audit.setSession(getHeaderMapValue(MapType.HttpRequestHeaders, "mcp-session-id"));
  }

  onLog(): void {
    // The client went away while the approval service was still deciding: the call never reached the server.
    if (this.awaitingApproval !== null) {
      this.awaitingApproval = null;
      this.guardRoot.metrics.approval(APPROVAL_ABANDONED);
      this.audit.reason = APPROVAL_ABANDONED;
    }
    const config = this.guardRoot.config;
    const level = config !== null ? config.auditLogLevel : <i32>LogLevel.Warn;
    log(<LogLevel>level, this.audit.toLine(<i64>(getCurrentTimeNanoseconds() / 1000000)));
  }

  onResponseHeaders(numHeaders: i32, endOfStream: bool): FilterHeadersStatus {
    const config = this.guardRoot.config;
    const messages = this.guardRoot.serverMessages;
    if (!this.replied) {
      const status = getHeaderMapValue(MapType.HttpResponseHeaders, ":status");
      const code = parseContentLength(status); // a plain decimal, -1 otherwise
      if (code >= 0 && code < 1000) this.audit.status = <i32>code;
    }
    if (this.replied || endOfStream || config === null || messages === null) return FilterHeadersStatus.Continue;
    const framing = framingOf(getHeaderMapValue(MapType.HttpResponseHeaders, "content-type"));
    if (framing == Framing.None) return FilterHeadersStatus.Continue;
    // These headers reach the client before the body is seen, and the body may change size.
    removeHeaderMapValue(MapType.HttpResponseHeaders, "content-length");
    const rewriter = new ResponseRewriter(config, messages, this.guardRoot.metrics, this.guardRoot.pins, this.audit, this.guardRoot.hints,
      this.accessOr(config));
    rewriter.framing = framing;
    this.response = rewriter;
    return FilterHeadersStatus.Continue;
  }

  onResponseBody(bodySize: i32, endOfStream: bool): FilterDataStatus {
    const rewriter = this.response;
    // A buffered (JSON) body reports its whole buffered size each time; a streamed one, each chunk.
    if (rewriter !== null && rewriter.framing == Framing.Json) {
      if (bodySize > this.audit.bytesOut) this.audit.bytesOut = bodySize;
    } else {
      this.audit.bytesOut += bodySize;
    }
    if (rewriter === null) return FilterDataStatus.Continue;
    if (rewriter.framing == Framing.Json) {
      return rewriter.onJsonBody(bodySize, endOfStream) ? FilterDataStatus.StopIterationAndBuffer : FilterDataStatus.Continue;
    }
    rewriter.onEventStreamChunk(bodySize, endOfStream);
    return FilterDataStatus.Continue;
  }

  onResponseTrailers(numTrailers: i32): FilterTrailersStatus {
    const rewriter = this.response;
    if (rewriter === null) return FilterTrailersStatus.Continue;
    if (rewriter.framing == Framing.Json) rewriter.finishJson();
    else rewriter.onEventStreamChunk(0, true);
    return FilterTrailersStatus.Continue;
  }

  // Reads the whole buffered body and decides. Returns true when the request was refused.
  private decideBody(config: GuardConfig, engine: RequestEngine): bool {
    this.decided = true;
    const startNanos = getCurrentTimeNanoseconds();
    const limit = config.limits.maxBodyBytes;
    // Ask for one byte more than the limit: the host clamps to what is buffered, and an over-long body shows.
    const body = getBufferBytes(BufferType.HttpRequestBody, 0, limit + 1);
    const len = body === null ? 0 : body.byteLength;
    if (len > limit) return this.apply(config, this.tooLarge(config, engine));
    const ptr: usize = body === null ? <usize>0 : changetype<usize>(body);
    const decision = engine.decide(ptr, len, this.requestHeaders, this.access);
    this.audit.bytesIn = len;
    this.audit.destructive = decision.destructive;
    if (decision.argumentsStart >= 0) this.audit.setArguments(ptr, decision.argumentsStart, decision.argumentsEnd);
    const nowSeconds = <i64>(startNanos / 1000000000);
    const approval = checkApproval(config, decision, this.requestHeaders.protocolVersion, this.approvalToken, this.identity.user, ptr, nowSeconds);
    this.recordDecisionTime(startNanos);
    if (approval.reason.length > 0) this.guardRoot.metrics.approval(approval.reason);
    if (approval.askWebhook && config.mode == Mode.Enforce) return this.askApprovalService(config, decision);
    const approvalRefusal = approval.refusal;
    const refused = this.apply(config, approvalRefusal !== null ? approvalRefusal : decision);
    if (approval.auditDecision.length > 0 && (approvalRefusal === null || config.mode == Mode.Enforce)) {
      this.audit.decision = approval.auditDecision;
      this.audit.reason = approval.reason;
    }
    if (!refused && this.holding) this.addDerivedHeaders(decision);
    return refused;
  }

  // The module's own time for the body decision (reading the body, parsing, deciding, checking an approval
  // token), in microseconds; a wait for the approval service is not part of it. The clock is wall time, so a
  // step backwards records 0.
  private recordDecisionTime(startNanos: u64): void {
    const now = getCurrentTimeNanoseconds();
    this.guardRoot.metrics.recordDecisionTime(now > startNanos ? (now - startNanos) / 1000 : 0);
  }

  // Webhook mode: the request stays paused in the body phase while the approval service decides (its answer
  // arrives at the root context, which calls resumeAfterApproval). Returns true: the caller keeps the stream
  // stopped, whether the question went out or the refusal did.
  private askApprovalService(config: GuardConfig, decision: Decision): bool {
    const webhook = config.approval.webhook;
    const w = logWriter;
    w.reset();
    w.beginObject();
    w.key("tool");
    w.string(decision.tool);
    w.key("user");
    const user = this.identity.user;
    if (user !== null) w.string(user);
    else w.null();
    w.key("principal");
    const principal = this.identity.principal;
    if (principal !== null) w.string(principal);
    else w.null();
    if (this.audit.argumentsSha256.length > 0) {
      w.key("arguments_sha256");
      w.string(this.audit.argumentsSha256);
    }
    const id = decision.id;
    if (id !== null) {
      w.key("jsonrpc_id");
      w.raw(id);
    }
    if (this.audit.requestId.length > 0) {
      w.key("request_id");
      w.string(this.audit.requestId);
    }
    w.endObject();
    const headers = new Array<HeaderPair>();
    headers.push(new HeaderPair(":method", "POST"));
    headers.push(new HeaderPair(":path", webhook.path));
    headers.push(new HeaderPair(":authority", webhook.authority.length > 0 ? webhook.authority : webhook.cluster));
    headers.push(new HeaderPair("content-type", "application/json"));
    const call = httpCall(webhook.cluster, headers, w.toArrayBuffer(), new Array<HeaderPair>(), <u32>webhook.timeoutMs);
    if (call.result != WasmResult.Ok) {
      // Fail closed: no approval service, no destructive call.
      this.finishApproval(config, decision, false, utf8("approval_webhook_unavailable"));
      return true;
    }
    this.awaitingApproval = decision.copy(); // the engine reuses its Decision for the next request
    this.guardRoot.awaitApproval(call.token, this.contextId);
    // What the audit record says if the stream ends before the answer (finishApproval rewrites it).
    this.noteDecision(config, decision);
    this.audit.decision = utf8("approval_pending");
    this.audit.reason = utf8("approval_webhook_pending");
    return true;
  }

  // The approval service answered (or failed): let the paused request go on, or refuse it.
  resumeAfterApproval(approved: bool, reason: string): void {
    const config = this.guardRoot.config;
    const decision = this.awaitingApproval;
    if (config === null || decision === null) return;
    this.awaitingApproval = null;
    this.finishApproval(config, decision, approved, reason);
    if (approved) continueStream(StreamType.Request);
  }

  private finishApproval(config: GuardConfig, decision: Decision, approved: bool, reason: string): void {
    this.guardRoot.metrics.approval(reason);
    this.audit.decision = "";
    if (approved) {
      this.apply(config, decision);
      if (this.holding) this.addDerivedHeaders(decision);
      this.audit.decision = TOKEN_VALID; // "approval_granted", as for a valid token
    } else {
      this.apply(config, approvalRefusal(config, decision, this.requestHeaders.protocolVersion, reason, utf8("the approval service did not approve it (") + reason + ")"));
      this.audit.decision = AUDIT_APPROVAL_DENIED;
    }
    this.audit.reason = reason;
  }

  // Hold mode: the headers have not gone upstream yet, so what the body said can still be added to them.
  private addDerivedHeaders(decision: Decision): void {
    const method = decision.isBatch ? "batch" : decision.method;
    if (method.length > 0) replaceHeaderMapValue(MapType.HttpRequestHeaders, HEADER_METHOD, headerSafe(method));
    if (decision.isBatch) {
      if (decision.destructive) replaceHeaderMapValue(MapType.HttpRequestHeaders, HEADER_DESTRUCTIVE, "true");
      return;
    }
    if (decision.tool.length > 0) replaceHeaderMapValue(MapType.HttpRequestHeaders, HEADER_TOOL, headerSafe(decision.tool));
    if (decision.resource.length > 0) replaceHeaderMapValue(MapType.HttpRequestHeaders, HEADER_RESOURCE_URI, headerSafe(decision.resource));
    if (decision.prompt.length > 0) replaceHeaderMapValue(MapType.HttpRequestHeaders, HEADER_PROMPT, headerSafe(decision.prompt));
    if (decision.destructive) replaceHeaderMapValue(MapType.HttpRequestHeaders, HEADER_DESTRUCTIVE, "true");
  }

  private tooLarge(config: GuardConfig, engine: RequestEngine): Decision {
    return engine.refuse(413, INVALID_REQUEST, utf8("Request body exceeds the ") + decimal(config.limits.maxBodyBytes) + " byte limit", R.REASON_BODY_TOO_LARGE);
  }

  // Counts, logs and (in enforce mode) carries out a decision. Returns true when a local reply was sent.
  private apply(config: GuardConfig, decision: Decision): bool {
    this.noteDecision(config, decision);
    const enforce = config.mode == Mode.Enforce;
    this.countDecision(decision, enforce);
    if (decision.allow) {
      // Allowed requests are the hot path: format the line only when debug logging is on.
      if (logEnabled(LogLevel.Debug)) log(LogLevel.Debug, decisionLogLine(logWriter, decision, config.mode, enforce));
      return false;
    }
    log(LogLevel.Info, decisionLogLine(logWriter, decision, config.mode, enforce));
    if (!enforce) return false;
    this.replied = true;
    const body = decision.reply;
    this.reply(<u32>decision.httpStatus, utf8("mcp_guard_") + decision.reason, body !== null ? body : new ArrayBuffer(0));
    return true;
  }

  // One decision per stream is counted, the first: the one its audit record reports (a stream refused at the
  // headers in audit mode goes on to a body decision, which is logged but not counted again).
  private countDecision(decision: Decision, enforce: bool): void {
    if (this.counted) return;
    this.counted = true;
    const metrics = this.guardRoot.metrics;
    const outcome = decision.allow ? L.DECISION_ALLOW : enforce ? L.DECISION_DENY : L.DECISION_WOULD_DENY;
    metrics.requests.add(L.methodClass(decision.method, decision.isBatch, decision.allow), outcome, 1);
    const batchTools = decision.batchTools;
    if (batchTools !== null) {
      // A batch is one request of class batch, but each of its tool calls counts under its own tool, so calls
      // cannot hide in batches. They share the batch's outcome: one refused element refuses them all, and an
      // `allow` stays what it means for a single call, forwarded to the server.
      for (let i = 0; i < batchTools.length; i++) metrics.toolCalls.add(metrics.toolLabel(batchTools[i]), outcome, 1);
    } else if (!decision.isBatch && decision.method == "tools/call") {
      metrics.toolCalls.add(metrics.toolLabel(decision.tool), outcome, 1);
    }
    if (!decision.allow) metrics.errors.add(L.ERROR_KINDS.indexOf(decision.reason), 0, 1);
  }

  // The first refusal (or would-be refusal) of a stream is the one its audit record reports.
  private noteDecision(config: GuardConfig, decision: Decision): void {
    const audit = this.audit;
    if (audit.decision.length > 0 && audit.decision != "allow") return;
    audit.decision = decision.allow ? "allow" : config.mode == Mode.Enforce ? "deny" : "would_deny";
    audit.reason = decision.reason;
    audit.rpcCode = decision.rpcCode;
    if (decision.method.length > 0) audit.method = decision.method;
    audit.tool = decision.tool;
    audit.resource = decision.resource;
    audit.prompt = decision.prompt;
    audit.jsonrpcId = decision.id;
    if (decision.isBatch) {
      audit.batchSize = decision.messageCount;
      audit.batchTools = decision.batchTools;
    }
    if (!decision.allow && config.mode == Mode.Enforce) {
      audit.status = decision.httpStatus;
      audit.localReply = true;
    }
  }

  private reply(status: u32, details: string, body: ArrayBuffer): void {
    const headers = new Array<HeaderPair>();
    headers.push(new HeaderPair("content-type", "application/json"));
    sendLocalResponse(status, details, body, headers);
  }
}

function notConfiguredBody(): ArrayBuffer {
  return String.UTF8.encode(utf8("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":") + decimal(INTERNAL_ERROR) + utf8(",\"message\":\"mcp-guard is not configured\"}}"));
}
