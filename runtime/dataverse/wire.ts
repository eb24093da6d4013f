import type { Dispatcher } from 'undici';

/** One HTTP exchange as sent on the wire. */
export interface WireRequest {
  /** `https://org.crm.dynamics.com` (scheme, host and port). */
  readonly origin: string;
  /** Absolute path with query string. */
  readonly path: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Milliseconds the whole exchange may take. */
  readonly timeoutMs: number;
}

/** A complete answer: status, lower-case headers and the whole body as text. */
export interface WireResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
}

/** How a request failed before a complete answer arrived. */
export type WireFailure = 'timeout' | 'network';

/** A transport failure because the whole exchange took longer than allowed. */
export class WireTimeoutError extends Error {
  readonly code = 'TIMEOUT';
  constructor(ms: number) {
    super(`no complete answer within ${ms} ms`);
  }
}

/**
 * Sends one request and reads the whole body; a reset mid-body rejects like any network failure. The
 * timeout covers the whole exchange and runs on a native timer: undici's own headersTimeout ticks on a
 * coarse shared timer (about a second) and would let short timeouts run long.
 */
export async function sendOnce(dispatcher: Dispatcher, req: WireRequest): Promise<WireResponse> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new WireTimeoutError(req.timeoutMs)), req.timeoutMs);
  let text: string;
  let res: Dispatcher.ResponseData;
  try {
    res = await dispatcher.request({
      origin: req.origin,
      path: req.path,
      method: req.method as Dispatcher.HttpMethod,
      headers: req.headers,
      ...(req.body !== undefined ? { body: req.body } : {}),
      signal: controller.signal,
    });
    text = await res.body.text();
  } catch (e) {
    throw controller.signal.aborted ? controller.signal.reason : e;
  } finally {
    clearTimeout(timer);
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) {
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return { status: res.statusCode, headers, text };
}

/** Timeouts apart from other transport failures (resets, refused connections, closed sockets). */
export function failureKind(e: unknown): WireFailure {
  const code = (e as { code?: unknown } | null)?.code;
  const timeout =
    e instanceof WireTimeoutError ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT';
  return timeout ? 'timeout' : 'network';
}

/**
 * Whether sending again cannot help: the host name does not exist (ENOTFOUND: resolvers cache that
 * answer) or nothing listens on the port (ECONNREFUSED: a hosted service does not refuse while it is
 * up; an outage shows as 5xx, resets or timeouts). Both mean the URL is wrong or the service is not
 * running, which retries would only report a minute later. A host with several addresses fails with
 * an AggregateError, whose first error says why.
 */
export function isPermanentFailure(e: unknown): boolean {
  const code = failureCode(e);
  return code === 'ENOTFOUND' || code === 'ECONNREFUSED';
}

/** The system error code of a transport failure (ECONNREFUSED, ENOTFOUND, ...), when it has one. */
export function failureCode(e: unknown): string | undefined {
  const err = e as { code?: unknown; errors?: { code?: unknown }[] } | null;
  const code = typeof err?.code === 'string' ? err.code : err?.errors?.[0]?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * What to do when `origin` does not resolve or refuses the connection, naming `setting`, the variable
 * the user sets it with; undefined for other failures. A refusal is what a stopped sandbox answers.
 */
export function unreachableHint(
  origin: string,
  code: string | undefined,
  setting: string,
): string | undefined {
  const url = new URL(origin);
  if (code === 'ENOTFOUND')
    return `the host name ${url.hostname} does not resolve: check this machine's network (DNS, VPN, proxy), and ${setting}, then run again`;
  if (code !== 'ECONNREFUSED') return undefined;
  const at = `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
  return `nothing listens at ${at}: check ${setting}, and that the service there is up (for the sandbox, that \`flitstack sandbox\` runs), then run again`;
}

/** A short description of a transport failure, free of headers and bodies. */
export function describeFailure(e: unknown): string {
  const err = e as { code?: unknown; message?: unknown } | null;
  const code = typeof err?.code === 'string' ? `${err.code}: ` : '';
  const message = typeof err?.message === 'string' ? err.message : String(e);
  return `${code}${message}`;
}
