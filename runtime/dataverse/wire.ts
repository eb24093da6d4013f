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
  /** Milliseconds to wait for the status line, and then between body chunks. */
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

/** Sends one request and reads the whole body; a reset mid-body rejects like any network failure. */
export async function sendOnce(dispatcher: Dispatcher, req: WireRequest): Promise<WireResponse> {
  const res = await dispatcher.request({
    origin: req.origin,
    path: req.path,
    method: req.method as Dispatcher.HttpMethod,
    headers: req.headers,
    ...(req.body !== undefined ? { body: req.body } : {}),
    headersTimeout: req.timeoutMs,
    bodyTimeout: req.timeoutMs,
  });
  const text = await res.body.text();
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) {
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return { status: res.statusCode, headers, text };
}

/** Timeouts apart from other transport failures (resets, refused connections, closed sockets). */
export function failureKind(e: unknown): WireFailure {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
    ? 'timeout'
    : 'network';
}

/** A short description of a transport failure, free of headers and bodies. */
export function describeFailure(e: unknown): string {
  const err = e as { code?: unknown; message?: unknown } | null;
  const code = typeof err?.code === 'string' ? `${err.code}: ` : '';
  const message = typeof err?.message === 'string' ? err.message : String(e);
  return `${code}${message}`;
}
