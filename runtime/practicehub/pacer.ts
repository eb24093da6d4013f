import type { Clock } from './clock.ts';

/** A granted slot: when it was, how long the caller waited, and whether the pacer was idle. */
export interface Slot {
  readonly at: number;
  readonly waitedMs: number;
  /** True when the pacer had been idle for a whole interval: the plan started over at this slot. */
  readonly idle: boolean;
}

/** A request that left: when, and when its answer came (null until it does, or if it never does). */
interface Departure {
  readonly slot: Slot;
  readonly sent: number;
  answered: number | null;
}

/**
 * Spaces requests so an account's limit is never exceeded and nearly fully used: a token bucket of
 * capacity 1 refilled at `requestsPerSecond` (less a small margin). Capacity 1 means an idle spell
 * earns no burst, the strictest reading of "1 request per second per account" (reference
 * practicehub.md, Documented: rate limit; the real limiter's algorithm is not published).
 *
 * Slots are reserved before waiting, so concurrent callers (several resources extracted at once) share
 * one schedule. Slots follow the plan, not the moment a timer happened to fire: on a busy machine
 * timers fire milliseconds late, and re-planning from each late departure would lose that time for good
 * (5 % at 20 requests per second on a loaded test machine). Later requests catch up with the plan
 * instead, within floors that hold whatever the timers do, with n the whole requests per second (at
 * least 1):
 * - any n + 1 consecutive requests leave at least n bare intervals (plus half the margin) apart;
 * - for n ≥ 2, a request leaves at least n bare intervals after the *answer* to the one n back. The
 *   server counted that one before answering it, so however late it counted it, the window of n
 *   requests it sees is never overfull. At 20 per second this costs nothing until an answer takes
 *   longer than the margin over a whole second (20 ms);
 * - no two leave closer than half a bare interval (at 1 per second: a whole one plus half the margin).
 */
export class Pacer {
  /** Milliseconds between two planned requests. */
  readonly intervalMs: number;
  private readonly bareMs: number;
  /** n: requests per window of the floors. */
  private readonly window: number;
  private readonly windowFloorMs: number;
  private readonly pairFloorMs: number;
  /** The last `window` departures, oldest first. */
  private readonly departures: Departure[] = [];
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
    this.bareMs = 1000 / requestsPerSecond;
    this.intervalMs = this.bareMs * (1 + margin);
    this.window = Math.min(MAX_WINDOW, Math.max(1, Math.floor(requestsPerSecond)));
    this.windowFloorMs = this.window * this.bareMs * (1 + margin / 2);
    this.pairFloorMs = this.window === 1 ? this.windowFloorMs : this.bareMs / 2;
  }

  /** Waits for the next free slot. */
  async acquire(signal?: AbortSignal): Promise<Slot> {
    let waitedMs = 0;
    for (;;) {
      let now = this.clock.now();
      // A whole interval went unused: the pacer was idle and the plan starts over from now. A caller
      // only a little late (its previous answer came slowly) keeps the plan, and the next slot with it.
      const idle = now - this.nextAt >= this.intervalMs;
      const at = Math.max(now, this.nextAt);
      this.nextAt = (idle ? at : this.nextAt) + this.intervalMs;
      if (signal?.aborted) throw signal.reason;
      // Node times timers from the event loop's cached clock, which lags while a long task runs, so a
      // timer can fire early: sleep until the moment has really come. Slots reserved ahead all come due
      // at once after a stall; the floors space them out again.
      for (let until = at; now < until; until = Math.max(at, this.earliest())) {
        await this.clock.sleep(until - now, signal);
        const woke = this.clock.now();
        waitedMs += Math.min(woke, until) - now;
        now = woke;
      }
      // A hold placed while this caller slept (a 429, an idle start): its slot is void, take a later one.
      if (now < this.heldUntil) continue;
      if (now < this.earliest()) continue;
      const slot: Slot = { at, waitedMs, idle };
      this.departures.push({ slot, sent: now, answered: null });
      if (this.departures.length > this.window) this.departures.shift();
      return slot;
    }
  }

  /**
   * Reports that the answer to the request sent in `slot` arrived at `answeredAt`. Besides feeding the
   * answer floor: after an idle slot, spacing restarts from the answer. A request sent from idle often
   * opens a new connection, and its count can come tens of milliseconds late, closer to the next
   * request than the plan says; one round trip lost per burst, never a 429.
   */
  answered(slot: Slot, answeredAt: number): void {
    const departure = this.departures.findLast((d) => d.slot === slot);
    if (departure) departure.answered = answeredAt;
    // With n ≥ 2 the answer floor covers this already.
    if (slot.idle && this.window === 1) this.holdUntil(answeredAt + this.intervalMs);
  }

  /**
   * Nothing leaves before `untilMs` (after a 429: the server's Retry-After), and spacing restarts from
   * there. Callers already asleep on an earlier slot take a new one behind the hold when they wake.
   */
  holdUntil(untilMs: number): void {
    this.heldUntil = Math.max(this.heldUntil, untilMs);
    this.nextAt = Math.max(this.nextAt, untilMs);
  }

  /** When the next request may leave at the earliest, by the floors on what has left. */
  private earliest(): number {
    const n = this.departures.length;
    if (n === 0) return Number.NEGATIVE_INFINITY;
    let earliest = this.departures[n - 1]!.sent + this.pairFloorMs;
    if (n === this.window) {
      const oldest = this.departures[0]!;
      earliest = Math.max(earliest, oldest.sent + this.windowFloorMs);
      if (this.window > 1 && oldest.answered !== null) {
        earliest = Math.max(earliest, oldest.answered + this.window * this.bareMs);
      }
    }
    return earliest;
  }
}

/** Bound on the floors' window (memory; a server's burst tolerance is rarely larger). */
const MAX_WINDOW = 64;
