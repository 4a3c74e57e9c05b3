// The plugin's root context: reads and validates the configuration once per plugin, holds what every stream
// shares (the policy, the request engine with its reusable parser, metric ids).
import {
  BufferType, HttpContext, LogLevel, MetricType, RootContext, defineMetric, getBufferBytes, log,
} from "../abi";
import { Mode, parseConfig, GuardConfig } from "../policy/config";
import { ServerMessageFilter } from "../mcp/list_filter";
import { RequestEngine } from "./engine";
import { SharedPinStatus } from "./pin_state";
import { PinStatus } from "../policy/pins";
import { ToolHints } from "../policy/tool_hints";
import { ApprovalMode } from "../policy/approval_config";
import {
  BufferType as Buffers, MapType, getEnvironmentVariable, getHeaderMapValue, getHttpContext, getPropertyString,
  setEffectiveContext,
} from "../abi";
import { JsonDocument, JsonError, JsonType } from "../json";
import { GuardHttpContext } from "./filter";
import { GuardMetrics } from "./metrics";
import { decimal, utf8 } from "../abi/text";

export class GuardRootContext extends RootContext {
  config: GuardConfig | null = null;
  engine: RequestEngine | null = null;
  serverMessages: ServerMessageFilter | null = null;
  pins: PinStatus = new PinStatus();
  hints: ToolHints = new ToolHints();
  // http_call token → the stream waiting for the approval service's answer.
  private pendingApprovals: Map<u32, u32> = new Map<u32, u32>();
  private answerDoc: JsonDocument = new JsonDocument();

  // The proxy's workload and namespace (Istio node metadata) do not change while the VM lives: read once, on the
  // first stream, for every audit record.
  private nodeInfoRead: bool = false;
  private workloadName: string = "";
  private namespaceName: string = "";

  private readNodeInfo(): void {
    if (this.nodeInfoRead) return;
    this.nodeInfoRead = true;
    const workload = getPropertyString(["node", "metadata", utf8("WORKLOAD_NAME")]);
    if (workload !== null) this.workloadName = workload;
    const namespace = getPropertyString(["node", "metadata", utf8("NAMESPACE")]);
    if (namespace !== null) this.namespaceName = namespace;
  }

  workload(): string {
    this.readNodeInfo();
    return this.workloadName;
  }

  namespace(): string {
    this.readNodeInfo();
    return this.namespaceName;
  }

  awaitApproval(token: u32, contextId: u32): void {
    this.pendingApprovals.set(token, contextId);
  }

  // The approval service's answer: 200 with {"approved": true} lets the call through; anything else, a
  // timeout (Envoy reports it as 504) or a failed call (no headers) refuses it.
  onHttpCallResponse(token: u32, numHeaders: i32, bodySize: i32, numTrailers: i32): void {
    if (!this.pendingApprovals.has(token)) return;
    const contextId = this.pendingApprovals.get(token);
    this.pendingApprovals.delete(token);
    const stream = getHttpContext(contextId);
    if (stream === null || !(stream instanceof GuardHttpContext)) return; // the client went away meanwhile
    let approved = false;
    let reason = utf8("approval_webhook_unavailable");
    if (numHeaders > 0) {
      const status = getHeaderMapValue(MapType.HttpCallResponseHeaders, ":status");
      if (status !== null && status == utf8("504")) {
        reason = utf8("approval_webhook_timeout");
      } else if (status !== null && status == utf8("200")) {
        const body = getBufferBytes(Buffers.HttpCallResponseBody, 0, bodySize < 65536 ? bodySize : 65536);
        const doc = this.answerDoc;
        approved = body !== null && doc.parse(changetype<usize>(body), body.byteLength) == JsonError.None &&
          doc.type(doc.get(doc.root(), utf8("approved"))) == JsonType.True;
        reason = approved ? utf8("approval_webhook_approved") : utf8("approval_webhook_denied");
      } else {
        reason = utf8("approval_webhook_denied");
      }
    }
    setEffectiveContext(contextId);
    (stream as GuardHttpContext).resumeAfterApproval(approved, reason);
  }
  metrics: GuardMetrics = new GuardMetrics();

  onConfigure(pluginConfigurationSize: i32): bool {
    let ptr: usize = 0;
    let len: i32 = 0;
    let bytes: ArrayBuffer | null = null;
    if (pluginConfigurationSize > 0) {
      bytes = getBufferBytes(BufferType.PluginConfiguration, 0, pluginConfigurationSize);
      if (bytes === null) {
        log(LogLevel.Error, utf8("mcp-guard: could not read the plugin configuration from the host"));
        return false;
      }
      ptr = changetype<usize>(bytes);
      len = bytes.byteLength;
    }
    const result = parseConfig(ptr, len);
    const config = result.config;
    if (config === null) {
      log(LogLevel.Error, utf8("mcp-guard: ") + result.error);
      return false;
    }
    for (let i = 0; i < result.warnings.length; i++) log(LogLevel.Warn, utf8("mcp-guard: ") + result.warnings[i]);
    this.config = config;
    const approval = config.approval;
    if (approval.mode == ApprovalMode.Token) {
      // The approval key comes from the VM environment (vmConfig.env), never from pluginConfig.
      const key = getEnvironmentVariable(approval.keyEnv);
      if (key === null || key.length < 32) {
        log(LogLevel.Error, utf8("mcp-guard: invalid plugin configuration: field \"approval.mode\": \"token\" needs the approval key in the VM environment variable ") + approval.keyEnv + utf8(" (vmConfig.env, at least 32 characters), ") + (key === null ? utf8("which is not set") : utf8("which is too short")));
        return false;
      }
      approval.key = String.UTF8.encode(key);
    }
    this.pins = new SharedPinStatus(this.rootId);
    this.engine = new RequestEngine(config, this.pins, this.hints);
    this.serverMessages = new ServerMessageFilter(config);
    this.metrics.define(config);
    log(LogLevel.Info, utf8("mcp-guard: configured root \"") + this.rootId + utf8("\": mode ") + (config.mode == Mode.Enforce ? "enforce" : "audit") +
      ", " + decimal(config.tools.size) + utf8(" tool allowlist entries"));
    return true;
  }

  createHttpContext(contextId: u32): HttpContext | null {
    return new GuardHttpContext(contextId, this);
  }
}
