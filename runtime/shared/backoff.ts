/** Exponential backoff settings: the first retry waits up to baseMs, each later one twice as long, capped. */
export interface BackoffOptions {
  readonly baseMs: number;
  readonly maxMs: number;
}

/**
 * Delays between retries of transient failures: exponential with full jitter, a uniform draw in
 * [0, min(maxMs, baseMs · 2^(n-1))], so clients that failed together do not retry in lockstep
 * (AWS Architecture Blog, "Exponential Backoff And Jitter"). Seeded (mulberry32), so a failing test
 * replays the same waits; the state belongs to the instance.
 */
export class Backoff {
  private state: number;

  constructor(
    private readonly options: BackoffOptions,
    seed: number,
  ) {
    if (!(options.baseMs >= 0) || !(options.maxMs >= options.baseMs)) {
      throw new RangeError(`backoff needs 0 <= baseMs <= maxMs, got ${options.baseMs} and ${options.maxMs}`);
    }
    this.state = seed >>> 0;
  }

  /** The wait before retry number `n` (1 for the first retry). */
  delayMs(n: number): number {
    const ceiling = Math.min(this.options.maxMs, this.options.baseMs * 2 ** Math.min(Math.max(n, 1) - 1, 30));
    return Math.floor(this.random() * ceiling);
  }

  private random(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/**
 * Milliseconds to wait from a Retry-After header (of PracticeHub or Dataverse), or undefined when absent
 * or unreadable. RFC 9110 §10.2.3: delay-seconds or an HTTP-date, a date in the past meaning no wait.
 * Dataverse and PracticeHub send whole seconds (PA`api-limits`); a decimal is read as seconds too.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // Only a date-looking value: Date.parse would also accept a bare "12" as a year.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
