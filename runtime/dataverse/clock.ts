import { setTimeout as delay } from 'node:timers/promises';

/** Time as the client sees it; tests inject their own to age tokens without waiting. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds (at once for 0 or less). */
  sleep(ms: number): Promise<void>;
}

/** The wall clock and real timers. */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  sleep: (ms: number) => (ms > 0 ? delay(ms) : Promise.resolve()),
});
