// One client request through the filter and on to the MCP server, the way an Envoy sidecar carries it: the
// client's frames go into the filter as they arrive, whatever the filter releases goes on at once (the
// upstream request starts when its headers are released; response bytes reach the client as they are
// released, so an SSE stream flows event by event), local replies and resets are applied exactly as the host
// reports them, and the stream ends once (proxy_on_log / done / delete) however it ends.
import type { ClientRequest, IncomingMessage, ServerResponse } from "node:http";
import type { HeaderList, HttpStream, ProxyWasmHost, PropertyValue, StreamFrame } from "../host/index.ts";
import { requestHasBody, requestHeaders, responseHasBody, responseHeaders, toOutgoing, toTrailers, trailerList } from "./headers.ts";
import type { Upstream } from "./upstream.ts";

const EMPTY = new Uint8Array(0);

export interface ForwardSetup {
  host: ProxyWasmHost;
  upstream: Upstream;
  scheme: "http" | "https";
  /** Per-stream properties (source address...); identity properties live on the host. */
  properties: Record<string, PropertyValue>;
  /** Called once when the stream has ended, however it ended. */
  onEnd(outcome: StreamOutcome): void;
}

export type StreamOutcome = "complete" | "client_aborted" | "upstream_failed" | "reset";

/** The JSON-RPC error body of a 502 (no id: the gateway does not read the request). */
export function badGatewayBody(reason: string): Uint8Array {
  const message = `Bad gateway: the MCP server could not be reached (${reason})`;
  return Buffer.from(JSON.stringify({ jsonrpc: "2.0", error: { code: -32603, message } }));
}

export class ForwardedStream {
  private readonly stream: HttpStream;
  private readonly method: string;
  private upstreamRequest: ClientRequest | undefined;
  private upstreamResponse: IncomingMessage | undefined;
  /** The gateway itself ended the upstream exchange (filter reset, client gone, stream end). */
  private upstreamAborted = false;
  private upstreamFinished = false;
  private downstreamEnded = false;
  private clientClosed = false;
  private endScheduled = false;
  private ended = false;
  private outcome: StreamOutcome = "complete";

  constructor(
    private readonly setup: ForwardSetup,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
  ) {
    this.method = req.method ?? "GET";
    this.stream = setup.host.newStream({ properties: setup.properties, record: false, onFrame: (frame) => this.onFrame(frame) });
  }

  start(): void {
    this.res.on("error", () => this.clientGone());
    this.res.on("close", () => {
      if (!this.res.writableFinished) this.clientGone();
    });
    this.req.on("error", () => this.clientGone());
    const hasBody = requestHasBody(this.req);
    const headers = requestHeaders(this.req, this.setup.scheme);
    this.feed(() => this.stream.sendRequestHeaders(headers, !hasBody));
    if (!hasBody) {
      this.req.resume();
      return;
    }
    this.req.on("data", (chunk: Buffer) => this.feed(() => this.stream.sendRequestBody(chunk, false)));
    this.req.on("end", () => {
      const trailers = trailerList(this.req.rawTrailers);
      this.feed(() => (trailers ? this.stream.sendRequestTrailers(trailers) : this.stream.sendRequestBody(EMPTY, true)));
    });
  }

  /** Runs one host operation unless the stream has ended. */
  private feed(operation: () => void): void {
    if (!this.ended) operation();
  }

  // ---- what the filter released ---------------------------------------------------------------------------

  private onFrame(frame: StreamFrame): void {
    if (frame.target === "upstream") this.toUpstream(frame);
    else this.toClient(frame);
  }

  private toUpstream(frame: StreamFrame): void {
    if (frame.kind === "headers") {
      this.openUpstream(frame.headers, frame.endOfStream);
      return;
    }
    const request = this.upstreamRequest;
    if (!request || this.upstreamAborted) return;
    if (frame.kind === "reset") {
      this.abortUpstream();
    } else if (frame.kind === "body") {
      if (frame.body.length > 0 && !request.write(frame.body)) {
        this.req.pause();
        request.once("drain", () => this.req.resume());
      }
      if (frame.endOfStream) request.end();
    } else {
      request.addTrailers(toTrailers(frame.trailers));
      request.end();
    }
  }

  private toClient(frame: StreamFrame): void {
    if (this.clientClosed) return;
    const res = this.res;
    if (frame.kind === "headers") {
      const { pseudo, headers } = toOutgoing(frame.headers);
      res.writeHead(Number(pseudo.get(":status") ?? 502), headers);
      if (frame.endOfStream) this.endClient();
      else res.flushHeaders();
    } else if (frame.kind === "body") {
      if (frame.body.length > 0 && !res.write(frame.body)) {
        const source = this.upstreamResponse;
        source?.pause();
        res.once("drain", () => source?.resume());
      }
      if (frame.endOfStream) this.endClient();
    } else if (frame.kind === "trailers") {
      res.addTrailers(toTrailers(frame.trailers));
      this.endClient();
    } else {
      // The filter reset the stream (e.g. a local reply after the response headers were sent): the client
      // sees the connection cut, as with Envoy over HTTP/1.1.
      this.outcome = "reset";
      this.clientClosed = true;
      res.destroy();
      this.scheduleEnd();
    }
  }

  private endClient(): void {
    this.downstreamEnded = true;
    this.res.end();
    this.scheduleEnd();
  }

  // ---- the upstream exchange ------------------------------------------------------------------------------

  private openUpstream(headers: HeaderList, endOfStream: boolean): void {
    const request = this.setup.upstream.request(headers);
    this.upstreamRequest = request;
    request.on("response", (response) => this.onUpstreamResponse(response));
    request.on("error", (error: NodeJS.ErrnoException) => this.onUpstreamError(error));
    if (endOfStream) request.end();
    else request.flushHeaders();
  }

  private onUpstreamResponse(response: IncomingMessage): void {
    if (this.ended || this.upstreamAborted) {
      response.destroy();
      return;
    }
    this.upstreamResponse = response;
    const hasBody = responseHasBody(this.method, response);
    response.on("close", () => {
      if (!this.upstreamFinished && !this.upstreamAborted) this.upstreamBroke();
    });
    this.feed(() => this.stream.sendResponseHeaders(responseHeaders(response), !hasBody));
    if (!hasBody) {
      this.upstreamFinished = true;
      response.resume();
      return;
    }
    response.on("data", (chunk: Buffer) => this.feed(() => this.stream.sendResponseBody(chunk, false)));
    response.on("end", () => {
      this.upstreamFinished = true;
      const trailers = trailerList(response.rawTrailers);
      this.feed(() => (trailers ? this.stream.sendResponseTrailers(trailers) : this.stream.sendResponseBody(EMPTY, true)));
    });
  }

  private onUpstreamError(error: NodeJS.ErrnoException): void {
    if (this.ended || this.upstreamAborted || this.upstreamFinished) return;
    if (this.upstreamResponse) {
      this.upstreamBroke();
      return;
    }
    // No response yet: answer 502 the way Envoy's router answers a connect failure, through the filter's
    // response path.
    this.outcome = "upstream_failed";
    const body = badGatewayBody(error.code ?? error.message);
    this.feed(() => this.stream.sendResponseHeaders([[":status", "502"], ["content-type", "application/json"], ["content-length", String(body.length)]], false));
    this.feed(() => this.stream.sendResponseBody(body, true));
  }

  /** The upstream went away in the middle of its response: the client's stream is reset. */
  private upstreamBroke(): void {
    if (this.ended) return;
    this.outcome = "upstream_failed";
    this.clientClosed = true;
    this.res.destroy();
    this.scheduleEnd();
  }

  private abortUpstream(): void {
    if (this.upstreamAborted) return;
    this.upstreamAborted = true;
    this.upstreamRequest?.destroy();
    this.upstreamResponse?.destroy();
  }

  // ---- the end --------------------------------------------------------------------------------------------

  private clientGone(): void {
    if (this.ended || this.downstreamEnded) return;
    this.clientClosed = true;
    this.outcome = "client_aborted";
    this.abortUpstream();
    this.scheduleEnd();
  }

  /** Ends the stream after the current host operation (frame listeners must not call into the stream). */
  private scheduleEnd(): void {
    if (this.endScheduled) return;
    this.endScheduled = true;
    queueMicrotask(() => this.end());
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.upstreamFinished) this.abortUpstream();
    this.stream.complete();
    this.setup.onEnd(this.outcome);
  }
}
