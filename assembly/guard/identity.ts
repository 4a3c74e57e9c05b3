// Resolves the verified identity of a request from Envoy properties, in the configured order, and replaces the
// identity headers the MCP server sees. Runs in the request-headers callback: the only moment request headers
// can be changed in stock Istio mode, and identity does not depend on the body.
import { MapType, getPropertyString, removeHeaderMapValue, replaceHeaderMapValue } from "../abi";
import { IdentityConfig, IdentitySource } from "../policy/identity_config";
import { headerSafe } from "./header_value";
import { utf8 } from "../abi/text";

export class Identity {
  // The user identity (a JWT claim, or the peer principal when that source came first); null when none.
  user: string | null = null;
  // Which source gave `user`: "jwt", "peer" or "".
  source: string = "";
  // The caller's SPIFFE id from the mTLS peer certificate; null without mTLS.
  principal: string | null = null;
}

// Property names read on every request, decoded once at start (texts as UTF-8, see abi/text.ts).
export const JWT_FILTER = utf8("envoy.filters.http.jwt_authn");
const PEER_CERTIFICATE = utf8("uri_san_peer_certificate");

function nonEmpty(value: string | null): string | null {
  return value !== null && value.length > 0 ? value : null;
}

export function resolveIdentity(config: IdentityConfig): Identity {
  const identity = new Identity();
  identity.principal = nonEmpty(getPropertyString(["connection", PEER_CERTIFICATE]));
  for (let i = 0; i < config.sources.length && identity.user === null; i++) {
    if (config.sources[i] == IdentitySource.Jwt) {
      const claim = nonEmpty(getPropertyString(["metadata", "filter_metadata", JWT_FILTER, config.jwtMetadataKey, config.jwtClaim]));
      if (claim !== null) {
        identity.user = claim;
        identity.source = "jwt";
      }
    } else if (identity.principal !== null) {
      identity.user = identity.principal;
      identity.source = "peer";
    }
  }
  return identity;
}

// Removes what the client sent under the identity headers (always, found or not), then sets the verified values.
export function applyIdentityHeaders(config: IdentityConfig, identity: Identity): void {
  removeHeaderMapValue(MapType.HttpRequestHeaders, config.userHeader);
  removeHeaderMapValue(MapType.HttpRequestHeaders, config.peerHeader);
  const user = identity.user;
  if (user !== null) replaceHeaderMapValue(MapType.HttpRequestHeaders, config.userHeader, headerSafe(user));
  const principal = identity.principal;
  if (principal !== null) replaceHeaderMapValue(MapType.HttpRequestHeaders, config.peerHeader, headerSafe(principal));
}
