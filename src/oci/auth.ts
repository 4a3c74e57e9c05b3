// Registry authentication (distribution "token authentication" and HTTP Basic): parsing a WWW-Authenticate
// challenge and fetching a bearer token from the realm it names.

export type RegistryAuth = { username: string; password: string } | { token: string };

export interface Challenge {
  scheme: string;                    // lower-case: "basic" or "bearer"
  params: Record<string, string>;    // realm, service, scope, error, ...
}

/** Parses `Bearer realm="https://auth/token",service="reg",scope="repository:a:pull,push"` (quoted or token values). */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const m = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?\s*/gy;
  const rest = m[2] ?? "";
  let match: RegExpExecArray | null;
  while ((match = re.exec(rest)) !== null && match[0] !== "") {
    params[(match[1] ?? "").toLowerCase()] = match[2] !== undefined ? match[2].replace(/\\(.)/g, "$1") : (match[3] ?? "");
  }
  return { scheme: (m[1] ?? "").toLowerCase(), params };
}

export function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}

export interface TokenRequest {
  realm: string;
  service?: string;
  scopes: string[];
  auth?: RegistryAuth;
  timeoutMs: number;
  fetchImpl: typeof fetch;
}

/** GET realm?service=…&scope=… (with Basic credentials when we have them) → the bearer token it grants. */
export async function fetchBearerToken(req: TokenRequest): Promise<string> {
  let url: URL;
  try {
    url = new URL(req.realm);
  } catch {
    throw new Error(`registry sent a bearer challenge with an invalid realm ${JSON.stringify(req.realm)}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error(`token realm must be http(s): ${req.realm}`);
  if (req.service) url.searchParams.set("service", req.service);
  for (const scope of req.scopes) url.searchParams.append("scope", scope);
  const headers: Record<string, string> = { accept: "application/json" };
  if (req.auth && "username" in req.auth) headers.authorization = basicHeader(req.auth.username, req.auth.password);
  let response: Response;
  try {
    response = await req.fetchImpl(url, { headers, signal: AbortSignal.timeout(req.timeoutMs) });
  } catch (e) {
    throw new Error(`token endpoint ${url.origin}${url.pathname} unreachable: ${(e as Error).message}`);
  }
  if (!response.ok) {
    const what = response.status === 401 || response.status === 403
      ? "refused the credentials: check the username/password"
      : "failed";
    throw Object.assign(new Error(`token endpoint ${url.origin}${url.pathname} ${what} (${response.status} ${response.statusText}) for scope ${req.scopes.join(" ")}`), { status: response.status });
  }
  const body = (await response.json().catch(() => ({}))) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (!token) throw new Error(`token endpoint ${url.origin}${url.pathname} answered without a token`);
  return token;
}
