import type { Limits } from './options.ts';

/** A service protection refusal: the Web API answers 429 with Retry-After (reference §4.1). */
export interface Throttle {
  readonly code: string;
  readonly message: string;
  readonly retryAfterSeconds: number;
}

interface UserWindow {
  readonly requests: number[];
  readonly exec: { at: number; ms: number }[];
  execSum: number;
  inFlight: number;
  blockedUntil: number;
  blockedBy?: Throttle;
}

/** A premature retry while blocked extends the block by this much ("the duration will be extended"). */
const PENALTY_MS = 1000;

/**
 * Per-user service protection limits over a sliding window (PA`api-limits`): number of requests,
 * combined execution time and concurrent requests. Requests and execution time trip once exceeded and
 * block later requests until Retry-After has passed; concurrency trips immediately. Limits are per user,
 * and application users are treated the same way.
 */
export class ServiceProtection {
  private readonly users = new Map<string, UserWindow>();

  constructor(
    private readonly limits: Limits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Admits a request for `user` or returns why it is refused. Pair every admission with `complete`. */
  admit(user: string): Throttle | undefined {
    const w = this.window(user);
    const now = this.now();
    this.prune(w, now);
    const windowMs = this.limits.windowSeconds * 1000;
    if (now < w.blockedUntil && w.blockedBy) {
      w.blockedUntil = Math.min(w.blockedUntil + PENALTY_MS, now + windowMs);
      return { ...w.blockedBy, retryAfterSeconds: this.retryAfter(w, now) };
    }
    if (w.inFlight >= this.limits.concurrency) {
      return {
        code: '0x80072326',
        message: `Number of concurrent requests exceeded the limit of ${this.limits.concurrency}.`,
        retryAfterSeconds: 1,
      };
    }
    if (w.requests.length >= this.limits.requestsPerWindow) {
      const oldest = w.requests[w.requests.length - this.limits.requestsPerWindow]!;
      return this.block(w, now, oldest + windowMs, {
        code: '0x80072322',
        message: `Number of requests exceeded the limit of ${this.limits.requestsPerWindow} over time window of ${this.limits.windowSeconds} seconds.`,
      });
    }
    if (w.execSum >= this.limits.executionMsPerWindow) {
      let excess = w.execSum - this.limits.executionMsPerWindow;
      let until = now;
      for (const e of w.exec) {
        until = e.at + windowMs;
        excess -= e.ms;
        if (excess < 0) break;
      }
      return this.block(w, now, until, {
        code: '0x80072321',
        message: `Combined execution time of incoming requests exceeded limit of ${this.limits.executionMsPerWindow.toLocaleString('en-US')} milliseconds over time window of ${this.limits.windowSeconds} seconds. Decrease number of concurrent requests or reduce the duration of requests and try again later.`,
      });
    }
    w.inFlight += 1;
    w.requests.push(now);
    return undefined;
  }

  /** Ends an admitted request and adds its measured handling time to the execution-time window. */
  complete(user: string, durationMs: number): void {
    const w = this.window(user);
    w.inFlight = Math.max(0, w.inFlight - 1);
    w.exec.push({ at: this.now(), ms: durationMs });
    w.execSum += durationMs;
  }

  /** The debug headers of PA`api-limits` ("don't use them to drive logic"). */
  headers(user: string): Record<string, string> {
    const w = this.window(user);
    this.prune(w, this.now());
    return {
      'x-ms-ratelimit-burst-remaining-xrm-requests': String(
        Math.max(0, this.limits.requestsPerWindow - w.requests.length),
      ),
      'x-ms-ratelimit-time-remaining-xrm-requests': String(
        Math.max(0, this.limits.executionMsPerWindow - Math.round(w.execSum)),
      ),
    };
  }

  /** Forgets every user's window. */
  reset(): void {
    this.users.clear();
  }

  private block(
    w: UserWindow,
    now: number,
    until: number,
    reason: Omit<Throttle, 'retryAfterSeconds'>,
  ): Throttle {
    w.blockedUntil = Math.max(until, now + 1);
    w.blockedBy = { ...reason, retryAfterSeconds: 0 };
    return { ...reason, retryAfterSeconds: this.retryAfter(w, now) };
  }

  private retryAfter(w: UserWindow, now: number): number {
    return Math.max(1, Math.ceil((w.blockedUntil - now) / 1000));
  }

  private window(user: string): UserWindow {
    let w = this.users.get(user);
    if (!w) {
      w = { requests: [], exec: [], execSum: 0, inFlight: 0, blockedUntil: 0 };
      this.users.set(user, w);
    }
    return w;
  }

  private prune(w: UserWindow, now: number): void {
    const start = now - this.limits.windowSeconds * 1000;
    let r = 0;
    while (r < w.requests.length && w.requests[r]! <= start) r += 1;
    if (r > 0) w.requests.splice(0, r);
    let e = 0;
    while (e < w.exec.length && w.exec[e]!.at <= start) {
      w.execSum -= w.exec[e]!.ms;
      e += 1;
    }
    if (e > 0) w.exec.splice(0, e);
  }
}
