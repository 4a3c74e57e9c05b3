// Flags several commands share, and their parsing.
import type { Command } from "commander";
import type { HeaderList } from "../host/index.ts";
import { parseJwtClaims, type LocalIdentity } from "../gateway/index.ts";
import { UsageError } from "./exit.ts";

export interface IdentityFlags {
  principal?: string;
  jwtClaims?: string;
}

export function addIdentityOptions(command: Command): Command {
  return command
    .option("--principal <spiffe-id>", "peer principal the filter sees as connection.uri_san_peer_certificate (mTLS identity), e.g. spiffe://cluster.local/ns/agents/sa/planner")
    .option("--jwt-claims <json>", `verified JWT claims the filter sees under metadata.filter_metadata["envoy.filters.http.jwt_authn"].payload, e.g. '{"sub":"alice"}'`);
}

export function identityFrom(flags: IdentityFlags): LocalIdentity {
  const identity: LocalIdentity = {};
  if (flags.principal !== undefined) identity.principal = flags.principal;
  if (flags.jwtClaims !== undefined) {
    try {
      identity.jwtClaims = parseJwtClaims(flags.jwtClaims);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  return identity;
}

/** Repeatable "--header 'name: value'" flags. */
export function collectHeader(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function parseHeaders(values: readonly string[] = []): HeaderList {
  return values.map((value) => {
    const colon = value.indexOf(":");
    if (colon <= 0) throw new UsageError(`--header must look like "name: value", got ${JSON.stringify(value)}`);
    return [value.slice(0, colon).trim().toLowerCase(), value.slice(colon + 1).trim()];
  });
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, got ${JSON.stringify(value)}`);
  return port;
}

/** Writes one JSON document (the --json output of every command). */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + "\n");
}
