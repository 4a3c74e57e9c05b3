// The plugin configuration (Istio WasmPlugin `pluginConfig`, handed to the module as a JSON string).
// Parsing is strict: an unknown field, a wrong type or an out-of-range value rejects the whole configuration
// with one message naming the field, what was expected and what was found, so a typo such as
// "tool_alowlist" can never silently turn into "no tools allowed" or "everything allowed".
import { JsonDocument, JsonError, JsonLimits, JsonType, jsonErrorMessage, jsonQuote } from "../json";
import { MethodPolicy } from "./methods";
import { NameList } from "./name_list";
import { UriPrefixes, checkResourceUri } from "./resource_uri";
import { isDigest } from "./pins";
import { IdentityConfig, IdentitySource } from "./identity_config";
import { ApprovalConfig, ApprovalMode, WebhookConfig } from "./approval_config";
import { AccessPolicy, AccessRule } from "./access";
import { decimal, lines, utf8 } from "../abi/text";

export enum Mode { Enforce = 0, Audit = 1 }

export const DEFAULT_MAX_BODY_BYTES: i32 = 1 << 20; // Envoy's default per_connection_buffer_limit_bytes
export const MAX_MAX_BODY_BYTES: i32 = 64 << 20;
export const DEFAULT_MAX_JSON_DEPTH: i32 = 64;
export const MAX_MAX_JSON_DEPTH: i32 = 1000;
export const DEFAULT_MAX_BATCH_SIZE: i32 = 100;
export const MAX_MAX_BATCH_SIZE: i32 = 10000;
const MAX_CONFIG_BYTES: i32 = 16 << 20;

export class Limits {
  maxBodyBytes: i32 = DEFAULT_MAX_BODY_BYTES;
  maxJsonDepth: i32 = DEFAULT_MAX_JSON_DEPTH;
  maxBatchSize: i32 = DEFAULT_MAX_BATCH_SIZE;
}

export class GuardConfig {
  mode: Mode = Mode.Enforce;
  tools: NameList = new NameList();
  toolAllowlistGiven: bool = false;
  denyStatus: i32 = 200;
  limits: Limits = new Limits();
  methods: MethodPolicy = new MethodPolicy();
  // null: every prompt allowed (no prompt_allowlist given).
  prompts: NameList | null = null;
  resourcePrefixes: UriPrefixes = new UriPrefixes();
  serverMethods: MethodPolicy = MethodPolicy.forServer();
  // Hold mode: pause on request headers and add body-derived headers before they go upstream. Needs Envoy's
  // allow_on_headers_stop_iteration (Envoy >= 1.35), or requests stall.
  holdRequestHeaders: bool = false;
  // Tool name → "sha256:<hex>" of its canonical description and input schema.
  toolPins: Map<string, string> = new Map<string, string>();
  identity: IdentityConfig = new IdentityConfig();
  // Audit records go out through proxy_log at this level (Istio sidecars drop wasm logs below warning by default).
  auditLogLevel: i32 = 3;
  approval: ApprovalConfig = new ApprovalConfig();
  // Per-identity rules, first match wins; callers no rule matches get `defaults`.
  rules: Array<AccessRule> = new Array<AccessRule>();
  defaults: AccessPolicy = new AccessPolicy(utf8("default"), new NameList(), null, new UriPrefixes());
}

export class ConfigResult {
  config: GuardConfig | null = null;
  error: string = "";
  warnings: Array<string> = new Array<string>();
}

// The fields each object accepts, for error messages. Functions rather than constants: a module-level string
// would be decoded from the UTF-8 table (utf8, assembly/abi/text.ts) at every VM start, used or not.
function topLevelFields(): string { return utf8("mode, tool_allowlist, prompt_allowlist, resources, server_methods, deny_status, limits, methods, hold_request_headers, tool_pins, identity, audit, approval, rules"); }
function ruleFields(): string { return utf8("name, match, tool_allowlist, prompt_allowlist, resources"); }
function matchFields(): string { return utf8("principals, users, claims"); }
function approvalFields(): string { return utf8("mode, destructive_patterns, use_annotations, approval_url, token_header, key_env, webhook"); }
function webhookFields(): string { return utf8("cluster, authority, path, timeout_ms"); }
function auditFields(): string { return utf8("log_level"); }
function identityFields(): string { return utf8("sources, jwt_claim, jwt_metadata_key, user_header, peer_header, require, missing_status"); }
function resourceFields(): string { return utf8("allowed_prefixes"); }
function limitFields(): string { return utf8("max_body_bytes, max_json_depth, max_batch_size"); }
function methodFields(): string { return utf8("allow, deny"); }

function fail(result: ConfigResult, message: string): ConfigResult {
  result.config = null;
  result.error = utf8("invalid plugin configuration: ") + message;
  return result;
}

function typeName(doc: JsonDocument, node: i32): string {
  const t = <i32>doc.type(node);
  // One name per JsonType from Null (0) to Object (6).
  return t >= 0 && t <= 6 ? lines(utf8("null\na boolean\na boolean\na number\na string\nan array\nan object"))[t] : utf8("nothing");
}

function fieldError(field: string, message: string): string {
  return utf8("field \"") + field + utf8("\": ") + message;
}

// The index of the node's string among `choices` (one per line, in the order of the enum they stand for), or -1.
function choiceOf(doc: JsonDocument, node: i32, choices: string): i32 {
  const words = lines(choices);
  for (let i = 0; i < words.length; i++) {
    if (doc.stringEquals(node, words[i])) return i;
  }
  return -1;
}

// The error for a field that must be an object: names the fields it accepts and what was found instead.
function notAnObject(doc: JsonDocument, node: i32, field: string, fields: string): string {
  return fieldError(field, utf8("expected an object with ") + fields + utf8(", got ") + typeName(doc, node));
}

function notABoolean(doc: JsonDocument, node: i32, field: string): string {
  return fieldError(field, utf8("expected true or false, got ") + describe(doc, node));
}

// Reads an array of non-empty strings into `list`; returns "" or an error message.
function readNameArray(doc: JsonDocument, node: i32, field: string, list: NameList): string {
  if (doc.type(node) != JsonType.Array) {
    return fieldError(field, utf8("expected an array of names, e.g. [\"search_code\", \"get_*\"], got ") + typeName(doc, node));
  }
  // The array's text bounds its names' bytes (an escape's text is longer than what it stands for).
  list.reserve(doc.length(node), doc.end(node) - doc.start(node));
  let index = 0;
  for (let item = doc.firstChild(node); item >= 0; item = doc.nextSibling(item)) {
    if (doc.type(item) != JsonType.String) {
      return fieldError(field + "[" + decimal(index) + "]", utf8("expected a string, got ") + typeName(doc, item));
    }
    const n = doc.contentLength(item);
    if (n == 0) {
      return fieldError(field + "[" + decimal(index) + "]", utf8("expected a non-empty name, got \"\""));
    }
    // An unescaped name goes in as its bytes (no string per name: VM start with 10,000 names); an escaped one
    // is decoded first (its text is not its bytes).
    if (!doc.hasEscapes(item)) {
      list.addUtf8(doc.contentAddress(item), n);
    } else {
      const name = doc.getString(item);
      if (name !== null) list.add(name);
    }
    index++;
  }
  return "";
}

function readInteger(doc: JsonDocument, node: i32, field: string, min: i32, max: i32, out: StaticArray<i32>): string {
  const integer = doc.isInteger(node);
  const value = integer ? doc.getNumber(node) : 0;
  if (!integer || value < <f64>min || value > <f64>max) {
    return fieldError(field, utf8("expected an integer from ") + decimal(min) + utf8(" to ") + decimal(max) + utf8(", got ") + (integer ? decimal((<i64>value)) : typeName(doc, node)));
  }
  out[0] = <i32>value;
  return "";
}

function readLimits(doc: JsonDocument, node: i32, limits: Limits): string {
  if (doc.type(node) != JsonType.Object) return notAnObject(doc, node, utf8("limits"), limitFields());
  const out = new StaticArray<i32>(1);
  for (let key = doc.firstChild(node); key >= 0; key = doc.nextSibling(key)) {
    const value = doc.keyValue(key);
    let error = "";
    if (doc.stringEquals(key, utf8("max_body_bytes"))) {
      error = readInteger(doc, value, utf8("limits.max_body_bytes"), 1, MAX_MAX_BODY_BYTES, out);
      if (error.length == 0) limits.maxBodyBytes = out[0];
    } else if (doc.stringEquals(key, utf8("max_json_depth"))) {
      error = readInteger(doc, value, utf8("limits.max_json_depth"), 2, MAX_MAX_JSON_DEPTH, out);
      if (error.length == 0) limits.maxJsonDepth = out[0];
    } else if (doc.stringEquals(key, utf8("max_batch_size"))) {
      error = readInteger(doc, value, utf8("limits.max_batch_size"), 1, MAX_MAX_BATCH_SIZE, out);
      if (error.length == 0) limits.maxBatchSize = out[0];
    } else {
      error = unknownField(doc, key, utf8("limits."), limitFields());
    }
    if (error.length > 0) return error;
  }
  return "";
}

function readMethods(doc: JsonDocument, node: i32, field: string, methods: MethodPolicy): string {
  if (doc.type(node) != JsonType.Object) return notAnObject(doc, node, field, methodFields());
  for (let key = doc.firstChild(node); key >= 0; key = doc.nextSibling(key)) {
    const value = doc.keyValue(key);
    let error = "";
    if (doc.stringEquals(key, utf8("allow"))) error = readNameArray(doc, value, field + utf8(".allow"), methods.allow);
    else if (doc.stringEquals(key, utf8("deny"))) error = readNameArray(doc, value, field + utf8(".deny"), methods.deny);
    else error = unknownField(doc, key, field + ".", methodFields());
    if (error.length > 0) return error;
  }
  return "";
}

function readResources(doc: JsonDocument, node: i32, prefixes: UriPrefixes): string {
  if (doc.type(node) != JsonType.Object) return notAnObject(doc, node, utf8("resources"), resourceFields());
  for (let key = doc.firstChild(node); key >= 0; key = doc.nextSibling(key)) {
    const value = doc.keyValue(key);
    if (!doc.stringEquals(key, utf8("allowed_prefixes"))) return unknownField(doc, key, utf8("resources."), resourceFields());
    if (doc.type(value) != JsonType.Array) {
      return utf8("field \"resources.allowed_prefixes\": expected an array of URI prefixes, e.g. [\"mcp://logs/\"], got ") + typeName(doc, value);
    }
    let index = 0;
    for (let item = doc.firstChild(value); item >= 0; item = doc.nextSibling(item)) {
      const field = utf8("resources.allowed_prefixes[") + decimal(index) + "]";
      const prefix = doc.getString(item);
      if (prefix === null || prefix.length == 0) return fieldError(field, utf8("expected a non-empty URI prefix, got ") + describe(doc, item));
      // Prefixes are compared with normalised URIs, so they are normalised (and checked) the same way.
      const verdict = checkResourceUri(prefix);
      if (!verdict.ok) return fieldError(field, jsonQuote(prefix) + utf8(" contains ") + verdict.reason);
      prefixes.prefixes.push(verdict.normalised);
      index++;
    }
  }
  return "";
}

// A lower-case HTTP header name (RFC 9110 token characters), not a pseudo-header.
function isHeaderName(name: string): bool {
  if (name.length == 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 45 || c == 95 || c == 46 || c == 33 || c == 35 ||
      c == 36 || c == 37 || c == 38 || c == 39 || c == 42 || c == 43 || c == 94 || c == 96 || c == 124 || c == 126;
    if (!ok) return false;
  }
  return true;
}

function readIdentity(doc: JsonDocument, node: i32, identity: IdentityConfig): string {
  if (doc.type(node) != JsonType.Object) return notAnObject(doc, node, utf8("identity"), identityFields());
  for (let key = doc.firstChild(node); key >= 0; key = doc.nextSibling(key)) {
    const value = doc.keyValue(key);
    if (doc.stringEquals(key, utf8("sources"))) {
      if (doc.type(value) != JsonType.Array || doc.length(value) == 0) return utf8("field \"identity.sources\": expected a non-empty array of \"jwt\" and \"peer\", got ") + describe(doc, value);
      const sources = new Array<IdentitySource>();
      for (let item = doc.firstChild(value); item >= 0; item = doc.nextSibling(item)) {
        const source = choiceOf(doc, item, utf8("jwt\npeer")); // IdentitySource's order
        if (source >= 0) sources.push(<IdentitySource>source);
        else return utf8("field \"identity.sources\": expected \"jwt\" or \"peer\", got ") + describe(doc, item);
      }
      identity.sources = sources;
    } else if (doc.stringEquals(key, utf8("jwt_claim")) || doc.stringEquals(key, utf8("jwt_metadata_key"))) {
      const text = doc.getString(value);
      const claim = doc.stringEquals(key, utf8("jwt_claim"));
      if (text === null || text.length == 0) return fieldError(utf8("identity.") + (claim ? utf8("jwt_claim") : utf8("jwt_metadata_key")), utf8("expected a non-empty string such as \"") + (claim ? "sub" : utf8("payload")) + utf8("\", got ") + describe(doc, value));
      if (claim) identity.jwtClaim = text;
      else identity.jwtMetadataKey = text;
    } else if (doc.stringEquals(key, utf8("user_header")) || doc.stringEquals(key, utf8("peer_header"))) {
      const text = doc.getString(value);
      const user = doc.stringEquals(key, utf8("user_header"));
      if (text === null || !isHeaderName(text)) return fieldError(utf8("identity.") + (user ? utf8("user_header") : utf8("peer_header")), utf8("expected a lower-case header name such as \"x-user-identity\", got ") + describe(doc, value));
      if (user) identity.userHeader = text;
      else identity.peerHeader = text;
    } else if (doc.stringEquals(key, utf8("require"))) {
      const t = doc.type(value);
      if (t != JsonType.True && t != JsonType.False) return notABoolean(doc, value, utf8("identity.require"));
      identity.require = t == JsonType.True;
    } else if (doc.stringEquals(key, utf8("missing_status"))) {
      const out = new StaticArray<i32>(1);
      const error = readInteger(doc, value, utf8("identity.missing_status"), 100, 599, out);
      if (error.length > 0) return error;
      if (out[0] != 401 && out[0] != 403) return utf8("field \"identity.missing_status\": expected 401 or 403, got ") + decimal(out[0]);
      identity.missingStatus = out[0];
    } else {
      return unknownField(doc, key, utf8("identity."), identityFields());
    }
  }
  if (identity.userHeader == identity.peerHeader) return utf8("field \"identity.peer_header\": must differ from identity.user_header (both are ") + jsonQuote(identity.userHeader) + ")";
  return "";
}

function readRules(doc: JsonDocument, node: i32, config: GuardConfig): string {
  if (doc.type(node) != JsonType.Array) return utf8("field \"rules\": expected an array of rules, each with ") + ruleFields() + utf8(", got ") + typeName(doc, node);
  const names = new Set<string>();
  let index = 0;
  for (let item = doc.firstChild(node); item >= 0; item = doc.nextSibling(item)) {
    const at = utf8("rules[") + decimal(index) + "]";
    if (doc.type(item) != JsonType.Object) return notAnObject(doc, item, at, ruleFields());
    const name = doc.getString(doc.get(item, utf8("name")));
    if (name === null || name.length == 0) return fieldError(at + utf8(".name"), utf8("expected a non-empty name (it is written into audit records)"));
    if (names.has(name) || name == utf8("default")) return fieldError(at + utf8(".name"), jsonQuote(name) + utf8(" is used twice (\"default\" names the workload's own policy)"));
    names.add(name);
    const defaults = config.defaults;
    const rule = new AccessRule(new AccessPolicy(name, defaults.tools, defaults.prompts, defaults.resourcePrefixes));
    let hasMatch = false;
    for (let key = doc.firstChild(item); key >= 0; key = doc.nextSibling(key)) {
      const value = doc.keyValue(key);
      let error = "";
      if (doc.stringEquals(key, utf8("name"))) {
        continue;
      } else if (doc.stringEquals(key, utf8("match"))) {
        hasMatch = true;
        error = readRuleMatch(doc, value, at + utf8(".match"), rule);
      } else if (doc.stringEquals(key, utf8("tool_allowlist"))) {
        const tools = new NameList();
        error = readNameArray(doc, value, at + utf8(".tool_allowlist"), tools);
        rule.access.tools = tools;
      } else if (doc.stringEquals(key, utf8("prompt_allowlist"))) {
        const prompts = new NameList();
        error = readNameArray(doc, value, at + utf8(".prompt_allowlist"), prompts);
        rule.access.prompts = prompts;
      } else if (doc.stringEquals(key, utf8("resources"))) {
        const prefixes = new UriPrefixes();
        error = readResources(doc, value, prefixes);
        rule.access.resourcePrefixes = prefixes;
      } else {
        error = unknownField(doc, key, at + ".", ruleFields());
      }
      if (error.length > 0) return error;
    }
    if (!hasMatch) return fieldError(at + utf8(".match"), utf8("required (a rule without conditions would match everyone; use the top-level fields for that)"));
    config.rules.push(rule);
    index++;
  }
  return "";
}

function readRuleMatch(doc: JsonDocument, node: i32, at: string, rule: AccessRule): string {
  if (doc.type(node) != JsonType.Object || doc.length(node) == 0) return fieldError(at, utf8("expected an object with at least one of ") + matchFields() + utf8(", got ") + describe(doc, node));
  const match = rule.match;
  for (let key = doc.firstChild(node); key >= 0; key = doc.nextSibling(key)) {
    const value = doc.keyValue(key);
    let error = "";
    if (doc.stringEquals(key, utf8("principals"))) {
      const list = new NameList();
      error = readNameArray(doc, value, at + utf8(".principals"), list);
      match.principals = list;
    } else if (doc.stringEquals(key, utf8("users"))) {
      const list = new NameList();
      error = readNameArray(doc, value, at + utf8(".users"), list);
      match.users = list;
    } else if (doc.stringEquals(key, utf8("claims"))) {
      if (doc.type(value) != JsonType.Object || doc.length(value) == 0) return fieldError(at + utf8(".claims"), utf8("expected an object of claim name to accepted values, e.g. {\"groups\": [\"network-engineers\"]}, got ") + describe(doc, value));
      for (let claim = doc.firstChild(value); claim >= 0; claim = doc.nextSibling(claim)) {
        const claimName = doc.getString(claim);
        const values = new NameList();
        const accepted = doc.keyValue(claim);
        const single = doc.getString(accepted);
        if (single !== null) values.add(single);
        else error = readNameArray(doc, accepted, at + utf8(".claims.") + (claimName !== null ? claimName : ""), values);
        if (error.length > 0) return error;
        match.claimNames.push(claimName !== null ? claimName : "");
        match.claimValues.push(values);
      }
    } else {
      error = unknownField(doc, key, at + ".", matchFields());
    }
    if (error.length > 0) return error;
  }
  return "";
}

function readApproval(doc: JsonDocument, node: i32, approval: ApprovalConfig): string {
  if (doc.type(node) != JsonType.Object) return notAnObject(doc, node, utf8("approval"), approvalFields());
  for (let key = doc.firstChild(node); key >= 0; key = doc.nextSibling(key)) {
    const value = doc.keyValue(key);
    if (doc.stringEquals(key, utf8("mode"))) {
      const mode = choiceOf(doc, value, utf8("off\nflag\ndeny\ntoken\nwebhook")); // ApprovalMode's order
      if (mode < 0) return utf8("field \"approval.mode\": expected \"off\", \"flag\", \"deny\", \"token\" or \"webhook\", got ") + describe(doc, value);
      approval.mode = <ApprovalMode>mode;
    } else if (doc.stringEquals(key, utf8("webhook"))) {
      const error = readWebhook(doc, value, approval.webhook);
      if (error.length > 0) return error;
    } else if (doc.stringEquals(key, utf8("destructive_patterns"))) {
      approval.patterns = new NameList();
      const error = readNameArray(doc, value, utf8("approval.destructive_patterns"), approval.patterns);
      if (error.length > 0) return error;
    } else if (doc.stringEquals(key, utf8("use_annotations"))) {
      const t = doc.type(value);
      if (t != JsonType.True && t != JsonType.False) return notABoolean(doc, value, utf8("approval.use_annotations"));
      approval.useAnnotations = t == JsonType.True;
    } else if (doc.stringEquals(key, utf8("approval_url"))) {
      const url = doc.getString(value);
      if (url === null || !(url.startsWith(utf8("https://")) || url.startsWith(utf8("http://")))) return utf8("field \"approval.approval_url\": expected an http(s) URL where users approve calls, got ") + describe(doc, value);
      approval.approvalUrl = url;
    } else if (doc.stringEquals(key, utf8("token_header"))) {
      const header = doc.getString(value);
      if (header === null || !isHeaderName(header)) return utf8("field \"approval.token_header\": expected a lower-case header name such as \"x-mcp-approval\", got ") + describe(doc, value);
      approval.tokenHeader = header;
    } else if (doc.stringEquals(key, utf8("key_env"))) {
      const name = doc.getString(value);
      if (name === null || name.length == 0) return utf8("field \"approval.key_env\": expected the name of a vmConfig.env variable, got ") + describe(doc, value);
      approval.keyEnv = name;
    } else {
      return unknownField(doc, key, utf8("approval."), approvalFields());
    }
  }
  if (approval.mode == ApprovalMode.Webhook && approval.webhook.cluster.length == 0) {
    return utf8("field \"approval.webhook.cluster\": required when approval.mode is \"webhook\" (the Envoy cluster of the approval service)");
  }
  if ((approval.mode == ApprovalMode.Deny || approval.mode == ApprovalMode.Token) && approval.approvalUrl.length == 0) {
    return utf8("field \"approval.approval_url\": required when approval.mode is \"deny\" or \"token\" (where users go to approve a call)");
  }
  return "";
}

function readWebhook(doc: JsonDocument, node: i32, webhook: WebhookConfig): string {
  if (doc.type(node) != JsonType.Object) return notAnObject(doc, node, utf8("approval.webhook"), webhookFields());
  for (let key = doc.firstChild(node); key >= 0; key = doc.nextSibling(key)) {
    const value = doc.keyValue(key);
    if (doc.stringEquals(key, utf8("timeout_ms"))) {
      const out = new StaticArray<i32>(1);
      const error = readInteger(doc, value, utf8("approval.webhook.timeout_ms"), 1, 600000, out);
      if (error.length > 0) return error;
      webhook.timeoutMs = out[0];
      continue;
    }
    const text = doc.getString(value);
    if (doc.stringEquals(key, utf8("cluster"))) {
      if (text === null || text.length == 0) return utf8("field \"approval.webhook.cluster\": expected an Envoy cluster name, got ") + describe(doc, value);
      webhook.cluster = text;
    } else if (doc.stringEquals(key, utf8("authority"))) {
      if (text === null || text.length == 0) return utf8("field \"approval.webhook.authority\": expected a host name, got ") + describe(doc, value);
      webhook.authority = text;
    } else if (doc.stringEquals(key, utf8("path"))) {
      if (text === null || !text.startsWith("/")) return utf8("field \"approval.webhook.path\": expected a path starting with /, got ") + describe(doc, value);
      webhook.path = text;
    } else {
      return unknownField(doc, key, utf8("approval.webhook."), webhookFields());
    }
  }
  return "";
}

function readAudit(doc: JsonDocument, node: i32, config: GuardConfig): string {
  if (doc.type(node) != JsonType.Object) return notAnObject(doc, node, utf8("audit"), auditFields());
  for (let key = doc.firstChild(node); key >= 0; key = doc.nextSibling(key)) {
    const value = doc.keyValue(key);
    if (!doc.stringEquals(key, utf8("log_level"))) return unknownField(doc, key, utf8("audit."), auditFields());
    const level = choiceOf(doc, value, utf8("info\nwarn\nerror")); // proxy_log levels 2, 3, 4
    if (level >= 0) config.auditLogLevel = level + 2;
    else return utf8("field \"audit.log_level\": expected \"info\", \"warn\" or \"error\", got ") + describe(doc, value);
  }
  return "";
}

function readPins(doc: JsonDocument, node: i32, pins: Map<string, string>): string {
  if (doc.type(node) != JsonType.Object) {
    return utf8("field \"tool_pins\": expected an object of tool name to digest, e.g. {\"search_code\": \"sha256:…\"} (mcp-guard pin prints one), got ") + typeName(doc, node);
  }
  for (let key = doc.firstChild(node); key >= 0; key = doc.nextSibling(key)) {
    const name = doc.getString(key);
    const digest = doc.getString(doc.keyValue(key));
    if (name === null || name.length == 0) return utf8("field \"tool_pins\": expected non-empty tool names as keys");
    if (digest === null || !isDigest(digest)) {
      return utf8("field ") + jsonQuote(utf8("tool_pins.") + name) + utf8(": expected \"sha256:\" and 64 lowercase hex digits (mcp-guard pin prints them), got ") + describe(doc, doc.keyValue(key));
    }
    pins.set(name, digest);
  }
  return "";
}

function unknownField(doc: JsonDocument, key: i32, prefix: string, known: string): string {
  const name = doc.getString(key);
  return utf8("unknown field ") + jsonQuote(prefix + (name !== null ? name : "")) + utf8(": expected one of ") + known;
}

// Parses the configuration bytes (may be empty: every default applies).
export function parseConfig(ptr: usize, len: i32): ConfigResult {
  const result = new ConfigResult();
  const config = new GuardConfig();
  if (len == 0) {
    result.warnings.push(utf8("no plugin configuration: enforce mode with an empty tool_allowlist, every tools/call is denied"));
    result.config = config;
    return result;
  }
  const limits = new JsonLimits();
  limits.maxBytes = MAX_CONFIG_BYTES;
  limits.maxValues = MAX_CONFIG_BYTES;
  const doc = new JsonDocument(limits);
  const error = doc.parse(ptr, len);
  if (error != JsonError.None) {
    return fail(result, utf8("not valid JSON at byte ") + decimal(doc.errorOffset) + ": " + jsonErrorMessage(error));
  }
  const root = doc.root();
  if (doc.type(root) != JsonType.Object) {
    return fail(result, utf8("expected a JSON object such as {\"tool_allowlist\": [\"search_code\"]}, got ") + typeName(doc, root));
  }
  let rulesNode = -1;
  for (let key = doc.firstChild(root); key >= 0; key = doc.nextSibling(key)) {
    const value = doc.keyValue(key);
    let message = "";
    if (doc.stringEquals(key, utf8("mode"))) {
      const mode = choiceOf(doc, value, utf8("enforce\naudit")); // Mode's order
      if (mode >= 0) config.mode = <Mode>mode;
      else message = utf8("field \"mode\": expected \"enforce\" or \"audit\", got ") + describe(doc, value);
    } else if (doc.stringEquals(key, utf8("tool_allowlist"))) {
      message = readNameArray(doc, value, utf8("tool_allowlist"), config.tools);
      config.toolAllowlistGiven = true;
    } else if (doc.stringEquals(key, utf8("deny_status"))) {
      const out = new StaticArray<i32>(1);
      message = readInteger(doc, value, utf8("deny_status"), 100, 599, out);
      if (message.length == 0) {
        if (out[0] != 200 && out[0] != 403) message = utf8("field \"deny_status\": expected 200 or 403, got ") + decimal(out[0]);
        else config.denyStatus = out[0];
      }
    } else if (doc.stringEquals(key, utf8("limits"))) {
      message = readLimits(doc, value, config.limits);
    } else if (doc.stringEquals(key, utf8("methods"))) {
      message = readMethods(doc, value, utf8("methods"), config.methods);
    } else if (doc.stringEquals(key, utf8("server_methods"))) {
      message = readMethods(doc, value, utf8("server_methods"), config.serverMethods);
    } else if (doc.stringEquals(key, utf8("prompt_allowlist"))) {
      const prompts = new NameList();
      message = readNameArray(doc, value, utf8("prompt_allowlist"), prompts);
      config.prompts = prompts;
    } else if (doc.stringEquals(key, utf8("rules"))) {
      rulesNode = value;
    } else if (doc.stringEquals(key, utf8("approval"))) {
      message = readApproval(doc, value, config.approval);
    } else if (doc.stringEquals(key, utf8("audit"))) {
      message = readAudit(doc, value, config);
    } else if (doc.stringEquals(key, utf8("identity"))) {
      message = readIdentity(doc, value, config.identity);
    } else if (doc.stringEquals(key, utf8("tool_pins"))) {
      message = readPins(doc, value, config.toolPins);
    } else if (doc.stringEquals(key, utf8("hold_request_headers"))) {
      const t = doc.type(value);
      if (t != JsonType.True && t != JsonType.False) message = notABoolean(doc, value, utf8("hold_request_headers"));
      else config.holdRequestHeaders = t == JsonType.True;
    } else if (doc.stringEquals(key, utf8("resources"))) {
      message = readResources(doc, value, config.resourcePrefixes);
    } else {
      message = unknownField(doc, key, "", topLevelFields());
    }
    if (message.length > 0) return fail(result, message);
  }
  config.defaults = new AccessPolicy(utf8("default"), config.tools, config.prompts, config.resourcePrefixes);
  if (rulesNode >= 0) {
    const message = readRules(doc, rulesNode, config);
    if (message.length > 0) return fail(result, message);
  }
  if (!config.toolAllowlistGiven) {
    result.warnings.push(utf8("no tool_allowlist configured: every tools/call is denied"));
  } else if (config.tools.size == 0) {
    result.warnings.push(utf8("tool_allowlist is empty: every tools/call is denied"));
  }
  result.config = config;
  return result;
}

// A value as it appears in the configuration, for error messages (strings quoted, others by type).
function describe(doc: JsonDocument, node: i32): string {
  const s = doc.getString(node);
  if (s !== null) return jsonQuote(s);
  return typeName(doc, node);
}
