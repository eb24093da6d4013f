/**
 * Per-API-key sliding-window limit. The seed states 1 request per second per account; the reference
 * (Documented, "rate limit") says to treat that as the limit, and (sandbox model) that a request over
 * it answers 429 with Retry-After and counts nothing, hence check() and consume() are separate.
 *
 * A rate r becomes a window holding max(1, round(r)) requests over max(1, round(r))/r seconds: 1 → 1
 * per second, 0.5 → 1 per 2 s, 10 → 10 per second (a sliding log, not a fixed bucket, so a burst at
 * a second boundary cannot pass twice the limit).
 */
export class SlidingWindowLimiter {
  private readonly capacity: number;
  private readonly windowMs: number;
  private readonly log = new Map<string, number[]>();

  constructor(
    rate: number,
    private readonly now: () => number,
  ) {
    if (!(rate > 0) || !Number.isFinite(rate)) throw new Error(`rate must be a positive number, got ${rate}`);
    this.capacity = Math.max(1, Math.round(rate));
    this.windowMs = (this.capacity / rate) * 1000;
  }

  /** Milliseconds until `key` may send again; 0 when a request may pass now. Consumes nothing. */
  check(key: string): number {
    const times = this.prune(key);
    if (times.length < this.capacity) return 0;
    return Math.max(1, Math.ceil(times[0]! + this.windowMs - this.now()));
  }

  /** Counts one accepted request of `key`. */
  consume(key: string): void {
    this.prune(key).push(this.now());
  }

  private prune(key: string): number[] {
    let times = this.log.get(key);
    if (!times) {
      times = [];
      this.log.set(key, times);
    }
    const horizon = this.now() - this.windowMs;
    let drop = 0;
    while (drop < times.length && times[drop]! <= horizon) drop += 1;
    if (drop > 0) times.splice(0, drop);
    return times;
  }
}

/** Retry-After in whole seconds, at least 1, for a wait in milliseconds. */
export function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}
