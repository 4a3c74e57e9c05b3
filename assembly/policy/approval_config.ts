// Human approval for destructive tools (seed 004 §4.A: tools whose names start with delete, update or execute
// "must be flagged … The Gateway must pause execution and request a signed approval from the user").
import { NameList } from "./name_list";

export enum ApprovalMode {
  Off = 0,   // destructive calls are not treated specially
  Flag = 1,  // allowed, marked destructive in the audit record (and a header in hold mode)
  Deny = 2,  // refused with an error that sends the user to approval_url
  Token = 3, // allowed only with a valid approval token (HMAC-SHA256, key from vmConfig.env)
  Webhook = 4, // paused while an approval service (proxy_http_call) decides
}

// The approval service of webhook mode: an Envoy cluster (e.g. "outbound|8080||approver.security.svc.cluster.local")
// that answers a POST with a summary of the call by 200 {"approved": true} to let it through.
export class WebhookConfig {
  cluster: string = "";
  authority: string = "";
  path: string = "/approve";
  timeoutMs: i32 = 5000;
}

export class ApprovalConfig {
  mode: ApprovalMode = ApprovalMode.Flag;
  patterns: NameList = defaultPatterns();
  // Also treat a tool as destructive when the server's tools/list said so, or gave no hint (MCP default).
  useAnnotations: bool = true;
  approvalUrl: string = "";
  tokenHeader: string = "x-mcp-approval";
  keyEnv: string = "MCP_GUARD_APPROVAL_KEY";
  // The key itself, read from the VM environment at configure time (token mode).
  key: ArrayBuffer | null = null;
  webhook: WebhookConfig = new WebhookConfig();
}

export function defaultPatterns(): NameList {
  const list = new NameList();
  list.add("delete*");
  list.add("update*");
  list.add("execute*");
  return list;
}
