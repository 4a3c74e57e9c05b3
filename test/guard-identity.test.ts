// Identity: the MCP server learns who is calling only from what the mesh verified (JWT payload metadata from
// Istio's RequestAuthentication, the mTLS peer certificate), never from what a client wrote into a header.
import { describe, expect, it } from "vitest";
import { ProxyWasmHost, exchange } from "../src/host/index.ts";
import { SEED_CONFIG, echoUpstream, guardModule, postHeaders, toolCall } from "./helpers/guard.ts";

const PEER = "connection\0uri_san_peer_certificate";
const claim = (name: string) => `metadata\0filter_metadata\0envoy.filters.http.jwt_authn\0payload\0${name}`;
const GATEWAY = "spiffe://cluster.local/ns/gateway/sa/ai-gateway";

async function call(config: object, properties: Record<string, string>, extraHeaders: Array<[string, string]> = []) {
  const host = await ProxyWasmHost.start({ module: guardModule(), pluginConfig: JSON.stringify(config), properties });
  const body = toolCall(1, "search_code");
  const result = await exchange(host, { headers: postHeaders(extraHeaders, body), body }, echoUpstream);
  return { host, result, upstream: new Map(result.stream.upstream.headers ?? []) };
}

describe("identity", () => {
  it("removes identity headers a client sent, even when no identity is found", async () => {
    const { upstream, result } = await call(SEED_CONFIG, {}, [["x-user-identity", "admin@corp"], ["x-mcp-caller-principal", GATEWAY]]);
    expect(result.upstreamCalled).toBe(true);
    expect(upstream.has("x-user-identity")).toBe(false);
    expect(upstream.has("x-mcp-caller-principal")).toBe(false);
  });

  it("injects the verified JWT subject and the caller's SPIFFE id, replacing a spoofed value", async () => {
    const { upstream } = await call(SEED_CONFIG, { [claim("sub")]: "alice", [PEER]: GATEWAY }, [["x-user-identity", "admin@corp"]]);
    expect(upstream.get("x-user-identity")).toBe("alice");
    expect(upstream.get("x-mcp-caller-principal")).toBe(GATEWAY);
  });

  it("reads the configured claim into the configured headers", async () => {
    const config = { ...SEED_CONFIG, identity: { jwt_claim: "email", user_header: "x-end-user", peer_header: "x-peer" } };
    const { upstream } = await call(config, { [claim("sub")]: "u-123", [claim("email")]: "alice@example.com", [PEER]: GATEWAY });
    expect(upstream.get("x-end-user")).toBe("alice@example.com");
    expect(upstream.get("x-peer")).toBe(GATEWAY);
    expect(upstream.has("x-user-identity")).toBe(false);
  });

  it("follows the configured source order, and falls back to the peer when there is no JWT", async () => {
    const peerFirst = await call({ ...SEED_CONFIG, identity: { sources: ["peer", "jwt"] } }, { [claim("sub")]: "alice", [PEER]: GATEWAY });
    expect(peerFirst.upstream.get("x-user-identity")).toBe(GATEWAY);
    const noJwt = await call(SEED_CONFIG, { [PEER]: GATEWAY });
    expect(noJwt.upstream.get("x-user-identity")).toBe(GATEWAY);
    const jwtOnly = await call({ ...SEED_CONFIG, identity: { sources: ["jwt"] } }, { [PEER]: GATEWAY });
    expect(jwtOnly.upstream.has("x-user-identity")).toBe(false);
  });

  it("percent-encodes what cannot go into a header", async () => {
    const { upstream } = await call(SEED_CONFIG, { [claim("sub")]: "zoë\r\nx-admin: 1" });
    expect(upstream.get("x-user-identity")).toBe("zo%C3%AB%0D%0Ax-admin: 1");
    expect(upstream.has("x-admin")).toBe(false);
  });

  it("refuses requests without a verified identity when required (401 by default, 403 if configured)", async () => {
    for (const [status, config] of [[401, {}], [403, { missing_status: 403 }]] as const) {
      const { result, host } = await call({ ...SEED_CONFIG, identity: { require: true, ...config } }, {}, [["x-user-identity", "admin@corp"]]);
      expect(result.status).toBe(status);
      expect(result.upstreamCalled).toBe(false);
      expect(JSON.parse(result.body)).toEqual({ jsonrpc: "2.0", error: { code: -32600, message: "Authentication required: the request carries no verified identity" } });
      // A GET (SSE stream) without identity is refused too.
      const get = await exchange(host, { headers: [[":method", "GET"], [":path", "/mcp"]] }, echoUpstream);
      expect(get.status).toBe(status);
    }
    const ok = await call({ ...SEED_CONFIG, identity: { require: true } }, { [claim("sub")]: "alice" });
    expect(ok.result.upstreamCalled).toBe(true);
  });

  it("only logs a missing identity in audit mode", async () => {
    const { result } = await call({ ...SEED_CONFIG, mode: "audit", identity: { require: true } }, {});
    expect(result.upstreamCalled).toBe(true);
  });

  it.each([
    [{ identity: { sources: ["cookie"] } }, /field "identity\.sources": expected "jwt" or "peer", got "cookie"/],
    [{ identity: { user_header: "X-User" } }, /field "identity\.user_header": expected a lower-case header name/],
    [{ identity: { missing_status: 404 } }, /field "identity\.missing_status": expected 401 or 403, got 404/],
    [{ identity: { user_header: "x-a", peer_header: "x-a" } }, /must differ from identity\.user_header/],
    [{ identity: { claim: "sub" } }, /unknown field "identity\.claim": expected one of sources, jwt_claim/],
  ])("rejects identity configuration %j", async (config, pattern) => {
    const host = await ProxyWasmHost.start({ module: guardModule(), pluginConfig: JSON.stringify(config) });
    expect(host.configured).toBe(false);
    expect(host.logs.find((l) => l.source === "module" && l.level >= 4)?.message).toMatch(pattern);
  });
});
