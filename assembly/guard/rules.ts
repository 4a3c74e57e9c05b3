// Chooses the access policy of a request: the first per-identity rule whose conditions all hold for the
// verified caller, or the workload's defaults. Runs in the request-headers callback, where the properties with
// the caller's identity are read.
import { decodeHeaderMap, getProperty } from "../abi";
import { AccessPolicy, AccessRule } from "../policy/access";
import { GuardConfig } from "../policy/config";
import { IdentityConfig } from "../policy/identity_config";
import { Identity, JWT_FILTER } from "./identity";

// The values of a verified JWT claim. A string claim comes back raw; a list claim (e.g. groups) comes back the
// way Envoy serializes a CEL list, as a pairs map whose keys are the elements.
export function claimValues(identity: IdentityConfig, claim: string): Array<string> {
  const values = new Array<string>();
  const bytes = getProperty(["metadata", "filter_metadata", JWT_FILTER, identity.jwtMetadataKey, claim]);
  if (bytes === null || bytes.byteLength == 0) return values;
  const pairs = decodeHeaderMap(changetype<usize>(bytes), <usize>bytes.byteLength);
  if (pairs !== null && pairs.length > 0) {
    for (let i = 0; i < pairs.length; i++) values.push(pairs[i].key);
    return values;
  }
  values.push(String.UTF8.decode(bytes));
  return values;
}

function matches(config: GuardConfig, rule: AccessRule, identity: Identity): bool {
  const match = rule.match;
  const principals = match.principals;
  if (principals !== null) {
    const principal = identity.principal;
    if (principal === null || !principals.matches(principal)) return false;
  }
  const users = match.users;
  if (users !== null) {
    const user = identity.user;
    if (user === null || !users.matches(user)) return false;
  }
  for (let i = 0; i < match.claimNames.length; i++) {
    const values = claimValues(config.identity, match.claimNames[i]);
    let found = false;
    for (let j = 0; j < values.length && !found; j++) found = match.claimValues[i].matches(values[j]);
    if (!found) return false;
  }
  return true;
}

export function selectAccess(config: GuardConfig, identity: Identity): AccessPolicy {
  for (let i = 0; i < config.rules.length; i++) {
    if (matches(config, config.rules[i], identity)) return config.rules[i].access;
  }
  return config.defaults;
}
