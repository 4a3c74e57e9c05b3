// One HTTP stream through the wasm filter: the client side (send*Request*), the upstream side
// (send*Response*), the filter manager in between (two Directions around the StreamContext), local replies and
// resets the way Envoy's DownstreamFilterManager handles them, and records of what reached whom.
import { ByteBuffer, utf8 } from "./bytes.ts";
import { Direction, type DirectionFilter, type DirectionHooks } from "./direction.ts";
import { HeaderMap } from "./header-map.ts";
import { StreamContext, type FilterCallbacks, type LocalReplyRequest } from "./http-context.ts";
import { buildLocalReply, isGrpcRequest, isHeadRequest } from "./local-reply.ts";
import { PropertyLookup, encodeProperties, type PluginIdentity } from "./properties.ts";
import type { RootContext } from "./root-context.ts";
import type { DownstreamRecord, HeaderList, LocalReply, PropertyValue, StreamEvent, UpstreamRecord } from "./types.ts";
import type { WasmVm } from "./vm.ts";

/** What a stream needs from the host. */
export interface StreamEnv {
  readonly vm: WasmVm;
  readonly root: RootContext;
  readonly failOpen: boolean;
  readonly allowOnHeadersStopIteration: boolean;
  readonly bufferLimit: number;
  readonly hostProperties: Map<string, Uint8Array>;
  readonly identity: PluginIdentity;
  /** The VM can filter new streams (started, configured and not failed). */
  usable(): boolean;
  nextSeq(): number;
  /** Called after every public operation (runs callbacks the host posted meanwhile). */
  afterOperation(): void;
}

export interface StreamOptions {
  properties?: Record<string, PropertyValue>;
  /**
   * Called synchronously, in order, whenever a frame reaches the upstream or the client and when either side is
   * reset — what a proxy needs to forward bytes as the filter releases them. It must not call this stream's
   * methods synchronously (defer with queueMicrotask / setImmediate if it has to).
   */
  onFrame?: (frame: StreamFrame) => void;
  /**
   * false: keep no released body bytes (`upstream.body` / `downstream.body` stay empty) and no timeline
   * (`events`), for long-lived proxied streams whose frames go to `onFrame`. Default true.
   */
  record?: boolean;
}

/** A frame that reached the upstream or the client (see StreamOptions.onFrame). */
export type StreamFrame =
  | { target: "upstream" | "downstream"; kind: "headers"; headers: HeaderList; endOfStream: boolean }
  | { target: "upstream" | "downstream"; kind: "body"; body: Uint8Array; endOfStream: boolean }
  | { target: "upstream" | "downstream"; kind: "trailers"; trailers: HeaderList }
  | { target: "upstream" | "downstream"; kind: "reset"; details: string };

class Side {
  headers?: HeaderList;
  readonly body = new ByteBuffer();
  trailers?: HeaderList;
  endOfStream = false;
  reset = false;
}

export class HttpStream {
  readonly events: StreamEvent[] = [];
  /** The context id the module sees (0 when the filter runs without a VM or is not installed). */
  readonly contextId: number;
  private readonly context: StreamContext | undefined;
  private readonly request: Direction;
  private readonly response: Direction;
  private readonly up = new Side();
  private readonly down = new Side();
  private reply: LocalReply | undefined;
  private pendingReply: LocalReplyRequest | undefined;
  private requestInfo = { grpc: false, head: false };
  /** Response headers exist (from the upstream or a local reply): later local replies go direct / reset. */
  private responseStarted = false;
  /** Response headers went to the client. */
  private responseHeadersSent = false;
  /** Envoy's local_complete_: the response is complete; request data is dropped from now on. */
  private localComplete = false;
  /** Envoy's remote_encode_complete_: the client got the whole response. */
  private responseDone = false;
  private upstreamResponseComplete = false;
  private decoderAborted = false;
  private encoderAborted = false;
  private isEnded = false;
  private completed = false;
  private readonly onFrame: ((frame: StreamFrame) => void) | undefined;
  private readonly record: boolean;

  constructor(private readonly env: StreamEnv, options: StreamOptions = {}) {
    this.onFrame = options.onFrame;
    this.record = options.record ?? true;
    const usable = env.usable();
    const installed = usable || !env.failOpen;
    if (installed) {
      const properties = new PropertyLookup([encodeProperties(options.properties), env.hostProperties], env.identity, true);
      this.context = new StreamContext(env.vm, env.root, properties, this.filterCallbacks(), usable);
    }
    this.contextId = this.context?.id ?? 0;
    const ctx = this.context;
    const requestFilter: DirectionFilter | undefined = ctx && {
      headers: (m, e) => ctx.decodeHeaders(m, e),
      data: (d, e) => ctx.decodeData(d, e),
      trailers: (m) => ctx.decodeTrailers(m),
    };
    const responseFilter: DirectionFilter | undefined = ctx && {
      headers: (m, e) => ctx.encodeHeaders(m, e),
      data: (d, e) => ctx.encodeData(d, e),
      trailers: (m) => ctx.encodeTrailers(m),
    };
    this.request = new Direction({
      filter: requestFilter,
      bufferLimit: env.bufferLimit,
      ...this.emitters("upstream"),
      canContinue: () => !this.localComplete,
      dropIncoming: () => this.localComplete || this.decoderAborted,
      afterFilterCall: () => this.afterRequestCallback(),
      tooLarge: () => this.hostReply(413, "Payload Too Large", "request_payload_too_large"),
      watermark: () => this.event("watermark", { direction: "request" }),
    });
    this.response = new Direction({
      filter: responseFilter,
      bufferLimit: env.bufferLimit,
      ...this.emitters("downstream"),
      canContinue: () => !this.responseDone,
      dropIncoming: () => this.responseDone,
      afterFilterCall: () => this.encoderAborted,
      tooLarge: () => this.hostReply(500, "Internal Server Error", "response_payload_too_large"),
      watermark: () => this.event("watermark", { direction: "response" }),
    });
  }

  // ---- the client side ------------------------------------------------------------------------------------

  sendRequestHeaders(headers: HeaderList, endOfStream: boolean): void {
    const map = HeaderMap.from(headers);
    this.requestInfo = { grpc: isGrpcRequest(map.toList()), head: isHeadRequest(map.toList()) };
    this.operation("request.headers", { endOfStream }, () => this.request.onHeaders(map, endOfStream));
  }

  sendRequestBody(chunk: Uint8Array, endOfStream: boolean): void {
    this.operation("request.body", { bytes: chunk.length, endOfStream }, () => this.request.onData(chunk, endOfStream));
  }

  sendRequestTrailers(trailers: HeaderList): void {
    this.operation("request.trailers", undefined, () => this.request.onTrailers(HeaderMap.from(trailers)));
  }

  // ---- the upstream side ----------------------------------------------------------------------------------

  sendResponseHeaders(headers: HeaderList, endOfStream: boolean): void {
    if (this.upstreamGone("response.headers")) return;
    this.operation("response.headers", { endOfStream }, () => {
      this.responseStarted = true;
      this.upstreamFrame(endOfStream);
      this.response.onHeaders(HeaderMap.from(headers), endOfStream);
    });
  }

  sendResponseBody(chunk: Uint8Array, endOfStream: boolean): void {
    if (this.upstreamGone("response.body")) return;
    this.operation("response.body", { bytes: chunk.length, endOfStream }, () => {
      this.upstreamFrame(endOfStream);
      this.response.onData(chunk, endOfStream);
    });
  }

  sendResponseTrailers(trailers: HeaderList): void {
    if (this.upstreamGone("response.trailers")) return;
    this.operation("response.trailers", undefined, () => {
      this.upstreamFrame(true);
      this.response.onTrailers(HeaderMap.from(trailers));
    });
  }

  /** End of the stream: proxy_on_log (access log), then proxy_on_done and proxy_on_delete. */
  complete(): void {
    if (this.completed) return;
    this.completed = true;
    const ctx = this.context;
    if (!ctx) return;
    this.operation("stream.complete", undefined, () => {
      ctx.log({ requestHeaders: this.request.headers, responseHeaders: this.response.headers, responseTrailers: this.response.trailers });
      ctx.destroy();
    });
  }

  // ---- records ------------------------------------------------------------------------------------------

  get upstream(): UpstreamRecord {
    return { ...this.sideRecord(this.up), reset: this.up.reset };
  }

  get downstream(): DownstreamRecord {
    return { ...this.sideRecord(this.down), reset: this.down.reset };
  }

  get localReply(): LocalReply | undefined {
    return this.reply;
  }

  /** A local reply or a reset ended the stream. */
  get ended(): boolean {
    return this.isEnded;
  }

  private sideRecord(side: Side): Omit<UpstreamRecord, "reset"> {
    const record: Omit<UpstreamRecord, "reset"> = { body: side.body.copy(), endOfStream: side.endOfStream };
    if (side.headers) record.headers = side.headers.map(([k, v]) => [k, v]);
    if (side.trailers) record.trailers = side.trailers.map(([k, v]) => [k, v]);
    return record;
  }

  // ---- internals ----------------------------------------------------------------------------------------

  private event(kind: string, detail?: unknown): void {
    if (!this.record) return;
    this.events.push(detail === undefined ? { seq: this.env.nextSeq(), kind } : { seq: this.env.nextSeq(), kind, detail });
  }

  private operation(kind: string, detail: unknown, run: () => void): void {
    this.event(kind, detail);
    run();
    this.env.afterOperation();
  }

  /** After a local reply or reset the upstream response no longer reaches the stream. */
  private upstreamGone(kind: string): boolean {
    if (!this.up.reset && !this.responseDone && !this.reply) return false;
    this.event("ignored", { kind, reason: this.up.reset ? "upstream request was reset" : "response already decided" });
    return true;
  }

  private upstreamFrame(endOfStream: boolean): void {
    if (!endOfStream) return;
    this.upstreamResponseComplete = true;
    this.localComplete = true;
  }

  /** Where a direction's released frames go: the router (upstream) or the client (downstream). */
  private emitters(target: "upstream" | "downstream"): Pick<DirectionHooks, "emitHeaders" | "emitData" | "emitTrailers"> {
    return {
      emitHeaders: (map, eos) => this.deliver(target, "headers", map.toList(), eos),
      emitData: (bytes, eos) => this.deliver(target, "body", bytes, eos),
      emitTrailers: (map) => this.deliver(target, "trailers", map.toList(), true),
    };
  }

  private deliver(target: "upstream" | "downstream", part: "headers" | "body" | "trailers", value: HeaderList | Uint8Array, endOfStream: boolean): void {
    const side = target === "upstream" ? this.up : this.down;
    if (part === "headers") side.headers = value as HeaderList;
    else if (part === "trailers") side.trailers = value as HeaderList;
    else if (this.record) side.body.append(value as Uint8Array);
    if (endOfStream) side.endOfStream = true;
    if (target === "downstream") {
      if (part === "headers") this.responseHeadersSent = true;
      if (endOfStream) this.responseDone = true;
    }
    this.event(`${target}.${part}`, part === "body" ? { bytes: (value as Uint8Array).length, endOfStream } : { endOfStream });
    const listener = this.onFrame;
    if (!listener) return;
    if (part === "headers") listener({ target, kind: "headers", headers: (value as HeaderList).map(([k, v]) => [k, v]), endOfStream });
    else if (part === "trailers") listener({ target, kind: "trailers", trailers: (value as HeaderList).map(([k, v]) => [k, v]) });
    else listener({ target, kind: "body", body: value as Uint8Array, endOfStream });
  }

  private hostReply(status: number, text: string, details: string): void {
    this.sendLocalReply({ status, body: utf8(text), headers: [], grpcStatus: -1, details, source: "host" });
  }

  private afterRequestCallback(): boolean {
    const pending = this.pendingReply;
    if (pending) {
      this.pendingReply = undefined;
      this.executeLocalReply(pending);
    }
    return this.decoderAborted;
  }

  /**
   * DownstreamFilterManager::sendLocalReply: during a request callback the reply is prepared and sent when the
   * callback returns; before any response it goes through the filter (the module's response callbacks see
   * it); once response headers exist it goes straight to the client; once they were sent, the stream is reset.
   */
  private sendLocalReply(request: LocalReplyRequest): void {
    if (this.reply || this.down.reset || this.responseDone) return;
    if (this.request.inCallback) {
      this.pendingReply ??= request;
      return;
    }
    this.executeLocalReply(request);
  }

  private executeLocalReply(request: LocalReplyRequest): void {
    if (this.reply || this.down.reset || this.responseDone) return;
    if (this.responseHeadersSent) {
      this.resetStream(request.details);
      return;
    }
    this.reply = {
      status: request.status,
      details: request.details,
      body: request.body.slice(),
      headers: request.headers.map(([k, v]) => [k, v]),
      grpcStatus: request.grpcStatus,
      source: request.source,
    };
    this.event("local_reply", { status: request.status, details: request.details, source: request.source });
    this.isEnded = true;
    this.decoderAborted = true;
    this.localComplete = true;
    this.resetUpstream();
    const built = buildLocalReply(request, this.requestInfo);
    const bodyless = built.body.length === 0;
    if (!this.responseStarted) {
      this.responseStarted = true;
      this.response.onHeaders(built.headers, bodyless);
      if (!bodyless && !this.down.reset) this.response.onData(built.body, true);
    } else {
      // Response headers exist but were not sent: bypass the filter chain.
      this.encoderAborted = true;
      this.deliver("downstream", "headers", built.headers.toList(), bodyless);
      if (!bodyless) this.deliver("downstream", "body", built.body, true);
    }
  }

  private resetStream(details: string): void {
    if (this.down.reset) return;
    this.down.reset = true;
    this.isEnded = true;
    this.decoderAborted = true;
    this.encoderAborted = true;
    this.localComplete = true;
    this.responseDone = true;
    this.event("downstream.reset", { details });
    this.onFrame?.({ target: "downstream", kind: "reset", details });
    this.resetUpstream();
  }

  /** The router resets an upstream request that is still in flight when the stream ends early. */
  private resetUpstream(): void {
    if (this.up.reset || !this.up.headers || this.upstreamResponseComplete) return;
    this.up.reset = true;
    this.event("upstream.reset");
    this.onFrame?.({ target: "upstream", kind: "reset", details: this.reply?.details ?? "stream reset" });
  }

  private filterCallbacks(): FilterCallbacks {
    return {
      failOpen: this.env.failOpen,
      allowOnHeadersStopIteration: this.env.allowOnHeadersStopIteration,
      continueDecoding: () => this.request.requestContinue(),
      continueEncoding: () => this.response.requestContinue(),
      resetStream: (details) => this.resetStream(details),
      sendLocalReply: (reply) => this.sendLocalReply(reply),
      bufferedData: (direction) => (direction === "request" ? this.request : this.response).buffered,
      addData: (direction, data) => (direction === "request" ? this.request : this.response).addData(data),
      addTrailers: (direction) => {
        const target = direction === "request" ? this.request : this.response;
        target.trailers ??= new HeaderMap();
        return target.trailers;
      },
      event: (kind, detail) => this.event(kind, detail),
    };
  }
}
