// The published JSON Schema (schema/policy.schema.json) and the module's own on_configure must agree: same
// fields, same verdict on a corpus of valid and invalid configurations. And problems are reported at the right
// line and column, for YAML, JSON and WasmPlugin files.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SCHEMA_PATH, checkSchema, checkWithModule, parsePolicy } from "../src/cli/policy/index.ts";
import { closest } from "../src/cli/policy/schema.ts";
import { guardModule } from "./helpers/guard.ts";

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
}
const schema = JSON.parse(readFileSync(SCHEMA_PATH, "utf8")) as SchemaNode;

async function moduleVerdict(json: string) {
  return checkWithModule(parsePolicy(json, "config.json"), guardModule());
}

/** The field names the module accepts at a path, read from its refusal of an unknown field there. */
async function moduleFields(path: string[]): Promise<string[]> {
  let config: unknown = { __probe__: 1 };
  for (const segment of [...path].reverse()) config = { [segment]: config };
  const verdict = await moduleVerdict(JSON.stringify(config));
  const message = verdict.problems[0]?.message ?? "";
  const list = /expected one of (.*)$/.exec(message)?.[1];
  expect(list, `the module's answer for an unknown field under ${path.join(".") || "the top level"}: ${message}`).toBeDefined();
  return list!.split(", ").sort();
}

describe("schema/policy.schema.json agrees with the module", () => {
  it("lists exactly the fields the module accepts, at the top level and in every nested object", async () => {
    const top = await moduleFields([]);
    expect(Object.keys(schema.properties!).sort()).toEqual(top);
    for (const field of top) {
      // A record with fixed members? Then the module refuses an unknown member by naming the members it knows.
      const verdict = await moduleVerdict(JSON.stringify({ [field]: { __probe__: 1 } }));
      const record = verdict.problems[0]?.message.startsWith(`unknown field "${field}.__probe__"`) ?? false;
      const members = schema.properties![field]!.properties;
      expect(members !== undefined, `${field} has fixed members for the module: ${record}`).toBe(record);
      if (members) expect(Object.keys(members).sort()).toEqual(await moduleFields([field]));
    }
  });

  const valid = [
    "{}",
    '{"tool_allowlist":["search_code","get_pull_request"]}',
    '{"mode":"audit","tool_allowlist":[]}',
    '{"deny_status":403}',
    '{"deny_status":403.0}',
    '{"tool_allowlist":["get_*","list_?"],"methods":{"allow":["acme/*"],"deny":["sampling/createMessage"]}}',
    '{"limits":{"max_body_bytes":1,"max_json_depth":2,"max_batch_size":1}}',
    '{"limits":{"max_body_bytes":67108864,"max_json_depth":1000,"max_batch_size":10000}}',
    '{"prompt_allowlist":["review_*"],"resources":{"allowed_prefixes":["repo://acme/"]},"server_methods":{"allow":["acme/ping"],"deny":["sampling/createMessage"]}}',
    `{"tool_pins":{"search_code":"sha256:${"0a".repeat(32)}"},"hold_request_headers":false}`,
    '{"hold_request_headers":true,"tool_pins":{}}',
    '{"identity":{"sources":["peer","jwt"],"jwt_claim":"email","jwt_metadata_key":"payload","user_header":"x-user","peer_header":"x-peer","require":true,"missing_status":403}}',
  ];
  const invalid = [
    '{"tool_alowlist":["x"]}',
    '{"limits":{"max_body":1}}',
    '{"mode":"block"}',
    '{"mode":1}',
    '{"mode":null}',
    '{"tool_allowlist":"search_code"}',
    '{"tool_allowlist":[""]}',
    '{"tool_allowlist":[1]}',
    '{"deny_status":201}',
    '{"deny_status":"200"}',
    '{"limits":{"max_body_bytes":0}}',
    '{"limits":{"max_body_bytes":67108865}}',
    '{"limits":{"max_body_bytes":1.5}}',
    '{"limits":{"max_body_bytes":"1"}}',
    '{"limits":{"max_json_depth":1}}',
    '{"limits":{"max_json_depth":1001}}',
    '{"limits":{"max_batch_size":0}}',
    '{"limits":{"max_batch_size":10001}}',
    '{"limits":[]}',
    '{"methods":[]}',
    '{"methods":{"allow":"acme/*"}}',
    '{"prompt_allowlist":[""]}',
    '{"resources":{"allowed_prefixes":[""]}}',
    '{"server_methods":{"alow":[]}}',
    '{"tool_pins":{"search_code":"abc"}}',
    `{"tool_pins":{"search_code":"sha256:${"0A".repeat(32)}"}}`,
    '{"tool_pins":["search_code"]}',
    '{"hold_request_headers":"yes"}',
    '{"identity":{"sources":[]}}',
    '{"identity":{"sources":["cookie"]}}',
    '{"identity":{"jwt_claim":""}}',
    '{"identity":{"user_header":"X-User"}}',
    '{"identity":{"missing_status":400}}',
    '{"identity":{"require":"yes"}}',
    "[]",
    '"tool_allowlist"',
  ];

  it.each(valid)("both accept %s", async (json) => {
    expect(checkSchema(parsePolicy(json))).toEqual([]);
    expect((await moduleVerdict(json)).configured).toBe(true);
  });

  it.each(invalid)("both refuse %s", async (json) => {
    expect(checkSchema(parsePolicy(json)).length).toBeGreaterThan(0);
    expect((await moduleVerdict(json)).configured).toBe(false);
  });

  it.each([
    ['{"resources":{"allowed_prefixes":["repo://acme/%2e%2e/"]}}', "resources.allowed_prefixes[0]"],
    ['{"identity":{"user_header":"x-a","peer_header":"x-a"}}', "identity.peer_header"],
  ])("what a schema cannot express is refused by the module only (check runs both): %s", async (json, field) => {
    expect(checkSchema(parsePolicy(json))).toEqual([]);
    expect((await moduleVerdict(json)).problems[0]).toMatchObject({ source: "module", field });
  });
});

describe("problems are located", () => {
  it("in YAML: keys of unknown fields, list entries, nested values", () => {
    const policy = parsePolicy("mode: enforce\ntool_allowlist:\n  - search_code\n  - 42\nlimits:\n  max_json_depth: 5000\n  max_bytes: 1\n", "p.yaml");
    const problems = checkSchema(policy).map((p) => [p.field, p.line, p.column]);
    expect(problems).toEqual(
      expect.arrayContaining([
        ["tool_allowlist[1]", 4, 5],
        ["limits.max_json_depth", 6, 3],
        ["limits.max_bytes", 7, 3],
      ]),
    );
    expect(checkSchema(policy).find((p) => p.field === "limits.max_json_depth")?.fix).toBe("use an integer from 2 to 1000");
  });

  it("in JSON files and inside a WasmPlugin's spec.pluginConfig", async () => {
    const json = parsePolicy('{\n  "tool_allowlist": ["a"],\n  "deny_status": 500\n}\n', "p.json");
    expect(checkSchema(json)[0]).toMatchObject({ field: "deny_status", line: 3, column: 3 });
    const plugin = parsePolicy("kind: WasmPlugin\nspec:\n  url: oci://x/y:1\n  pluginConfig:\n    mode: audit\n    denystatus: 403\n", "wp.yaml");
    expect(plugin.base).toEqual(["spec", "pluginConfig"]);
    expect(JSON.parse(plugin.json)).toEqual({ mode: "audit", denystatus: 403 });
    expect(checkSchema(plugin)[0]).toMatchObject({ field: "denystatus", line: 6, column: 5, fix: expect.stringContaining('did you mean "deny_status"?') });
    const verdict = await checkWithModule(plugin, guardModule());
    expect(verdict.problems[0]).toMatchObject({ source: "module", field: "denystatus", line: 6, column: 5 });
  });

  it("suggests the closest field name only when it is close", () => {
    expect(closest("tool_alowlist", ["mode", "tool_allowlist"])).toBe("tool_allowlist");
    expect(closest("Mode", ["mode", "tool_allowlist"])).toBe("mode");
    expect(closest("something_else", ["mode", "tool_allowlist"])).toBeUndefined();
  });
});
