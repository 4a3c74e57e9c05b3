// The identity a sidecar would hand the filter, fixed by the operator for local testing. In a mesh the peer
// principal comes from the mTLS handshake and the JWT claims from Istio's RequestAuthentication (Envoy's
// jwt_authn filter writes them to dynamic metadata); the filter reads both as properties (BRIEF §3, §4). Here
// they come from flags — never from request headers, which a client controls.
import type { PropertyValue } from "../host/index.ts";

export interface LocalIdentity {
  /** The caller's SPIFFE id, e.g. "spiffe://cluster.local/ns/agents/sa/planner". */
  principal?: string;
  /** Verified JWT claims, e.g. { sub: "alice", groups: ["network-engineers"] }. */
  jwtClaims?: Record<string, unknown>;
}

export const PEER_PRINCIPAL_PROPERTY = "connection\0uri_san_peer_certificate";
export const MTLS_PROPERTY = "connection\0mtls";
export const JWT_PAYLOAD_PROPERTY = "metadata\0filter_metadata\0envoy.filters.http.jwt_authn\0payload";

/**
 * Host properties for an identity. A claim is readable at `<payload>\0<claim>`: strings raw, booleans one byte,
 * numbers as an 8-byte little-endian double (protobuf Struct numbers are doubles); arrays and objects as JSON text
 * (Envoy would serialize the protobuf value instead — see README "How the gateway differs from a sidecar").
 */
export function identityProperties(identity: LocalIdentity): Record<string, PropertyValue> {
  const properties: Record<string, PropertyValue> = {};
  if (identity.principal !== undefined) {
    properties[PEER_PRINCIPAL_PROPERTY] = identity.principal;
    properties[MTLS_PROPERTY] = new Uint8Array([1]);
  }
  for (const [claim, value] of Object.entries(identity.jwtClaims ?? {})) {
    const encoded = encodeClaim(value);
    if (encoded !== undefined) properties[`${JWT_PAYLOAD_PROPERTY}\0${claim}`] = encoded;
  }
  return properties;
}

function encodeClaim(value: unknown): PropertyValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return new Uint8Array([value ? 1 : 0]);
  if (typeof value === "number") {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, value, true);
    return bytes;
  }
  return JSON.stringify(value);
}

/** Parses the --jwt-claims flag: a JSON object. Throws a message naming the problem. */
export function parseJwtClaims(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`--jwt-claims must be a JSON object such as '{"sub":"alice"}': ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`--jwt-claims must be a JSON object such as '{"sub":"alice"}'`);
  }
  return value as Record<string, unknown>;
}
