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
import { getEnvironmentVariable } from "../abi";
import { GuardHttpContext } from "./filter";
import { GuardMetrics } from "./metrics";

export class GuardRootContext extends RootContext {
  config: GuardConfig | null = null;
  engine: RequestEngine | null = null;
  serverMessages: ServerMessageFilter | null = null;
  pins: PinStatus = new PinStatus();
  hints: ToolHints = new ToolHints();
  metrics: GuardMetrics = new GuardMetrics();

  onConfigure(pluginConfigurationSize: i32): bool {
    let ptr: usize = 0;
    let len: i32 = 0;
    let bytes: ArrayBuffer | null = null;
    if (pluginConfigurationSize > 0) {
      bytes = getBufferBytes(BufferType.PluginConfiguration, 0, pluginConfigurationSize);
      if (bytes === null) {
        log(LogLevel.Error, "mcp-guard: could not read the plugin configuration from the host");
        return false;
      }
      ptr = changetype<usize>(bytes);
      len = bytes.byteLength;
    }
    const result = parseConfig(ptr, len);
    const config = result.config;
    if (config === null) {
      log(LogLevel.Error, "mcp-guard: " + result.error);
      return false;
    }
    for (let i = 0; i < result.warnings.length; i++) log(LogLevel.Warn, "mcp-guard: " + result.warnings[i]);
    this.config = config;
    const approval = config.approval;
    if (approval.mode == ApprovalMode.Token) {
      // The approval key comes from the VM environment (vmConfig.env), never from pluginConfig.
      const key = getEnvironmentVariable(approval.keyEnv);
      if (key === null || key.length < 32) {
        log(LogLevel.Error, "mcp-guard: invalid plugin configuration: field \"approval.mode\": \"token\" needs the approval key in the VM environment variable " + approval.keyEnv + " (vmConfig.env, at least 32 characters), " + (key === null ? "which is not set" : "which is too short"));
        return false;
      }
      approval.key = String.UTF8.encode(key);
    }
    this.pins = new SharedPinStatus(this.rootId);
    this.engine = new RequestEngine(config, this.pins, this.hints);
    this.serverMessages = new ServerMessageFilter(config);
    this.metrics.define();
    log(LogLevel.Info, "mcp-guard: configured root \"" + this.rootId + "\": mode " + (config.mode == Mode.Enforce ? "enforce" : "audit") +
      ", " + config.tools.size.toString() + " tool allowlist entries");
    return true;
  }

  createHttpContext(contextId: u32): HttpContext | null {
    return new GuardHttpContext(contextId, this);
  }
}
