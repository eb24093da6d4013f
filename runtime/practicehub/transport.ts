import { type Dispatcher, request } from 'undici';
import { type Backoff, parseRetryAfter } from '../shared/backoff.ts';
import { readErrorBody, TruncatedBodyError } from './body.ts';
import type { Clock } from './clock.ts';
import { maskKey, redactUrl } from './errors.ts';
import type { PracticeHubEventListener } from './events.ts';
import { type Failure, failure, refusal } from './failures.ts';
import type { Pacer } from './pacer.ts';
import type { StatsRecorder } from './stats.ts';

/** Everything a Transport needs; built once per client. */
export interface TransportContext {
  readonly apiKey: string;
  readonly appDetails: string;
  /** Origin of the API base URL: only requests to it carry the key. */
  readonly origin: string;
  readonly dispatcher: Dispatcher;
  readonly signal: AbortSignal | undefined;
  readonly clock: Clock;
  readonly pacer: Pacer;
  readonly backoff: Backoff;
  readonly maxRetries: number;
  /** 429s in a row one call may meet before it gives up. */
  readonly maxThrottled: number;
  readonly timeoutMs: number;
  readonly bodyTimeoutMs: number;
  readonly stats: StatsRecorder;
  readonly emit: PracticeHubEventListener;
}

/** One logical GET. */
export interface Call {
  readonly url: URL;
  readonly probe?: boolean;
  /** Statuses besides 2xx handed to the reader instead of failing (a download handles its own 403). */
  readonly pass?: readonly number[];
  /** Aborts this call only (e.g. a prefetch nobody waits for any more). */
  readonly signal?: AbortSignal | undefined;
}

/** Consumes a response body; throws TruncatedBodyError (or a socket error) to have the call retried. */
export type Reader<T> = (res: Dispatcher.ResponseData, count: (bytes: number) => void) => Promise<T>;

/**
 * Sends GETs through the pacer and owns the retry policy: a 429 waits its Retry-After and does not
 * count against maxRetries (the server counted nothing, reference practicehub.md sandbox model: Rate
 * limit); 5xx, resets, bodies cut short and timeouts back off with full jitter up to maxRetries; any
 * other 4xx fails at once, since sending it again cannot change the answer, and so does a host name that
 * does not resolve or a connection that is refused (see NETWORK_CODES).
 */
export class Transport {
  constructor(private readonly ctx: TransportContext) {}

  /** Sends `call` until it succeeds or fails for good, and returns what `read` made of the body. */
  async send<T>(call: Call, read: Reader<T>): Promise<T> {
    const { ctx } = this;
    const signal = combine(ctx.signal, call.signal);
    const url = redactUrl(call.url);
    const withKey = call.url.origin === ctx.origin;
    // Only the API's own origin gets the key: a download link may point at a storage host.
    const headers: Record<string, string> = withKey
      ? { 'x-practicehub-key': ctx.apiKey, 'x-app-details': ctx.appDetails, accept: 'application/json' }
      : {};
    const count = (bytes: number): void => ctx.stats.received(bytes);
    const gaveUp = (last: Failure) =>
      failure(last.details, { reason: last.reason, code: last.code, url: call.url, api: withKey });
    let attempt = 0;
    let failures = 0;
    let throttled = 0;
    for (;;) {
      attempt += 1;
      const slot = await ctx.pacer.acquire(signal);
      ctx.stats.waited('pacer', slot.waitedMs);
      const sentAt = ctx.clock.now();
      ctx.stats.sent(call.probe === true, attempt > 1);
      ctx.emit({ type: 'request', at: sentAt, method: 'GET', url, attempt, probe: call.probe === true });
      let last: Failure;
      // undici's own timeouts tick at half-second granularity; a timer of ours is exact.
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(), ctx.timeoutMs);
      try {
        const res = await request(call.url, {
          method: 'GET',
          headers,
          dispatcher: ctx.dispatcher,
          signal: signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal,
          headersTimeout: ctx.timeoutMs,
          bodyTimeout: ctx.bodyTimeoutMs,
        });
        clearTimeout(timer);
        const status = res.statusCode;
        const answeredAt = ctx.clock.now();
        ctx.pacer.answered(slot, answeredAt);
        ctx.emit({ type: 'response', url, status, attempt, ms: answeredAt - sentAt });
        if ((status >= 200 && status < 300) || call.pass?.includes(status)) {
          const value = await read(res, count);
          ctx.stats.ended(status < 300 ? 'ok' : 'clientError');
          return value;
        }
        const body = await readErrorBody(res, count, ctx.apiKey, maskKey(ctx.apiKey));
        if (status === 429) {
          ctx.stats.ended('throttled');
          throttled += 1;
          const wait =
            parseRetryAfter(res.headers['retry-after'], ctx.clock.now()) ??
            Math.max(ctx.pacer.intervalMs, ctx.backoff.delayMs(throttled));
          if (throttled > ctx.maxThrottled) {
            throw failure(
              { method: 'GET', url, status, attempts: attempt, serverText: body.text },
              { reason: 'throttled', url: call.url, api: withKey },
            );
          }
          ctx.emit({ type: 'throttled', url, retryAfterMs: wait });
          ctx.pacer.holdUntil(ctx.clock.now() + wait);
          await ctx.clock.sleep(wait, signal);
          ctx.stats.waited('retryAfter', wait);
          continue;
        }
        const details = { method: 'GET', url, status, attempts: attempt, serverText: body.text };
        if (status < 500) {
          ctx.stats.ended('clientError');
          throw refusal(details, body.json, call.url, maskKey(ctx.apiKey));
        }
        ctx.stats.ended('serverError');
        last = { reason: 'server_error', details };
      } catch (error) {
        clearTimeout(timer);
        if (signal?.aborted) throw signal.reason;
        const details = { method: 'GET', url, status: null, attempts: attempt, serverText: '' };
        if (deadline.signal.aborted) {
          ctx.stats.ended('timeout');
          last = { reason: 'timeout', details };
        } else {
          const cause = networkCause(error);
          if (!cause) throw error;
          ctx.stats.ended(cause.reason);
          last = { reason: cause.reason, code: cause.code, details };
          if (!cause.retry) throw gaveUp(last);
        }
      }
      failures += 1;
      if (failures > ctx.maxRetries) throw gaveUp(last);
      const delayMs = ctx.backoff.delayMs(failures);
      ctx.emit({ type: 'retry', url, reason: last.reason, status: last.details.status, attempt, delayMs });
      await ctx.clock.sleep(delayMs, signal);
      ctx.stats.waited('backoff', delayMs);
      throttled = 0;
    }
  }
}

/*
 * Failures before a whole answer arrived, by the code Node or undici gives them. Retried are those a
 * moment may cure: a connection cut mid-answer, a timeout, a resolver that did not answer (EAI_AGAIN:
 * its server timed out or failed), a network that is briefly gone (EHOSTUNREACH, ENETUNREACH: a Wi-Fi
 * or VPN reconnecting). Not retried:
 * - ENOTFOUND: the DNS says the name does not exist; resolvers cache that answer, so asking again
 *   within the backoff gets the same one. The host name is wrong (or the network has no DNS at all).
 * - ECONNREFUSED: the host answered that nothing listens on the port. A hosted API behind a load
 *   balancer does not refuse while it is up (an outage shows as 5xx, resets or timeouts); a refusal
 *   means the URL names the wrong port or the service is not running, which a minute of backoff would
 *   only report later.
 */
const NETWORK_CODES: Readonly<Record<string, { reason: 'reset' | 'timeout'; retry: boolean }>> = {
  ECONNRESET: { reason: 'reset', retry: true },
  ECONNABORTED: { reason: 'reset', retry: true },
  EPIPE: { reason: 'reset', retry: true },
  ENOTCONN: { reason: 'reset', retry: true },
  UND_ERR_SOCKET: { reason: 'reset', retry: true },
  UND_ERR_CLOSED: { reason: 'reset', retry: true },
  UND_ERR_ABORTED: { reason: 'reset', retry: true },
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: { reason: 'reset', retry: true },
  EHOSTUNREACH: { reason: 'reset', retry: true },
  ENETUNREACH: { reason: 'reset', retry: true },
  EAI_AGAIN: { reason: 'reset', retry: true },
  ENOTFOUND: { reason: 'reset', retry: false },
  ECONNREFUSED: { reason: 'reset', retry: false },
  ETIMEDOUT: { reason: 'timeout', retry: true },
  UND_ERR_CONNECT_TIMEOUT: { reason: 'timeout', retry: true },
  UND_ERR_HEADERS_TIMEOUT: { reason: 'timeout', retry: true },
  UND_ERR_BODY_TIMEOUT: { reason: 'timeout', retry: true },
};

/** What a transport failure was, or undefined for anything else (a bug, a disk error), which is rethrown. */
function networkCause(
  error: unknown,
): { reason: 'reset' | 'timeout'; retry: boolean; code: string | undefined } | undefined {
  if (error instanceof TruncatedBodyError) return { reason: 'reset', retry: true, code: undefined };
  const e = error as { code?: unknown; errors?: { code?: unknown }[] } | null;
  // A host with several addresses fails with an AggregateError, whose first error says why.
  const code = typeof e?.code === 'string' ? e.code : e?.errors?.[0]?.code;
  if (typeof code !== 'string') return undefined;
  const known = NETWORK_CODES[code];
  return known ? { ...known, code } : undefined;
}

function combine(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  if (!a) return b;
  if (!b) return a;
  return AbortSignal.any([a, b]);
}
