// The local MCP gateway: the filter module in the Envoy-like host, in front of a real MCP server.
export { startGateway, GatewayConfigError, type Gateway, type GatewayOptions } from "./gateway.ts";
export { badGatewayBody, type StreamOutcome } from "./forward.ts";
export { identityProperties, parseJwtClaims, JWT_PAYLOAD_PROPERTY, MTLS_PROPERTY, PEER_PRINCIPAL_PROPERTY, type LocalIdentity } from "./identity.ts";
export { DEFAULT_MODULE_PATH, ModuleNotFoundError, loadModule } from "./module.ts";
