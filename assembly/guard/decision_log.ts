// One JSON line per decision, so a SIEM can parse it without guessing. Carries the method and tool name (never
// tool arguments), the outcome, the reason and the reply status.
import { utf8 } from "../abi/text";
import { JsonWriter } from "../json/writer";
import { Mode } from "../policy/config";
import { Decision } from "./decision";

export function decisionLogLine(writer: JsonWriter, decision: Decision, mode: Mode, enforced: bool): string {
  writer.reset();
  writer.beginObject();
  writer.key("event");
  writer.string(utf8("mcp_guard.decision"));
  writer.key("mode");
  writer.string(mode == Mode.Enforce ? "enforce" : "audit");
  writer.key("decision");
  writer.string(decision.allow ? "allow" : enforced ? "deny" : "would_deny");
  writer.key("reason");
  writer.string(decision.reason);
  if (decision.method.length > 0) {
    writer.key("method");
    writer.string(decision.method);
  }
  if (decision.tool.length > 0) {
    writer.key("tool");
    writer.string(decision.tool);
  }
  if (decision.prompt.length > 0) {
    writer.key("prompt");
    writer.string(decision.prompt);
  }
  if (decision.resource.length > 0) {
    writer.key("resource_uri");
    writer.string(decision.resource);
  }
  if (decision.isBatch) {
    writer.key("batch_size");
    writer.integer(decision.messageCount);
  }
  if (!decision.allow) {
    writer.key(utf8("http_status")); // refusals only, like the keys below
    writer.integer(decision.httpStatus);
    writer.key("rpc_code");
    writer.integer(decision.rpcCode);
    writer.key("detail");
    writer.string(decision.detail);
  }
  writer.endObject();
  return writer.toString();
}
