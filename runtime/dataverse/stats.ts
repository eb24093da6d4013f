import type { RequestKind, ThrottleLimit } from './events.ts';

/** What one client did since it was created. */
export interface DataverseStats {
  /** HTTP requests sent, retries included, by kind; `token` counts token endpoint calls. */
  readonly requests: Readonly<Record<RequestKind | 'token', number>>;
  /** Requests sent again after a 429, a 5xx, a network failure, a timeout or a 401. */
  readonly retries: number;
  /** 429 answers by the limit they reported. */
  readonly throttled: Readonly<Record<ThrottleLimit, number>>;
  /** Milliseconds spent waiting, summed over requests (concurrent waits add up). */
  readonly waitMs: {
    /** Honouring Retry-After, including the pause shared by all requests after a 429. */
    readonly throttle: number;
    /** Backing off after 5xx, resets and timeouts. */
    readonly backoff: number;
    /** Waiting for a concurrency permit. */
    readonly queue: number;
  };
  /** Requests answered 401 and sent again with a fresh token (requests refused together share one refresh). */
  readonly tokenRefreshesForced: number;
  /** Records created, updated, upserted or deleted (bulk targets and $batch parts each count). */
  readonly recordsWritten: number;
  /** The concurrency in force now. */
  readonly concurrency: number;
}

/** Mutable counters behind `stats()`, one per client. */
export class StatsRecorder {
  readonly requests: Record<RequestKind | 'token', number> = {
    data: 0,
    bulk: 0,
    batch: 0,
    metadata: 0,
    token: 0,
  };
  retries = 0;
  readonly throttled: Record<ThrottleLimit, number> = {
    requests: 0,
    executionTime: 0,
    concurrency: 0,
    unknown: 0,
  };
  readonly waitMs = { throttle: 0, backoff: 0, queue: 0 };
  tokenRefreshesForced = 0;
  recordsWritten = 0;

  /** A copy that later requests do not change. */
  snapshot(concurrency: number): DataverseStats {
    return {
      requests: { ...this.requests },
      retries: this.retries,
      throttled: { ...this.throttled },
      waitMs: {
        throttle: Math.round(this.waitMs.throttle),
        backoff: Math.round(this.waitMs.backoff),
        queue: Math.round(this.waitMs.queue),
      },
      tokenRefreshesForced: this.tokenRefreshesForced,
      recordsWritten: this.recordsWritten,
      concurrency,
    };
  }
}
