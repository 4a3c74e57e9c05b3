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
import { GuardHttpContext } from "./filter";
import { GuardMetrics } from "./metrics";

export class GuardRootContext extends RootContext {
  config: GuardConfig | null = null;
  engine: RequestEngine | null = null;
  serverMessages: ServerMessageFilter | null = null;
  pins: PinStatus = new PinStatus();
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
    this.pins = new SharedPinStatus(this.rootId);
    this.engine = new RequestEngine(config, this.pins);
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
