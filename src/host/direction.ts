// One direction (request or response) of Envoy's filter manager (source/common/http/filter_manager.cc) with a
// single filter — the wasm filter — between the source (client or upstream) and the sink (router or client):
// iteration state after each callback, buffering of data while stopped, the buffer limit, and
// commonContinue(), which releases stopped headers, buffered data and trailers in order.
import type { DataAction, HeadersAction, TrailersAction } from "./abi.ts";
import { ByteBuffer } from "./bytes.ts";
import type { HeaderMap } from "./header-map.ts";

type IterationState = "Continue" | "StopSingleIteration" | "StopAllBuffer" | "StopAllWatermark";

export interface DirectionFilter {
  headers(map: HeaderMap, endOfStream: boolean): HeadersAction;
  data(data: ByteBuffer, endOfStream: boolean): DataAction;
  trailers(map: HeaderMap): TrailersAction;
}

export interface DirectionHooks {
  /** The wasm filter, or undefined when it is not installed (fail open with an unusable VM). */
  readonly filter: DirectionFilter | undefined;
  readonly bufferLimit: number;
  emitHeaders(map: HeaderMap, endOfStream: boolean): void;
  emitData(bytes: Uint8Array, endOfStream: boolean): void;
  emitTrailers(map: HeaderMap): void;
  /** False once this direction may not resume (decoder: response complete; encoder: response sent). */
  canContinue(): boolean;
  /** Incoming frames are ignored (decoder: the response is complete / the stream was reset). */
  dropIncoming(): boolean;
  /** Runs after every filter callback; true when the chain was aborted (local reply, reset). */
  afterFilterCall(): boolean;
  /** Buffered data went over the limit while not streaming (413 / 500 / reset). */
  tooLarge(): void;
  /** Buffered data went over the limit while streaming (Envoy applies flow control). */
  watermark(): void;
}

export class Direction {
  headers: HeaderMap | null = null;
  trailers: HeaderMap | null = null;
  /** Envoy's buffered_request_data_ / buffered_response_data_ (stays allocated once created). */
  buffered: ByteBuffer | null = null;
  /** The source has sent everything (end of stream seen). */
  complete = false;
  /** A filter callback of this direction is running. */
  inCallback = false;
  private state: IterationState = "Continue";
  private headersContinued = false;
  private filterEndStream = false;
  private iterateFromCurrent = false;
  private streaming = false;
  private aboveLimit = false;
  private continueRequested = false;

  constructor(private readonly hooks: DirectionHooks) {}

  get stopped(): boolean {
    return this.state !== "Continue";
  }

  private stoppedAll(): boolean {
    return this.state === "StopAllBuffer" || this.state === "StopAllWatermark";
  }

  onHeaders(map: HeaderMap, endOfStream: boolean): void {
    this.headers = map;
    if (endOfStream) this.complete = true;
    const filter = this.hooks.filter;
    if (!filter) {
      this.headersContinued = true;
      this.hooks.emitHeaders(map, endOfStream);
      return;
    }
    this.filterEndStream = endOfStream;
    const action = this.callFilter(() => filter.headers(map, endOfStream));
    if (action === undefined) return;
    if (action === "Continue") {
      this.headersContinued = true;
      this.hooks.emitHeaders(map, endOfStream);
    } else {
      this.state = action === "StopIteration" ? "StopSingleIteration" : action === "StopAllIterationAndBuffer" ? "StopAllBuffer" : "StopAllWatermark";
    }
    this.runRequestedContinue();
  }

  onData(chunk: Uint8Array, endOfStream: boolean): void {
    if (this.hooks.dropIncoming()) return;
    if (endOfStream) this.complete = true;
    if (!this.hooks.filter) {
      this.hooks.emitData(chunk, endOfStream);
      return;
    }
    this.deliverData(new ByteBuffer(chunk), endOfStream);
  }

  onTrailers(map: HeaderMap): void {
    if (this.hooks.dropIncoming()) return;
    this.complete = true;
    this.trailers = map;
    if (!this.hooks.filter) {
      this.hooks.emitTrailers(map);
      return;
    }
    // Stopped for all frame types: the trailers wait for commonContinue().
    if (this.stoppedAll()) return;
    this.deliverTrailers(map);
  }

  /** proxy_continue_stream: deferred while this direction's own callback is still being processed. */
  requestContinue(): void {
    if (this.inCallback) this.continueRequested = true;
    else this.commonContinue();
  }

  /** addDecodedData / addEncodedData from the filter (never streaming). */
  addData(data: ByteBuffer): void {
    this.streaming = false;
    this.moveToBuffer(data);
  }

  private deliverData(data: ByteBuffer, endOfStream: boolean): void {
    const filter = this.hooks.filter;
    if (!filter) return;
    if (this.stoppedAll()) {
      this.streaming = this.state === "StopAllWatermark";
      this.moveToBuffer(data);
      return;
    }
    if (this.filterEndStream) return;
    const hadTrailers = this.trailers !== null;
    this.filterEndStream = endOfStream && !hadTrailers;
    const eos = this.filterEndStream;
    const action = this.callFilter(() => filter.data(data, eos));
    if (action === undefined) return;
    // Trailers the filter added in the last data callback follow the data (addDecodedTrailers).
    const added = !hadTrailers && this.trailers ? this.trailers : null;
    if (action === "Continue") {
      if (this.state === "StopSingleIteration") {
        this.moveToBuffer(data);
        this.commonContinue();
      } else {
        this.hooks.emitData(data.take(), endOfStream && !added);
        this.resetLimit();
        if (added) this.hooks.emitTrailers(added);
      }
    } else {
      this.state = "StopSingleIteration";
      if (action === "StopIterationAndBuffer" || action === "StopIterationAndWatermark") {
        this.streaming = action === "StopIterationAndWatermark";
        this.moveToBuffer(data);
      } else if (this.complete && !this.trailers && !this.buffered) {
        // NoBuffer on the last frame: keep an empty buffer so a later continue still ends the stream.
        this.buffered = new ByteBuffer();
      }
    }
    this.runRequestedContinue();
  }

  private deliverTrailers(map: HeaderMap): void {
    const filter = this.hooks.filter;
    if (!filter) return;
    this.filterEndStream = true;
    const action = this.callFilter(() => filter.trailers(map));
    if (action === undefined) return;
    if (action === "Continue") {
      if (this.state === "StopSingleIteration") this.commonContinue();
      else this.hooks.emitTrailers(map);
    } else if (this.state === "Continue") {
      this.state = "StopSingleIteration";
    }
    this.runRequestedContinue();
  }

  /** Runs one filter callback; undefined when the chain was aborted meanwhile. */
  private callFilter<A>(call: () => A): A | undefined {
    this.inCallback = true;
    let action: A;
    try {
      action = call();
    } finally {
      this.inCallback = false;
    }
    if (this.hooks.afterFilterCall()) {
      this.continueRequested = false;
      return undefined;
    }
    return action;
  }

  private runRequestedContinue(): void {
    if (!this.continueRequested) return;
    this.continueRequested = false;
    this.commonContinue();
  }

  /** Envoy's ActiveStreamFilterBase::commonContinue(). */
  commonContinue(): void {
    if (!this.hooks.canContinue() || this.state === "Continue") return;
    if (this.stoppedAll()) this.iterateFromCurrent = true;
    this.state = "Continue";
    if (!this.headersContinued && this.headers) {
      this.headersContinued = true;
      this.hooks.emitHeaders(this.headers, this.complete && !this.buffered && !this.trailers);
    }
    const trailers = this.trailers;
    if (this.buffered && this.hooks.canContinue()) {
      const endOfStream = this.complete && !trailers;
      if (this.iterateFromCurrent) this.deliverData(this.buffered, endOfStream);
      else {
        this.hooks.emitData(this.buffered.take(), endOfStream);
        this.resetLimit();
      }
    }
    if (trailers && this.hooks.canContinue()) {
      if (this.iterateFromCurrent) this.deliverTrailers(trailers);
      else this.hooks.emitTrailers(trailers);
    }
    this.iterateFromCurrent = false;
  }

  private moveToBuffer(data: ByteBuffer): void {
    if (data === this.buffered) return;
    if (!this.buffered) this.buffered = new ByteBuffer();
    this.buffered.append(data.take());
    const limit = this.hooks.bufferLimit;
    if (limit > 0 && this.buffered.length > limit && !this.aboveLimit) {
      this.aboveLimit = true;
      if (this.streaming) this.hooks.watermark();
      else this.hooks.tooLarge();
    }
  }

  private resetLimit(): void {
    if (!this.buffered || this.buffered.length === 0) this.aboveLimit = false;
  }
}
