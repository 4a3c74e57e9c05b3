// exchange(): one whole request / response through the filter, for tests. The request is sent (headers, body
// in one or more chunks, optional trailers); the upstream function is called only if the complete request
// reached the upstream; its answer is sent back; the stream is completed (proxy_on_log / done / delete).
// Outstanding HTTP calls are settled after every step, as if callouts answered before the next frame.
import { fromUtf8, toBytes } from "./bytes.ts";
import type { ProxyWasmHost } from "./host.ts";
import type { HttpStream } from "./stream.ts";
import type { HeaderList } from "./types.ts";

export interface ExchangeRequest {
  headers: HeaderList;
  body?: Uint8Array | string;
  chunks?: Array<Uint8Array | string>;
  trailers?: HeaderList;
}

export interface UpstreamAnswer {
  headers: HeaderList;
  body?: Uint8Array | string;
  chunks?: Array<Uint8Array | string>;
  trailers?: HeaderList;
}

export type UpstreamHandler = (req: { headers: HeaderList; body: Uint8Array; trailers?: HeaderList }) => UpstreamAnswer;

export interface ExchangeResult {
  stream: HttpStream;
  /** The :status the client got; 0 when it got no response headers (e.g. a reset). */
  status: number;
  headers: HeaderList;
  body: string;
  upstreamCalled: boolean;
}

function chunksOf(message: { body?: Uint8Array | string; chunks?: Array<Uint8Array | string> }): Uint8Array[] {
  if (message.chunks) return message.chunks.map(toBytes);
  if (message.body !== undefined) return [toBytes(message.body)];
  return [];
}

const DEFAULT_UPSTREAM: UpstreamHandler = () => ({ headers: [[":status", "200"]] });

export async function exchange(
  host: ProxyWasmHost,
  request: ExchangeRequest,
  upstream: UpstreamHandler = DEFAULT_UPSTREAM,
): Promise<ExchangeResult> {
  const stream = host.newStream();
  await sendMessage(host, request, {
    headers: (h, eos) => stream.sendRequestHeaders(h, eos),
    body: (c, eos) => stream.sendRequestBody(c, eos),
    trailers: (t) => stream.sendRequestTrailers(t),
  });

  let upstreamCalled = false;
  const sent = stream.upstream;
  if (!stream.ended && sent.headers && sent.endOfStream && !sent.reset) {
    upstreamCalled = true;
    const answer = upstream(sent.trailers ? { headers: sent.headers, body: sent.body, trailers: sent.trailers } : { headers: sent.headers, body: sent.body });
    await sendMessage(host, answer, {
      headers: (h, eos) => stream.sendResponseHeaders(h, eos),
      body: (c, eos) => stream.sendResponseBody(c, eos),
      trailers: (t) => stream.sendResponseTrailers(t),
    });
  }
  stream.complete();
  await host.settle();

  const received = stream.downstream;
  const headers = received.headers ?? [];
  const status = Number(headers.find(([k]) => k === ":status")?.[1] ?? 0);
  return { stream, status, headers, body: fromUtf8(received.body), upstreamCalled };
}

interface Sender {
  headers(headers: HeaderList, endOfStream: boolean): void;
  body(chunk: Uint8Array, endOfStream: boolean): void;
  trailers(trailers: HeaderList): void;
}

async function sendMessage(
  host: ProxyWasmHost,
  message: { headers: HeaderList; body?: Uint8Array | string; chunks?: Array<Uint8Array | string>; trailers?: HeaderList },
  send: Sender,
): Promise<void> {
  const chunks = chunksOf(message);
  const trailers = message.trailers;
  send.headers(message.headers, chunks.length === 0 && !trailers);
  await host.settle();
  for (const [i, chunk] of chunks.entries()) {
    send.body(chunk, i === chunks.length - 1 && !trailers);
    await host.settle();
  }
  if (trailers) {
    send.trailers(trailers);
    await host.settle();
  }
}
