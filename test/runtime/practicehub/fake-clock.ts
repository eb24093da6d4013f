import type { Clock } from '../../../runtime/practicehub/clock.ts';

/**
 * A virtual clock: sleep() queues a timer, and time jumps to the next timer only when every task is
 * idle, so concurrent sleepers wake in order without any real waiting.
 */
export class VirtualClock implements Clock {
  private timers: { at: number; resolve: () => void }[] = [];
  /** How late (ms) the next timers fire; negative fires early, as Node timers can. */
  readonly lateness: number[] = [];

  constructor(public ms = 1_000_000) {}

  readonly now = (): number => this.ms;

  readonly sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const skew = this.lateness.shift() ?? 0;
      this.timers.push({ at: this.ms + Math.max(0, ms + skew), resolve });
      this.timers.sort((a, b) => a.at - b.at);
    });

  /** Lets every pending task run, firing timers in order, until `done` settles. */
  async run<T>(done: Promise<T>): Promise<T> {
    let settled = false;
    const result = done.finally(() => {
      settled = true;
    });
    while (!settled) {
      await new Promise((r) => setImmediate(r));
      if (settled) break;
      const next = this.timers.shift();
      if (!next) continue;
      this.ms = Math.max(this.ms, next.at);
      next.resolve();
    }
    return result;
  }
}

/**
 * Real time plus every sleep taken, without waiting: for tests against a real server where waits
 * (Retry-After, backoff) only need to be recorded, not sat through.
 */
export class JumpClock implements Clock {
  private offset = 0;
  /** Every sleep asked for, in ms. */
  readonly sleeps: number[] = [];

  readonly now = (): number => performance.timeOrigin + performance.now() + this.offset;

  readonly sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.offset += ms;
    await new Promise((r) => setImmediate(r));
  };
}
