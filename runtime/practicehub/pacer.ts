import type { Clock } from './clock.ts';

/** A granted slot: when it was, how long the caller waited, and whether the pacer was idle. */
export interface Slot {
  readonly at: number;
  readonly waitedMs: number;
  /** True when the slot was free on arrival: nothing was queued before it. */
  readonly idle: boolean;
}

/**
 * Spaces requests so an account's limit is never exceeded and nearly fully used: a token bucket of
 * capacity 1 refilled at `requestsPerSecond`. Capacity 1 means an idle spell earns no burst, which is
 * the strictest reading of "1 request per second per account" (reference practicehub.md, Documented:
 * rate limit; the real limiter's algorithm is not published).
 *
 * Slots are reserved before waiting, so concurrent callers (several resources extracted at once) share
 * one schedule. Slots follow the plan, not the moment a timer happened to fire: on a busy machine timers
 * fire milliseconds late, and re-planning from each late send would lose that time for good (5 % at
 * 20 requests per second on a loaded test machine). The next requests catch up with the plan instead,
 * but never faster than the limit itself over a window: any n + 1 consecutive requests, n being the
 * whole requests per second (at least 1), span at least n intervals plus half the margin. At 1 request
 * per second that is plain spacing of one interval between any two requests.
 */
export class Pacer {
  /** Milliseconds between two requests. */
  readonly intervalMs: number;
  /** Requests per window of the catch-up guard: the whole requests in one second, at least 1. */
  private readonly window: number;
  /** The least time `window` + 1 consecutive requests may span, late timers or not. */
  private readonly windowFloorMs: number;
  /** When the last `window` requests actually left. */
  private readonly sent: number[] = [];
  private nextAt = Number.NEGATIVE_INFINITY;
  private heldUntil = Number.NEGATIVE_INFINITY;

  /**
   * @param requestsPerSecond the account's limit.
   * @param margin share of the interval added as a safety gap (0.02 = 2 %): the server counts a request
   *   when it reads it, a few milliseconds after it left, and that delay wobbles; the margin absorbs the
   *   wobble at the cost of the same share of throughput.
   */
  constructor(
    requestsPerSecond: number,
    private readonly clock: Clock,
    margin = 0.02,
  ) {
    if (!(requestsPerSecond > 0) || !Number.isFinite(requestsPerSecond)) {
      throw new RangeError(`requestsPerSecond must be a positive number, got ${requestsPerSecond}`);
    }
    if (!(margin >= 0 && margin < 1)) throw new RangeError(`pacing margin must be in [0, 1), got ${margin}`);
    this.intervalMs = (1000 / requestsPerSecond) * (1 + margin);
    this.window = Math.min(MAX_WINDOW, Math.max(1, Math.floor(requestsPerSecond)));
    this.windowFloorMs = this.window * (1000 / requestsPerSecond) * (1 + margin / 2);
  }

  /** Waits for the next free slot. */
  async acquire(signal?: AbortSignal): Promise<Slot> {
    let waitedMs = 0;
    let idle = true;
    for (;;) {
      let now = this.clock.now();
      const at = Math.max(now, this.nextAt);
      this.nextAt = at + this.intervalMs;
      if (signal?.aborted) throw signal.reason;
      // Node times timers from the event loop's cached clock, which lags while a long task runs: a
      // timer can fire early by that lag. Sleep again until the slot has really come.
      while (at > now) {
        idle = false;
        await this.clock.sleep(at - now, signal);
        const woke = this.clock.now();
        waitedMs += Math.min(woke, at) - now;
        now = woke;
      }
      // A hold placed while this caller slept (a 429, an idle start): its slot is void, take a later one.
      if (now < this.heldUntil) continue;
      this.sent.push(now);
      if (this.sent.length > this.window) this.sent.shift();
      if (this.sent.length === this.window) {
        this.nextAt = Math.max(this.nextAt, this.sent[0]! + this.windowFloorMs);
      }
      return { at, waitedMs, idle };
    }
  }

  /**
   * Reports that the answer to a request sent in `slot` arrived at `answeredAt`. The server counted the
   * request somewhere between sending and answering. In steady state that delay is small and steady and
   * the margin covers it; but a request sent from idle often opens a new connection, and its count can
   * come tens of milliseconds late, closer to the next request than the plan says. So after an idle
   * slot, spacing restarts from the answer: one round trip lost per burst, never a 429.
   */
  answered(slot: Slot, answeredAt: number): void {
    if (slot.idle) this.holdUntil(answeredAt + this.intervalMs);
  }

  /**
   * Nothing leaves before `untilMs` (after a 429: the server's Retry-After), and spacing restarts from
   * there. Callers already asleep on an earlier slot take a new one behind the hold when they wake.
   */
  holdUntil(untilMs: number): void {
    this.heldUntil = Math.max(this.heldUntil, untilMs);
    this.nextAt = Math.max(this.nextAt, untilMs);
  }
}

/** Bound on the catch-up window (memory, and a server's burst tolerance is rarely larger). */
const MAX_WINDOW = 64;
