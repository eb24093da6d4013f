import type { Clock } from './clock.ts';
import type { DataverseEventListener, ThrottleLimit } from './events.ts';
import { Semaphore } from './semaphore.ts';
import type { StatsRecorder } from './stats.ts';

/** Settings of the pacer. */
export interface PacerOptions {
  readonly clock: Clock;
  readonly stats: StatsRecorder;
  readonly emit: DataverseEventListener;
  /** Upper bound set by the caller; the hint and the limit bound the concurrency too. */
  readonly maxConcurrency?: number;
  /** The service's concurrent-request limit per user (52 by default, PA`api-limits`). */
  readonly concurrencyLimit: number;
  /** Successful requests after which a concurrency lowered by 0x80072326 grows back by one. */
  readonly recoveryAfter: number;
}

/**
 * How many requests may be in flight, and when they may leave. The concurrency follows x-ms-dop-hint
 * (PA`send-parallel-requests`: "read it from e.g. WhoAmI"), capped by the option and never above the
 * concurrent-request limit; it starts at 1 until a hint is seen. A 429 for the concurrency limit lowers it
 * below what was in flight; it grows back one step after a run of successes. A 429 for the request-count
 * or execution-time limit pauses every request until Retry-After has passed, because those limits are per
 * user and a client that keeps sending makes Retry-After grow (PA`api-limits`).
 */
export class Pacer {
  private readonly permits = new Semaphore(1);
  private ceiling: number;
  private hintSeen = false;
  private pausedUntil = 0;
  private streak = 0;
  /** Set by a concurrency refusal: a later hint may lower the concurrency but not raise it back. */
  private lowered = false;

  constructor(private readonly o: PacerOptions) {
    this.ceiling = Math.max(1, Math.min(o.maxConcurrency ?? Number.POSITIVE_INFINITY, o.concurrencyLimit));
  }

  /** The concurrency in force. */
  get concurrency(): number {
    return this.permits.limit;
  }

  /** Permits held now. */
  get inFlight(): number {
    return this.permits.inFlight;
  }

  /** Whether an x-ms-dop-hint has been applied. */
  get hintKnown(): boolean {
    return this.hintSeen;
  }

  /** Sizes the concurrency from x-ms-dop-hint: min(hint, maxConcurrency, concurrencyLimit). */
  applyDopHint(hint: number): void {
    if (!Number.isInteger(hint) || hint < 1) return;
    this.hintSeen = true;
    this.ceiling = Math.min(hint, this.o.maxConcurrency ?? hint, this.o.concurrencyLimit);
    this.resize(this.lowered ? Math.min(this.permits.limit, this.ceiling) : this.ceiling, 'x-ms-dop-hint');
  }

  /** Waits for a permit and for any pause to end; call the result to give the permit back. */
  async enter(): Promise<() => void> {
    const { clock, stats } = this.o;
    const queued = clock.now();
    const release = await this.permits.acquire();
    stats.waitMs.queue += clock.now() - queued;
    for (let now = clock.now(); now < this.pausedUntil; now = clock.now()) {
      const wait = this.pausedUntil - now;
      stats.waitMs.throttle += wait;
      await clock.sleep(wait);
    }
    return release;
  }

  /** Reacts to a 429 that arrived while `inFlight` requests were out; resolves when this one may retry. */
  async throttled(limit: ThrottleLimit, waitMs: number, inFlight: number): Promise<void> {
    const { clock, stats } = this.o;
    stats.throttled[limit] += 1;
    this.streak = 0;
    if (limit === 'concurrency') {
      this.lowered = true;
      this.resize(Math.min(this.permits.limit - 1, inFlight - 1), 'concurrency limit (0x80072326)');
      stats.waitMs.throttle += waitMs;
      await clock.sleep(waitMs);
      return;
    }
    // The wait itself happens in enter(), shared with every other request of this client.
    this.pausedUntil = Math.max(this.pausedUntil, clock.now() + waitMs);
  }

  /** Counts a success towards growing a lowered concurrency back. */
  succeeded(): void {
    if (this.permits.limit >= this.ceiling) return;
    this.streak += 1;
    if (this.streak >= this.o.recoveryAfter) {
      this.streak = 0;
      this.resize(this.permits.limit + 1, 'recovered after successes');
      if (this.permits.limit >= this.ceiling) this.lowered = false;
    }
  }

  private resize(size: number, reason: string): void {
    const from = this.permits.limit;
    const to = Math.max(1, Math.min(Math.floor(size), this.ceiling));
    if (to === from) return;
    this.permits.resize(to);
    this.o.emit({ type: 'concurrency', from, to, reason });
  }
}
