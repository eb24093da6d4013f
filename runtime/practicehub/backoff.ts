/** Exponential backoff settings: the first retry waits up to baseMs, each later one twice as long, capped. */
export interface BackoffOptions {
  readonly baseMs: number;
  readonly maxMs: number;
}

/**
 * Delays for retries after transient failures: exponential with full jitter (a uniform draw in
 * [0, min(maxMs, baseMs · 2^(n-1))]), which spreads clients that failed together instead of having them
 * retry in lockstep. Seeded, so a failing run replays the same waits. State is per instance.
 */
export class Backoff {
  private state: number;

  constructor(
    private readonly options: BackoffOptions,
    seed: number,
  ) {
    if (!(options.baseMs >= 0) || !(options.maxMs >= options.baseMs)) {
      throw new RangeError(
        `backoff needs 0 <= baseMs <= maxMs, got baseMs ${options.baseMs} and maxMs ${options.maxMs}`,
      );
    }
    this.state = seed >>> 0;
  }

  /** The wait before retry number `n` (1 for the first retry). */
  delayMs(n: number): number {
    const ceiling = Math.min(this.options.maxMs, this.options.baseMs * 2 ** Math.min(n - 1, 30));
    return Math.floor(this.random() * ceiling);
  }

  // mulberry32: small, fast and the same on every machine.
  private random(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/**
 * Milliseconds to wait from a Retry-After header, or undefined when absent or unreadable. RFC 9110
 * §10.2.3: the value is either delay-seconds (a non-negative integer) or an HTTP-date; a date in the
 * past means no wait.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only a date-looking value: Date.parse would also accept a bare "12.5" as a year.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
