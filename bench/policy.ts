// The policy every part of the benchmark uses, and the headers of the exchanges it sends.
import type { HeaderList } from "../src/host/index.ts";

// A client's POST (with content-length when a body is given): the same headers the request-path tests send.
export { postHeaders } from "../test/helpers/guard.ts";

export const BENCH_ALLOWLIST = ["search_code", "get_pull_request", "get_*"] as const;

// Bodies up to 1 MiB plus framing must be inspected, not refused as too large.
export const BENCH_POLICY = {
  tool_allowlist: [...BENCH_ALLOWLIST],
  limits: { max_body_bytes: 4 << 20 },
};

// The host's per-connection buffer limit must let the largest body through as well.
export const BENCH_BUFFER_LIMIT = 8 << 20;

export function responseHeaders(contentType: "application/json" | "text/event-stream"): HeaderList {
  return [[":status", "200"], ["content-type", contentType]];
}
