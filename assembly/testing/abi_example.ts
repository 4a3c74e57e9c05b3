// A small filter built on the SDK in assembly/abi, used as the test subject for the ABI layer (test/abi*.test.ts)
// and as a worked example for docs/abi.md. Two root ids are registered: "mcp-guard" (the default) filters HTTP,
// "example-2" only configures and lets streams pass.
//
// What the "mcp-guard" root does, driven by request headers:
//   every request         count in metric example_requests; copy all request headers back with
//                         setHeaderMapPairs plus "x-example-seen: <number of headers>"; copy the property
//                         metadata.filter_metadata.example.user (if any) into "x-example-user"
//   x-example-reply: N    answer locally with status N, body "example reply", header "x-example: local"
//   x-example-call: any   pause, call cluster "example-upstream" (GET /check); on the answer put
//                         "x-example-callout: <status> <body>" on the request and resume it (503 locally if the
//                         call failed)
//   response              add "x-example: 1"; log the request body size at end of stream
import {
  BufferType, FilterDataStatus, FilterHeadersStatus, HeaderPair, HttpContext, LogLevel, MapType, MetricType,
  RootContext, StreamType, addHeaderMapValue, continueStream, defineMetric, getBufferBytes, getHeaderMapPairs,
  getHeaderMapValue, getPropertyString, httpCall, incrementMetric, log, replaceHeaderMapValue,
  sendLocalResponse, setEffectiveContext, setHeaderMapPairs, setTickPeriodMilliseconds, utf8DecodeBuffer,
  utf8Encode, registerRootContext, INVALID_ID,
} from "../abi";

export * from "../abi/exports";

class ExampleRoot extends RootContext {
  requests: u32 = INVALID_ID;
  ticks: u32 = INVALID_ID;
  /** HTTP-call token → id of the stream waiting for it. */
  waiting: Map<u32, u32> = new Map<u32, u32>();

  onConfigure(pluginConfigurationSize: i32): bool {
    let text = "";
    if (pluginConfigurationSize > 0) {
      const bytes = getBufferBytes(BufferType.PluginConfiguration, 0, pluginConfigurationSize);
      if (bytes === null) return false;
      text = utf8DecodeBuffer(bytes);
    }
    if (text == "reject") return false;
    this.requests = defineMetric(MetricType.Counter, "example_requests");
    this.ticks = defineMetric(MetricType.Counter, "example_ticks");
    setTickPeriodMilliseconds(1000);
    log(LogLevel.Info, "example: configured root \"" + this.rootId + "\" with \"" + text + "\"");
    return true;
  }

  onTick(): void {
    incrementMetric(this.ticks, 1);
  }

  createHttpContext(contextId: u32): HttpContext | null {
    return new ExampleStream(contextId, this);
  }

  onHttpCallResponse(token: u32, numHeaders: i32, bodySize: i32, numTrailers: i32): void {
    if (!this.waiting.has(token)) return;
    const streamId = this.waiting.get(token);
    this.waiting.delete(token);
    setEffectiveContext(streamId);
    if (numHeaders == 0) {
      sendLocalResponse(503, "example_callout_failed", utf8Encode("callout failed"), new Array<HeaderPair>());
      return;
    }
    const status = getHeaderMapValue(MapType.HttpCallResponseHeaders, ":status");
    const body = getBufferBytes(BufferType.HttpCallResponseBody, 0, bodySize);
    const answer = (status !== null ? status : "?") + " " + (body !== null ? utf8DecodeBuffer(body) : "");
    replaceHeaderMapValue(MapType.HttpRequestHeaders, "x-example-callout", answer);
    continueStream(StreamType.Request);
  }
}

class ExampleStream extends HttpContext {
  private example: ExampleRoot;

  constructor(contextId: u32, root: ExampleRoot) {
    super(contextId, root);
    this.example = root;
  }

  onRequestHeaders(numHeaders: i32, endOfStream: bool): FilterHeadersStatus {
    incrementMetric(this.example.requests, 1);

    const reply = getHeaderMapValue(MapType.HttpRequestHeaders, "x-example-reply");
    if (reply !== null) {
      const headers = new Array<HeaderPair>();
      headers.push(new HeaderPair("x-example", "local"));
      sendLocalResponse(parseStatus(reply), "example_reply", utf8Encode("example reply"), headers);
      return FilterHeadersStatus.StopIteration;
    }

    const pairs = getHeaderMapPairs(MapType.HttpRequestHeaders);
    pairs.push(new HeaderPair("x-example-seen", pairs.length.toString()));
    setHeaderMapPairs(MapType.HttpRequestHeaders, pairs);

    const user = getPropertyString(["metadata", "filter_metadata", "example", "user"]);
    if (user !== null) addHeaderMapValue(MapType.HttpRequestHeaders, "x-example-user", user);

    if (getHeaderMapValue(MapType.HttpRequestHeaders, "x-example-call") !== null) {
      const headers = new Array<HeaderPair>();
      headers.push(new HeaderPair(":method", "GET"));
      headers.push(new HeaderPair(":path", "/check"));
      headers.push(new HeaderPair(":authority", "example-upstream"));
      const call = httpCall("example-upstream", headers, null, new Array<HeaderPair>(), 5000);
      if (call.result != 0) {
        sendLocalResponse(503, "example_callout_refused", utf8Encode("callout refused"), new Array<HeaderPair>());
        return FilterHeadersStatus.StopIteration;
      }
      this.example.waiting.set(call.token, this.contextId);
      return FilterHeadersStatus.StopIteration;
    }
    return FilterHeadersStatus.Continue;
  }

  onRequestBody(bodySize: i32, endOfStream: bool): FilterDataStatus {
    if (!endOfStream) return FilterDataStatus.StopIterationAndBuffer;
    const body = getBufferBytes(BufferType.HttpRequestBody, 0, bodySize);
    log(LogLevel.Info, "example: request body " + (body !== null ? body.byteLength.toString() : "unreadable") + " bytes");
    return FilterDataStatus.Continue;
  }

  onResponseHeaders(numHeaders: i32, endOfStream: bool): FilterHeadersStatus {
    addHeaderMapValue(MapType.HttpResponseHeaders, "x-example", "1");
    return FilterHeadersStatus.Continue;
  }

  onLog(): void {
    log(LogLevel.Debug, "example: stream " + this.contextId.toString() + " logged");
  }
}

/** A three-digit status code, or 500 for anything else. */
function parseStatus(text: string): u32 {
  if (text.length != 3) return 500;
  let status: u32 = 0;
  for (let i = 0; i < 3; i++) {
    const digit = <u32>text.charCodeAt(i) - 48;
    if (digit > 9) return 500;
    status = status * 10 + digit;
  }
  return status >= 200 ? status : 500;
}

class SecondRoot extends RootContext {
  onConfigure(pluginConfigurationSize: i32): bool {
    log(LogLevel.Info, "example-2: configured");
    return true;
  }
}

function createExampleRoot(contextId: u32, rootId: string): RootContext {
  return new ExampleRoot(contextId, rootId);
}

function createSecondRoot(contextId: u32, rootId: string): RootContext {
  return new SecondRoot(contextId, rootId);
}

registerRootContext("mcp-guard", createExampleRoot);
registerRootContext("example-2", createSecondRoot);
