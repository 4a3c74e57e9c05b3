// Every JSON-RPC method defined by the five MCP protocol versions (2024-11-05, 2025-03-26, 2025-06-18,
// 2025-11-25, 2026-07-28), taken from the official schemas in shared/mcp-schema. The method policy allows
// these by default and denies anything else in enforce mode, so a server-specific or future method has to be
// allowed on purpose.
import { NameList } from "./name_list";
import { lines, utf8 } from "../abi/text";

// The lists are read once, when the module starts, so they are stored as UTF-8 texts of one name per line (utf8,
// assembly/abi/text.ts): a fraction of the bytes of one string literal per name.

// Methods only clients send.
function clientMethods(): string {
  return utf8(`
initialize
server/discover
completion/complete
logging/setLevel
tools/list
tools/call
prompts/list
prompts/get
resources/list
resources/templates/list
resources/read
resources/subscribe
resources/unsubscribe
subscriptions/listen
notifications/initialized
notifications/roots/list_changed
`);
}

// What a server may send to the client on its own (requests and notifications), across the five versions. Clients
// may send them too.
function serverMethods(): string {
  return utf8(`
ping
sampling/createMessage
elicitation/create
roots/list
tasks/get
tasks/list
tasks/result
tasks/cancel
notifications/cancelled
notifications/progress
notifications/message
notifications/tools/list_changed
notifications/prompts/list_changed
notifications/resources/list_changed
notifications/resources/updated
notifications/elicitation/complete
notifications/tasks/status
notifications/subscriptions/acknowledged
`);
}

function namesOf(list: Array<string>): NameList {
  const names = new NameList();
  for (let i = 0; i < list.length; i++) names.add(list[i]);
  return names;
}

// Every standard method, decoded once when the module starts: the request path looks methods up by their
// index in this array (guard/engine.ts, mcp/message.ts).
export const STANDARD_METHODS: Array<string> = lines(serverMethods(), lines(clientMethods()));
const STANDARD_SERVER_METHODS: Array<string> = lines(serverMethods());

// Decides whether a method may pass: standard or explicitly allowed, and not explicitly denied. One policy for
// what clients send (`methods`), one for what servers send on their own (`server_methods`).
export class MethodPolicy {
  allow: NameList = new NameList();
  deny: NameList = new NameList();

  constructor(public standard: NameList = namesOf(STANDARD_METHODS)) {}

  static forServer(): MethodPolicy {
    return new MethodPolicy(namesOf(STANDARD_SERVER_METHODS));
  }

  permits(method: string): bool {
    if (this.deny.matches(method)) return false;
    return this.standard.matches(method) || this.allow.matches(method);
  }
}
