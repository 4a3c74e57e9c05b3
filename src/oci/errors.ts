// Registry failures as errors that say what happened (method, URL, status, the registry's own error code) and
// what to do about it.

export type RegistryOperation = "push" | "pull";

export class RegistryError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,   // undefined: no HTTP answer (connection, TLS, timeout)
    readonly code: string | undefined,     // first error code from the registry's JSON body, e.g. "UNAUTHORIZED"
    readonly hint: string,
  ) {
    super(message);
    this.name = "RegistryError";
  }
}

interface RegistryErrorBody {
  errors?: Array<{ code?: string; message?: string; detail?: unknown }>;
}

export async function errorFromResponse(
  response: Response, method: string, url: string,
  context: { repository: string; registry: string; operation: RegistryOperation; what: string; hint?: string },
): Promise<RegistryError> {
  let code: string | undefined;
  let detail = "";
  const text = method === "HEAD" ? "" : await response.text().catch(() => "");
  try {
    const body = JSON.parse(text) as RegistryErrorBody;
    const first = body.errors?.[0];
    if (first) {
      code = first.code;
      detail = [first.code, first.message].filter(Boolean).join(": ");
    }
  } catch {
    detail = text.trim().slice(0, 200);
  }
  const hint = context.hint ?? hintFor(response.status, context);
  const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
  const message = `${context.what}: registry answered ${status} to ${method} ${url}${detail ? ` (${detail})` : ""}. ${hint}`;
  return new RegistryError(message, response.status, code, hint);
}

export function errorFromNetwork(error: unknown, method: string, url: string, context: { registry: string; insecure: boolean; what: string }): RegistryError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? (error as { code?: string }).code;
  const reason = cause?.message ?? (error as Error).message;
  let hint: string;
  if (code === "ECONNREFUSED") hint = `Nothing accepts connections at ${context.registry}: check the host and port, and that the registry is running.`;
  else if (code === "ENOTFOUND" || code === "EAI_AGAIN") hint = `The host name of ${context.registry} does not resolve: check the registry part of the reference.`;
  else if ((error as Error).name === "TimeoutError" || code === "UND_ERR_CONNECT_TIMEOUT") hint = "The registry did not answer in time: check connectivity, or raise the timeout.";
  else if (/SSL|TLS|certificate|EPROTO|wrong version number/i.test(`${code ?? ""} ${reason}`)) {
    hint = context.insecure
      ? "TLS/protocol failure talking plain HTTP: the registry may require HTTPS (drop the insecure option)."
      : "TLS failure: if the registry serves plain HTTP (a local test registry), use the insecure option; otherwise check its certificate.";
  } else hint = "Check network access to the registry.";
  return new RegistryError(`${context.what}: ${method} ${url} failed: ${reason}${code ? ` (${code})` : ""}. ${hint}`, undefined, code, hint);
}

function hintFor(status: number, c: { repository: string; registry: string; operation: RegistryOperation }): string {
  if (status === 401) {
    return `Authentication failed: give credentials this registry accepts (username/password, or a bearer token) that grant ${c.operation === "push" ? "pull,push" : "pull"} on ${c.repository}.`;
  }
  if (status === 403) {
    return `The credentials were accepted but may not ${c.operation} ${c.repository}: ask the registry's administrator for ${c.operation} rights, or use a repository you own.`;
  }
  if (status === 404) {
    return c.operation === "pull"
      ? `Not found: check the repository ${c.repository} and the tag or digest at ${c.registry}.`
      : `Not found: check the registry host and repository name (${c.registry}/${c.repository}); some registries (e.g. ECR) need the repository created before the first push.`;
  }
  if (status === 405) return "The registry does not allow this operation here (a read-only mirror or pull-through cache?).";
  if (status === 413) return "Too large for the registry or a proxy in front of it: push with a smaller chunkSize, or raise the proxy's body limit.";
  if (status === 416) return "The registry rejected the upload range: the upload session is out of step; push again.";
  if (status === 429) return "Rate limited: wait and retry.";
  if (status >= 500) return "The registry failed on its side: retry later; if it persists, check the registry's logs and its storage backend.";
  return "Unexpected answer from the registry.";
}
