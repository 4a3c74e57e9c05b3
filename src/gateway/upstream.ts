// The MCP server behind the gateway: where requests the filter released go, over keep-alive connections (the
// role of Envoy's router and cluster). Request paths are forwarded unchanged, as a sidecar does; the upstream
// URL's own path only tells the gateway which endpoint to advertise.
import http from "node:http";
import https from "node:https";
import type { HeaderList } from "../host/index.ts";
import { toOutgoing } from "./headers.ts";

export class Upstream {
  readonly url: URL;
  private readonly agent: http.Agent;

  constructor(url: string | URL) {
    this.url = new URL(url);
    if (this.url.protocol !== "http:" && this.url.protocol !== "https:") {
      throw new Error(`upstream must be an http:// or https:// URL, got ${this.url.protocol}`);
    }
    const Agent = this.url.protocol === "https:" ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true });
  }

  /** The upstream's path (e.g. "/mcp"), which is where clients of the gateway connect too. */
  get path(): string {
    return this.url.pathname + this.url.search;
  }

  /**
   * Starts the upstream request for headers the filter released. The Host header becomes the upstream's
   * authority (Envoy's auto host rewrite), so virtual-hosted and DNS-rebinding-protected servers accept it.
   */
  request(released: HeaderList): http.ClientRequest {
    const { pseudo, headers } = toOutgoing(released);
    headers.host = this.url.host;
    const options: http.RequestOptions = {
      protocol: this.url.protocol,
      hostname: this.url.hostname.replace(/^\[|\]$/g, ""),
      port: this.url.port || (this.url.protocol === "https:" ? 443 : 80),
      method: pseudo.get(":method") ?? "GET",
      path: pseudo.get(":path") ?? "/",
      headers,
      agent: this.agent,
    };
    const req = (this.url.protocol === "https:" ? https : http).request(options);
    req.setNoDelay(true);
    return req;
  }

  close(): void {
    this.agent.destroy();
  }
}
