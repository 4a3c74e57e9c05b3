// Where the filter learns who is calling, and where it tells the MCP server. Every source is something the mesh
// verified (a JWT that Istio's RequestAuthentication checked, the mTLS peer certificate); nothing a client can
// write into a request header is ever trusted.
export enum IdentitySource { Jwt = 0, Peer = 1 }

export class IdentityConfig {
  // Tried in order; the first that yields a value is the user identity.
  sources: Array<IdentitySource> = [IdentitySource.Jwt, IdentitySource.Peer];
  // The JWT claim that names the user (e.g. "sub", "email").
  jwtClaim: string = "sub";
  // Where Envoy's jwt_authn filter puts the verified payload: Istio sets payload_in_metadata to "payload".
  jwtMetadataKey: string = "payload";
  // Header the MCP server reads the user identity from; inbound copies are always removed.
  userHeader: string = "x-user-identity";
  // Header carrying the caller's SPIFFE id (mTLS peer); inbound copies are always removed.
  peerHeader: string = "x-mcp-caller-principal";
  // Refuse requests that carry no verified identity.
  require: bool = false;
  missingStatus: i32 = 401;
}
