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
  sleep: (ms, signal) => (ms > 0 ? delay(ms, undefined, signal ? { signal } : {}) : abortCheck(signal)),
};

function abortCheck(signal: AbortSignal | undefined): Promise<void> {
  return signal?.aborted ? Promise.reject(signal.reason) : Promise.resolve();
}
