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
 * other 4xx fails at once, since sending it again cannot change the answer.
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
              'throttled',
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
        const reason = deadline.signal.aborted ? 'timeout' : transientReason(error);
        if (!reason) throw error;
        ctx.stats.ended(reason === 'timeout' ? 'timeout' : 'reset');
        const text = error instanceof Error ? error.message : String(error);
        last = { reason, details: { method: 'GET', url, status: null, attempts: attempt, serverText: text } };
      }
      failures += 1;
      if (failures > ctx.maxRetries) throw failure(last.details, last.reason);
      const delayMs = ctx.backoff.delayMs(failures);
      ctx.emit({ type: 'retry', url, reason: last.reason, status: last.details.status, attempt, delayMs });
      await ctx.clock.sleep(delayMs, signal);
      ctx.stats.waited('backoff', delayMs);
      throttled = 0;
    }
  }
}

// Socket-level failures undici and Node report; all mean "the answer did not arrive whole".
const RESET_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ENOTCONN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_ABORTED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** 'reset' or 'timeout' for a failure worth retrying, undefined for anything else (a bug, a disk error). */
function transientReason(error: unknown): 'reset' | 'timeout' | undefined {
  if (error instanceof TruncatedBodyError) return 'reset';
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  if (TIMEOUT_CODES.has(code)) return 'timeout';
  return RESET_CODES.has(code) ? 'reset' : undefined;
}

function combine(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  if (!a) return b;
  if (!b) return a;
  return AbortSignal.any([a, b]);
}
