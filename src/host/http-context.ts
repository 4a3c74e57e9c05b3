// The per-stream context of the wasm HTTP filter, modelled on Envoy's Context (decodeHeaders / decodeData /
// encode* / log / onDestroy in source/extensions/common/wasm/context.cc) and cpp-host's ContextBase
// (CHECK_FAIL_HTTP, status conversion). It decides what the module may see and change at each moment:
//  - request headers are writable only while they are stopped (a Continue answer or proxy_continue_stream drops
//    them: later writes are BAD_ARGUMENT, reads give BAD_ARGUMENT / an empty list);
//  - the body callback sees the whole buffered body once the previous answer was StopIterationAndBuffer;
//  - proxy_send_local_response / continue / close are deferred until the callback returns.
import { BufferType, MapType, StreamType, WasmResult, type DataAction, type HeadersAction, type TrailersAction } from "./abi.ts";
import type { ByteBuffer } from "./bytes.ts";
import { Context, EMPTY_BUFFER, InstanceBuffer, type BufferView } from "./context.ts";
import type { HeaderMap } from "./header-map.ts";
import type { PropertyLookup } from "./properties.ts";
import type { RootContext } from "./root-context.ts";
import { returnsValue } from "./signatures.ts";
import { dataAction, headersAction, trailersAction } from "./status.ts";
import type { HeaderList } from "./types.ts";
import type { WasmVm } from "./vm.ts";

export interface LocalReplyRequest {
  status: number;
  body: Uint8Array;
  headers: HeaderList;
  /** -1 = none */
  grpcStatus: number;
  details: string;
  source: "module" | "host";
}

/** What the filter manager (HttpStream) offers the context: Envoy's decoder / encoder filter callbacks. */
export interface FilterCallbacks {
  readonly failOpen: boolean;
  readonly allowOnHeadersStopIteration: boolean;
  continueDecoding(): void;
  continueEncoding(): void;
  resetStream(details: string): void;
  sendLocalReply(reply: LocalReplyRequest): void;
  /** The buffered request / response data (decodingBuffer / encodingBuffer). */
  bufferedData(direction: "request" | "response"): ByteBuffer | null;
  /** addDecodedData / addEncodedData(data, streaming = false): moves `data` into the buffered data. */
  addData(direction: "request" | "response", data: ByteBuffer): void;
  /** addDecodedTrailers / addEncodedTrailers (allowed in the last data callback). */
  addTrailers(direction: "request" | "response"): HeaderMap;
  event(kind: string, detail?: unknown): void;
}

interface AccessLogView {
  requestHeaders: HeaderMap | null;
  responseHeaders: HeaderMap | null;
  responseTrailers: HeaderMap | null;
}

const GRPC_MAX_KNOWN_STATUS = 16;
const GRPC_UNAVAILABLE = 14;

interface DirectionState {
  headers: HeaderMap | null;
  body: ByteBuffer | null;
  trailers: HeaderMap | null;
  buffering: boolean;
}

export class StreamContext extends Context {
  readonly id: number;
  private inVmCreated = false;
  private destroyed = false;
  private streamFailed = false;
  private failureLocalReplySent = false;
  private endOfStream = false;
  private accessLog: AccessLogView | null = null;
  private readonly request: DirectionState = { headers: null, body: null, trailers: null, buffering: false };
  private readonly response: DirectionState = { headers: null, body: null, trailers: null, buffering: false };

  /** `withVm` false is Envoy's "empty Context" of a fail-closed filter whose VM is unusable. */
  constructor(
    vm: WasmVm,
    readonly root: RootContext,
    readonly properties: PropertyLookup,
    private readonly callbacks: FilterCallbacks,
    private readonly withVm: boolean,
  ) {
    super(vm);
    this.id = withVm ? vm.allocContextId() : 0;
    if (withVm) vm.registerContext(this);
  }

  private isFailed(): boolean {
    return !this.withVm || this.vm.failed;
  }

  override accessLogPhase(): boolean {
    return this.accessLog !== null;
  }

  // ---- filter callbacks (called by the stream) ----------------------------------------------------------

  decodeHeaders(map: HeaderMap, endOfStream: boolean): HeadersAction {
    this.onCreate();
    return this.onHeaders("request", map, endOfStream);
  }

  decodeData(data: ByteBuffer, endOfStream: boolean): DataAction {
    return this.onData("request", data, endOfStream);
  }

  decodeTrailers(map: HeaderMap): TrailersAction {
    return this.onTrailers("request", map);
  }

  // The fail-closed local reply and streams never seen by the VM pass the encoder untouched.

  encodeHeaders(map: HeaderMap, endOfStream: boolean): HeadersAction {
    return this.encoderSkipped() ? "Continue" : this.onHeaders("response", map, endOfStream);
  }

  encodeData(data: ByteBuffer, endOfStream: boolean): DataAction {
    return this.encoderSkipped() ? "Continue" : this.onData("response", data, endOfStream);
  }

  encodeTrailers(map: HeaderMap): TrailersAction {
    return this.encoderSkipped() ? "Continue" : this.onTrailers("response", map);
  }

  private encoderSkipped(): boolean {
    return !this.inVmCreated || this.failureLocalReplySent;
  }

  /** Access-log time (Envoy's Context::log): proxy_on_log with the final request / response maps readable. */
  log(view: AccessLogView): void {
    if (!this.inVmCreated) this.onCreate();
    this.accessLog = view;
    if (!this.isFailed() && this.vm.has("proxy_on_log")) {
      this.vm.call(this, "proxy_on_log", [this.id]);
      this.callbacks.event("callback", { name: "proxy_on_log", args: [this.id] });
      this.vm.finishCallback();
    }
    this.accessLog = null;
  }

  /** Filter destruction (Envoy's Context::onDestroy): proxy_on_done (answer ignored) then proxy_on_delete. */
  destroy(): void {
    if (this.destroyed || !this.inVmCreated) return;
    this.destroyed = true;
    for (const name of ["proxy_on_done", "proxy_on_delete"]) {
      if (this.isFailed() || !this.vm.has(name)) continue;
      const result = this.vm.call(this, name, [this.id]);
      this.callbacks.event("callback", returnsValue(name) ? { name, args: [this.id], result } : { name, args: [this.id] });
      this.vm.finishCallback();
    }
    this.vm.unregisterContext(this.id);
  }

  private onCreate(): void {
    if (!this.isFailed() && !this.inVmCreated && this.vm.has("proxy_on_context_create")) {
      this.vm.call(this, "proxy_on_context_create", [this.id, this.root.id]);
      this.callbacks.event("callback", { name: "proxy_on_context_create", args: [this.id, this.root.id] });
      this.vm.finishCallback();
    }
    this.inVmCreated = true;
  }

  /** Headers stay modifiable until the callback answers Continue (Envoy drops its pointer then). */
  private onHeaders(direction: "request" | "response", map: HeaderMap, endOfStream: boolean): HeadersAction {
    const state = this.state(direction);
    state.headers = map;
    this.endOfStream = endOfStream;
    const action = this.runHeaders(direction === "request" ? "proxy_on_request_headers" : "proxy_on_response_headers", map.size, endOfStream);
    if (action === "Continue") state.headers = null;
    return action;
  }

  private onTrailers(direction: "request" | "response", map: HeaderMap): TrailersAction {
    if (!this.inVmCreated) return "Continue";
    const state = this.state(direction);
    state.trailers = map;
    const action = this.runTrailers(direction === "request" ? "proxy_on_request_trailers" : "proxy_on_response_trailers", map.size);
    if (action === "Continue") state.trailers = null;
    return action;
  }

  private onData(direction: "request" | "response", data: ByteBuffer, endOfStream: boolean): DataAction {
    if (!this.inVmCreated) return "Continue";
    const state = this.state(direction);
    if (state.buffering) this.callbacks.addData(direction, data);
    state.body = data;
    this.endOfStream = endOfStream;
    const size = this.getBuffer(direction === "request" ? BufferType.HttpRequestBody : BufferType.HttpResponseBody)?.size() ?? 0;
    const name = direction === "request" ? "proxy_on_request_body" : "proxy_on_response_body";
    const action = this.run<DataAction>(name, [this.id, size, endOfStream ? 1 : 0], "Continue", "StopIterationNoBuffer", dataAction);
    state.buffering = action === "StopIterationAndBuffer";
    if (action === "Continue") state.body = null;
    return action;
  }

  private runHeaders(name: string, count: number, endOfStream: boolean): HeadersAction {
    const allow = this.callbacks.allowOnHeadersStopIteration;
    return this.run<HeadersAction>(name, [this.id, count, endOfStream ? 1 : 0], "Continue", "StopAllIterationAndWatermark", (raw, stopped) =>
      headersAction(raw, stopped, allow),
    );
  }

  private runTrailers(name: string, count: number): TrailersAction {
    return this.run<TrailersAction>(name, [this.id, count], "Continue", "StopIteration", trailersAction);
  }

  /** One callback with CHECK_FAIL_HTTP before and after it and the deferred actions run at its end. */
  private run<A extends string>(name: string, args: number[], open: A, closed: A, convert: (raw: number, stopped: boolean) => A): A {
    const before = this.checkFail(open, closed);
    if (before !== undefined) return before;
    if (!this.vm.has(name)) return open;
    const raw = this.vm.call(this, name, args);
    const stopped = this.vm.stopNextIteration;
    const action = this.checkFail(open, closed) ?? convert(raw ?? 0, stopped);
    this.callbacks.event("callback", { name, args, result: raw, action });
    this.vm.finishCallback();
    return action;
  }

  /** CHECK_FAIL_HTTP: a failed VM lets traffic pass (fail open) or answers 503 once (fail closed). */
  private checkFail<A>(open: A, closed: A): A | undefined {
    if (!this.isFailed()) return undefined;
    if (this.callbacks.failOpen) return open;
    if (!this.streamFailed) {
      this.streamFailed = true;
      if (!this.failureLocalReplySent) {
        this.failureLocalReplySent = true;
        this.callbacks.sendLocalReply({
          status: 503,
          body: new Uint8Array(0),
          headers: [],
          grpcStatus: GRPC_UNAVAILABLE,
          details: "wasm_fail_stream",
          source: "host",
        });
      }
    }
    return closed;
  }

  private state(direction: "request" | "response"): DirectionState {
    return direction === "request" ? this.request : this.response;
  }

  // ---- what host functions see ---------------------------------------------------------------------------

  override getMutableMap(type: number): HeaderMap | null {
    switch (type) {
      case MapType.HttpRequestHeaders:
        return this.request.headers;
      case MapType.HttpRequestTrailers:
        return this.trailersFor("request");
      case MapType.HttpResponseHeaders:
        return this.response.headers;
      case MapType.HttpResponseTrailers:
        return this.trailersFor("response");
      default:
        return null;
    }
  }

  /** Trailers may be added from the last data callback of a stream that has none (addDecodedTrailers). */
  private trailersFor(direction: "request" | "response"): HeaderMap | null {
    const state = this.state(direction);
    if (!state.trailers && state.body && this.endOfStream) state.trailers = this.callbacks.addTrailers(direction);
    return state.trailers;
  }

  override getConstMap(type: number): HeaderMap | null {
    const log = this.accessLog;
    switch (type) {
      case MapType.HttpRequestHeaders:
        return log ? log.requestHeaders : this.request.headers;
      case MapType.HttpRequestTrailers:
        return log ? null : this.request.trailers;
      case MapType.HttpResponseHeaders:
        return log ? log.responseHeaders : this.response.headers;
      case MapType.HttpResponseTrailers:
        return log ? log.responseTrailers : this.response.trailers;
      default:
        return super.getConstMap(type);
    }
  }

  protected override bodyBuffer(type: number): BufferView | null {
    const direction = type === BufferType.HttpRequestBody ? "request" : type === BufferType.HttpResponseBody ? "response" : null;
    if (!direction) return null;
    const state = this.state(direction);
    if (state.buffering) {
      const buffered = this.callbacks.bufferedData(direction);
      return buffered ? new InstanceBuffer(buffered) : EMPTY_BUFFER;
    }
    return state.body ? new InstanceBuffer(state.body) : null;
  }

  override sendLocalResponse(status: number, body: Uint8Array, headers: HeaderList, grpcStatus: number, details: string): void {
    const reply: LocalReplyRequest = {
      status,
      body,
      headers,
      grpcStatus: grpcStatus >= 0 && grpcStatus <= GRPC_MAX_KNOWN_STATUS ? grpcStatus : -1,
      details: details.replace(/\s/g, "_"),
      source: "module",
    };
    this.vm.addAfterCallAction(() => this.callbacks.sendLocalReply(reply));
  }

  override continueStream(type: number): number {
    switch (type) {
      case StreamType.Request:
        this.vm.addAfterCallAction(() => this.callbacks.continueDecoding());
        break;
      case StreamType.Response:
        this.vm.addAfterCallAction(() => this.callbacks.continueEncoding());
        break;
      case StreamType.Downstream:
        return WasmResult.Ok;
      case StreamType.Upstream:
        return WasmResult.Unimplemented;
      default:
        return WasmResult.BadArgument;
    }
    // Envoy drops its request pointers after either continue (even for the response stream).
    this.request.headers = null;
    this.request.body = null;
    this.request.trailers = null;
    return WasmResult.Ok;
  }

  override closeStream(type: number): number {
    if (type === StreamType.Request || type === StreamType.Response) {
      this.vm.addAfterCallAction(() => this.callbacks.resetStream("wasm_close_stream"));
    }
    return type <= StreamType.Upstream ? WasmResult.Ok : WasmResult.BadArgument;
  }

  override recordEvent(kind: string, detail?: unknown): void {
    this.callbacks.event(kind, detail);
  }
}
