import type { Dispatcher } from 'undici';
import { type Backoff, parseRetryAfter } from '../shared/backoff.ts';
import { redactSecrets, type Secret } from '../shared/redact.ts';
import type { Clock } from './clock.ts';
import { DataverseError, parseErrorBody, sentValues, UNREADABLE } from './errors.ts';
import {
  type DataverseEventListener,
  type RequestKind,
  type RetryReason,
  redactPath,
  type ThrottleLimit,
} from './events.ts';
import type { Pacer } from './pacing.ts';
import type { StatsRecorder } from './stats.ts';
import {
  describeFailure,
  failureCode,
  failureKind,
  isPermanentFailure,
  sendOnce,
  unreachableHint,
  type WireRequest,
  type WireResponse,
} from './wire.ts';

/** Where tokens come from (the TokenClient, or a test double). */
export interface TokenSource {
  get(): Promise<string>;
  invalidate(token: string): void;
  /** The client secret and the current token, as no error may show them. */
  secrets(): readonly Secret[];
}

/** HTTP methods the Web API client sends. */
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** One Web API request. */
export interface ApiRequest {
  readonly method: HttpMethod;
  /** Path below `/api/data/v9.2/`, query string included, e.g. `contacts(fs_id='p-1')?$select=fullname`. */
  readonly path: string;
  readonly kind: RequestKind;
  /** A JSON body. */
  readonly json?: unknown;
  /** A body that is not JSON (the multipart body of a $batch). */
  readonly raw?: { readonly contentType: string; readonly text: string };
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Whether sending it twice has the effect of sending it once. Defaults by method: GET, PATCH, PUT and
   * DELETE are; POST is not unless the caller says so (client-supplied id, bulk upsert, idempotent $batch).
   */
  readonly idempotent?: boolean;
  /** Describes the call in errors, e.g. `upsert into contacts`. */
  readonly operation?: string;
  /** After an attempt whose outcome is unknown, errors for which this is true mean the earlier one worked. */
  readonly settledOnRetry?: (e: DataverseError) => boolean;
  /**
   * Error codes of a 5xx answer that sending the same request again would meet again (a bulk request's
   * SQL timeout): thrown at once, for the caller to send a smaller request instead.
   */
  readonly notRetried?: (code: string) => boolean;
  /**
   * Whether an attempt with no answer in the client's time is thrown at once rather than sent again:
   * a bulk request that slow would be as slow again, and the caller sends smaller ones instead.
   */
  readonly timeoutNotRetried?: boolean;
  /** Error statuses whose answer the caller reads itself (a stopped $batch answers 400 with its parts). */
  readonly accept?: (status: number, headers: Readonly<Record<string, string>>) => boolean;
}

/** A successful (status < 400) answer, or the error that settled a retry. */
export interface ApiResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  /** The body parsed as JSON when it is JSON, else undefined. */
  readonly body: unknown;
  /** An earlier attempt may have taken effect (it failed without a trustworthy answer). */
  readonly uncertain: boolean;
  /** Set when `settledOnRetry` accepted this error: the earlier attempt did the work. */
  readonly settled?: DataverseError;
}

/** Settings of the transport. */
export interface TransportOptions {
  /** DATAVERSE_URL, e.g. `https://org.crm4.dynamics.com`. */
  readonly url: string;
  readonly tokens: TokenSource;
  readonly dispatcher: Dispatcher;
  readonly clock: Clock;
  readonly backoff: Backoff;
  readonly pacer: Pacer;
  readonly stats: StatsRecorder;
  readonly emit: DataverseEventListener;
  readonly timeoutMs: number;
  /** Retries after 5xx, resets and timeouts (idempotent requests only). */
  readonly maxRetries: number;
  /** Retries after 429. */
  readonly maxThrottleRetries: number;
}

/** The three service protection limits by error code (PA`api-limits`, reference §4.1). */
const LIMIT_BY_CODE: Readonly<Record<string, ThrottleLimit>> = {
  '0x80072322': 'requests',
  '0x80072321': 'executionTime',
  '0x80072326': 'concurrency',
};

/** 5xx statuses worth a retry; 501 (not implemented) is not transient. */
export const TRANSIENT_STATUS: ReadonlySet<number> = new Set([500, 502, 503, 504]);

/** What a part of a `$batch` that failed answered: its status, headers and Dataverse's error code. */
export interface PartAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly code: string;
}

/** Retries spent on one part of a `$batch`, counted as `send` counts them for a request. */
export interface PartRetries {
  transient: number;
  throttles: number;
}

/**
 * Sends Web API requests with the standard headers and a bearer token. A 401 drops the token and retries
 * once with a fresh one; a 429 waits Retry-After (see Pacer) and retries, since the service refused it
 * before doing anything; 5xx, resets and timeouts back off with full jitter and retry only idempotent
 * requests, because the first attempt may have taken effect. No cookie jar is kept, so requests are not
 * pinned to one web server (server affinity, PA`send-parallel-requests`).
 */
export class Transport {
  private readonly origin: string;
  private readonly apiPath: string;

  constructor(private readonly o: TransportOptions) {
    const base = new URL(o.url);
    this.origin = base.origin;
    this.apiPath = `${base.pathname.replace(/\/+$/, '')}/api/data/v9.2/`;
  }

  /** `/api/data/v9.2/` below the environment URL (for $batch part URLs). */
  get apiBasePath(): string {
    return this.apiPath;
  }

  /** The absolute API base URL, e.g. `https://org.crm.dynamics.com/api/data/v9.2/`. */
  get apiUrl(): string {
    return `${this.origin}${this.apiPath}`;
  }

  /** Sends a request, retrying as the class comment says; throws DataverseError on failure. */
  async send(req: ApiRequest): Promise<ApiResponse> {
    const { clock, pacer, stats, emit } = this.o;
    const idempotent = req.idempotent ?? req.method !== 'POST';
    const shown = redactPath(req.path);
    let transient = 0;
    let throttles = 0;
    let refreshed = false;
    let uncertain = false;
    for (let attempt = 1; ; attempt += 1) {
      const release = await pacer.enter();
      let res: WireResponse | undefined;
      let failure: unknown;
      let token = '';
      let inFlight = 1;
      try {
        token = await this.o.tokens.get();
        stats.requests[req.kind] += 1;
        emit({ type: 'request', kind: req.kind, method: req.method, path: shown, attempt });
        const started = clock.now();
        try {
          res = await sendOnce(this.o.dispatcher, this.wire(req, token));
        } catch (e) {
          failure = e;
        }
        inFlight = pacer.inFlight;
        const ms = clock.now() - started;
        if (res)
          emit({
            type: 'response',
            kind: req.kind,
            method: req.method,
            path: shown,
            status: res.status,
            attempt,
            ms,
          });
      } finally {
        release();
      }
      if (!res) {
        const reason: RetryReason = failureKind(failure) === 'timeout' ? 'timeout' : 'network';
        if (
          !idempotent ||
          transient >= this.o.maxRetries ||
          isPermanentFailure(failure) ||
          (reason === 'timeout' && req.timeoutNotRetried)
        )
          throw this.networkError(req, failure, idempotent, transient);
        transient += 1;
        uncertain = true;
        await this.backoff(req, shown, reason, attempt, this.o.backoff.delayMs(transient));
        continue;
      }
      const hint = Number(res.headers['x-ms-dop-hint']);
      if (!pacer.hintKnown && Number.isInteger(hint)) pacer.applyDopHint(hint);
      if (res.status === 401 && !refreshed) {
        refreshed = true;
        this.o.tokens.invalidate(token);
        stats.tokenRefreshesForced += 1;
        stats.retries += 1;
        emit({ type: 'retry', reason: 'unauthorized', method: req.method, path: shown, attempt, delayMs: 0 });
        continue;
      }
      if (res.status === 429) {
        if (throttles >= this.o.maxThrottleRetries)
          throw this.httpError(req, res, `gave up after ${throttles} retries`);
        throttles += 1;
        const limit = LIMIT_BY_CODE[parseErrorBody(429, res.text).code] ?? 'unknown';
        const wait =
          parseRetryAfter(res.headers['retry-after'], clock.now()) ??
          Math.max(1000, this.o.backoff.delayMs(throttles));
        stats.retries += 1;
        emit({ type: 'throttled', limit, path: shown, retryAfterMs: wait });
        emit({ type: 'retry', reason: 'throttled', method: req.method, path: shown, attempt, delayMs: wait });
        await pacer.throttled(limit, wait, inFlight);
        continue;
      }
      if (
        TRANSIENT_STATUS.has(res.status) &&
        idempotent &&
        transient < this.o.maxRetries &&
        !req.notRetried?.(parseErrorBody(res.status, res.text).code)
      ) {
        transient += 1;
        uncertain = true;
        const after = parseRetryAfter(res.headers['retry-after'], clock.now()) ?? 0;
        await this.backoff(
          req,
          shown,
          'server_error',
          attempt,
          Math.max(after, this.o.backoff.delayMs(transient)),
        );
        continue;
      }
      if (res.status >= 400 && !req.accept?.(res.status, res.headers)) {
        const error = this.httpError(req, res, transient > 0 ? `after ${transient} retries` : undefined);
        if (!(uncertain && req.settledOnRetry?.(error))) throw error;
        pacer.succeeded();
        return {
          status: res.status,
          headers: res.headers,
          text: res.text,
          body: undefined,
          uncertain,
          settled: error,
        };
      }
      pacer.succeeded();
      const json = /json/i.test(res.headers['content-type'] ?? '') && res.text.trim() !== '';
      return {
        status: res.status,
        headers: res.headers,
        text: res.text,
        body: json ? this.parseJson(req, res) : undefined,
        uncertain,
      };
    }
  }

  /**
   * Whether a part of a `$batch` that failed with a transient answer (`answer`) is sent again, counting the
   * retry in `spent` when it is: after a 429 while maxThrottleRetries last, since the service refused it
   * before doing anything; after a server error (`transient`) while maxRetries last, and only an idempotent
   * part, since the first attempt may have taken effect. The rules `send` keeps for a request.
   */
  retriesPart(answer: PartAnswer, idempotent: boolean, spent: PartRetries): boolean {
    if (answer.status === 429) {
      if (spent.throttles >= this.o.maxThrottleRetries) return false;
      spent.throttles += 1;
      return true;
    }
    if (!idempotent || spent.transient >= this.o.maxRetries) return false;
    spent.transient += 1;
    return true;
  }

  /**
   * Waits before the parts of a `$batch` that failed with `answers` are sent again, as `send` waits
   * before a request is: after a 429, its Retry-After (or a backoff of at least a second), every request
   * of the client paused meanwhile (see Pacer); after server errors, a backoff with full jitter, or their
   * Retry-After when longer. `spent`: the most retries any of the parts has had, this one included.
   */
  async beforeResend(answers: readonly PartAnswer[], spent: PartRetries, operation: string): Promise<void> {
    const { clock, pacer, stats, emit } = this.o;
    const after = (a: PartAnswer) => parseRetryAfter(a.headers['retry-after'], clock.now());
    const throttled = answers.filter((a) => a.status === 429);
    if (throttled.length > 0) {
      const wait = Math.max(
        ...throttled.map((a) => after(a) ?? Math.max(1000, this.o.backoff.delayMs(spent.throttles))),
      );
      const limit = LIMIT_BY_CODE[throttled[0]!.code] ?? 'unknown';
      stats.retries += 1;
      emit({ type: 'throttled', limit, path: '$batch', retryAfterMs: wait });
      emit({
        type: 'retry',
        reason: 'throttled',
        method: 'POST',
        path: '$batch',
        attempt: spent.throttles,
        delayMs: wait,
      });
      await pacer.throttled(limit, wait, pacer.inFlight + 1);
      return;
    }
    const wait = Math.max(...answers.map((a) => after(a) ?? 0), this.o.backoff.delayMs(spent.transient));
    await this.backoff(
      { method: 'POST', path: '$batch', kind: 'batch', operation },
      '$batch',
      'server_error',
      spent.transient,
      wait,
    );
  }

  private wire(req: ApiRequest, token: string): WireRequest {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'odata-maxversion': '4.0',
      'odata-version': '4.0',
      authorization: `Bearer ${token}`,
    };
    let body: string | undefined;
    if (req.json !== undefined) {
      headers['content-type'] = 'application/json; charset=utf-8';
      body = JSON.stringify(req.json);
    } else if (req.raw) {
      headers['content-type'] = req.raw.contentType;
      body = req.raw.text;
    }
    for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
    // compose-http-requests-handle-errors: send `If-None-Match: null` unless a condition is asked for.
    if (!('if-none-match' in headers) && !('if-match' in headers)) headers['if-none-match'] = 'null';
    return {
      origin: this.origin,
      path: `${this.apiPath}${req.path}`,
      method: req.method,
      headers,
      ...(body !== undefined ? { body } : {}),
      timeoutMs: this.o.timeoutMs,
    };
  }

  private async backoff(req: ApiRequest, shown: string, reason: RetryReason, attempt: number, wait: number) {
    this.o.stats.retries += 1;
    this.o.stats.waitMs.backoff += wait;
    this.o.emit({ type: 'retry', reason, method: req.method, path: shown, attempt, delayMs: wait });
    await this.o.clock.sleep(wait);
  }

  /**
   * A server's text with the client secret, tokens and credential fields masked: an error body or a
   * $batch answer may echo the request (a proxy, a gateway), and what it says reaches messages and the
   * journal.
   */
  redact(text: string): string {
    return redactSecrets(text, this.o.tokens.secrets());
  }

  private httpError(req: ApiRequest, res: WireResponse, retried?: string): DataverseError {
    const parsed = parseErrorBody(res.status, this.redact(res.text));
    const retryAfter = res.headers['retry-after'];
    let hint: string | undefined;
    if (retried && TRANSIENT_STATUS.has(res.status))
      hint = `the service kept failing (${retried}): run again later; the run resumes where it stopped`;
    if (retried && res.status === 429)
      hint = `service protection limit (${retried}): lower the concurrency or the batch size and run again`;
    return new DataverseError({
      status: res.status,
      code: parsed.code,
      serverMessage: parsed.message,
      method: req.method,
      path: req.path.split('?')[0]!,
      ...(req.operation !== undefined ? { operation: req.operation } : {}),
      ...(retryAfter !== undefined && /^\d+$/.test(retryAfter) ? { retryAfter: Number(retryAfter) } : {}),
      ...(parsed.innererror ? { innererror: parsed.innererror } : {}),
      ...(parsed.details ? { details: parsed.details } : {}),
      ...(hint ? { hint } : {}),
      // A row's values, not a definition's (schema names, labels and types, which messages name on purpose).
      sent: req.kind === 'metadata' ? [] : sentValues(req.json),
    });
  }

  /**
   * A successful answer's JSON. One that does not parse (a gateway's page, a cut-off body) fails as an
   * unreadable answer, which says nothing of the body: the parser's message quotes it, and it may hold
   * a row's values.
   */
  private parseJson(req: ApiRequest, res: WireResponse): unknown {
    try {
      return JSON.parse(res.text);
    } catch {
      throw new DataverseError({
        status: 0,
        code: UNREADABLE,
        serverMessage: `the answer (HTTP ${res.status}, ${Buffer.byteLength(res.text)} bytes) is not valid JSON`,
        method: req.method,
        path: req.path.split('?')[0]!,
        ...(req.operation !== undefined ? { operation: req.operation } : {}),
        hint:
          req.method === 'GET'
            ? 'a proxy or gateway on the way may have changed or cut it: run the same command again'
            : 'the request may have run: run the same command again, which looks at the rows before writing them again',
      });
    }
  }

  private networkError(
    req: ApiRequest,
    failure: unknown,
    idempotent: boolean,
    retries: number,
  ): DataverseError {
    const kind = failureKind(failure);
    return new DataverseError({
      status: 0,
      code: kind,
      serverMessage: describeFailure(failure),
      method: req.method,
      path: req.path.split('?')[0]!,
      ...(req.operation !== undefined ? { operation: req.operation } : {}),
      ...(isPermanentFailure(failure)
        ? {
            hint: unreachableHint(
              this.origin,
              failureCode(failure),
              'DATAVERSE_URL (https://<org>.crm<n>.dynamics.com)',
            ),
          }
        : idempotent
          ? {
              hint: `no answer after ${retries} ${retries === 1 ? 'retry' : 'retries'} (${kind}): check the network path to DATAVERSE_URL and run again`,
            }
          : {}),
    });
  }
}
