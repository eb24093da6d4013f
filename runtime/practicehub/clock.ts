import { setTimeout as delay } from 'node:timers/promises';

/** Time as the client sees it; tests inject a fake one so no test waits for real seconds. */
export interface Clock {
  /** Milliseconds since the epoch (fractional allowed). */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The real clock: monotonic milliseconds anchored at the epoch (performance.timeOrigin), so a wall
 * clock step (NTP) cannot shorten the spacing between requests.
 */
export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  sleep: async (ms, signal) => {
    try {
      if (ms > 0) await delay(ms, undefined, signal ? { signal } : {});
    } catch (error) {
      // timers/promises rejects with its own AbortError; the caller's reason says who stopped and why.
      if (signal?.aborted) throw signal.reason;
      throw error;
    }
    if (signal?.aborted) throw signal.reason;
  },
};
