// One repository on one registry, spoken to through the OCI distribution API. Handles authentication the way
// docker/skopeo do: try, and on 401 answer the WWW-Authenticate challenge (Basic credentials, or a bearer token
// fetched from the challenge's realm) and retry once.
import { basicHeader, fetchBearerToken, parseChallenge, type RegistryAuth } from "./auth.ts";
import { errorFromNetwork, errorFromResponse, RegistryError, type RegistryOperation } from "./errors.ts";
import { apiHost } from "./reference.ts";

export interface RegistryClientOptions {
  auth?: RegistryAuth;
  /** Plain HTTP instead of HTTPS (a local test registry). */
  insecure?: boolean;
  /** Per request; default 60 s. */
  timeoutMs?: number;
  /** For tests and custom transports; default the global fetch. */
  fetch?: typeof fetch;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** Statuses that are an answer, not a failure (e.g. [200, 404] for a HEAD that checks existence). */
  expect: number[];
  /** What we were doing, for error messages: "upload blob sha256:…". */
  what: string;
}

export class RegistryClient {
  readonly baseUrl: string;
  private authorization: string | undefined;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(
    readonly registry: string,
    readonly repository: string,
    readonly operation: RegistryOperation,
    private readonly options: RegistryClientOptions = {},
  ) {
    this.baseUrl = `${options.insecure ? "http" : "https"}://${apiHost(registry)}`;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.fetchImpl = options.fetch ?? fetch;
    if (options.auth && "token" in options.auth) this.authorization = `Bearer ${options.auth.token}`;
  }

  /** `/v2/<repository>/<rest>` as an absolute URL. */
  url(rest: string): string {
    return `${this.baseUrl}/v2/${this.repository}/${rest}`;
  }

  /** Resolves a Location header (absolute or relative) against the registry. */
  resolve(location: string): string {
    return new URL(location, this.baseUrl).toString();
  }

  async request(method: string, url: string, options: RequestOptions): Promise<Response> {
    let response = await this.send(method, url, options);
    let refused: string | undefined;
    if (response.status === 401 && !options.expect.includes(401)) {
      refused = await this.answerChallenge(response, method, url, options.what);
      if (refused) response = await this.send(method, url, options);
    }
    if (!options.expect.includes(response.status)) {
      throw await errorFromResponse(response, method, url, {
        repository: this.repository, registry: this.registry, operation: this.operation, what: options.what,
        ...(response.status === 401 && refused ? { hint: `Authentication failed: ${refused}` } : {}),
      });
    }
    return response;
  }

  private async send(method: string, url: string, options: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { "user-agent": "mcp-guard", ...options.headers };
    if (this.authorization) headers.authorization = this.authorization;
    try {
      return await this.fetchImpl(url, {
        method,
        headers,
        ...(options.body !== undefined ? { body: options.body as Uint8Array<ArrayBuffer> } : {}),
        redirect: "follow",
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw errorFromNetwork(e, method, url, { registry: this.registry, insecure: this.options.insecure ?? false, what: options.what });
    }
  }

  /**
   * Sets the Authorization for a retry and returns what to say if the retry is refused too; undefined when there
   * is nothing new to try.
   */
  private async answerChallenge(response: Response, method: string, url: string, what: string): Promise<string | undefined> {
    const challenge = parseChallenge(response.headers.get("www-authenticate"));
    await response.body?.cancel().catch(() => undefined);
    const auth = this.options.auth;
    const fail = (reason: string): never => {
      const hint = `Authentication failed: ${reason}`;
      throw new RegistryError(`${what}: registry answered 401 Unauthorized to ${method} ${url}. ${hint}`, 401, "UNAUTHORIZED", hint);
    };
    if (!challenge) {
      if (!auth) fail("the registry requires credentials and sent no WWW-Authenticate challenge; give a username/password or a token.");
      return undefined;
    }
    if (challenge.scheme === "basic") {
      if (!auth) fail(`the registry requires a username and password (Basic realm ${JSON.stringify(challenge.params.realm ?? "")}).`);
      if (auth && "token" in auth) fail("the registry asks for Basic credentials, not a bearer token: give a username and password.");
      const header = basicHeader((auth as { username: string }).username, (auth as { password: string }).password);
      if (this.authorization === header) fail("the registry refused the username/password.");
      this.authorization = header;
      return "the registry refused the username/password.";
    }
    if (challenge.scheme === "bearer") {
      if (auth && "token" in auth) fail("the registry refused the bearer token (expired, or without the needed scope).");
      const realm = challenge.params.realm;
      if (!realm) fail("the registry's bearer challenge names no realm (token endpoint).");
      const actions = this.operation === "push" ? "pull,push" : "pull";
      // Ask for everything this client will do, plus whatever the challenge named, so one token serves the push.
      const ours = `repository:${this.repository}:${actions}`;
      const theirs = challenge.params.scope;
      const scopes = theirs && !theirs.startsWith(`repository:${this.repository}:`) ? [ours, theirs] : [ours];
      const scope = scopes.join(" ");
      let token: string;
      try {
        token = await fetchBearerToken({
          realm: realm as string, ...(challenge.params.service ? { service: challenge.params.service } : {}), scopes,
          ...(auth ? { auth } : {}), timeoutMs: this.timeoutMs, fetchImpl: this.fetchImpl,
        });
      } catch (e) {
        return fail(`${(e as Error).message}.`);
      }
      const header = `Bearer ${token}`;
      const refused = `the token granted for scope ${scope} was refused: the account may lack ${actions} rights on ${this.repository}.`;
      if (this.authorization === header) fail(refused);
      this.authorization = header;
      return refused;
    }
    return fail(`unsupported authentication scheme ${JSON.stringify(challenge.scheme)}.`);
  }
}
