import { describe, expect, it } from 'vitest';
import { Pacer } from '../../../runtime/practicehub/index.ts';
import { VirtualClock } from './fake-clock.ts';

/** Acquires `n` slots one after another; returns when each caller left. */
async function sequential(pacer: Pacer, clock: VirtualClock, n: number): Promise<number[]> {
  const times: number[] = [];
  await clock.run(
    (async () => {
      for (let i = 0; i < n; i += 1) {
        await pacer.acquire();
        times.push(clock.now());
      }
    })(),
  );
  return times;
}

const gaps = (times: number[]): number[] => times.slice(1).map((t, i) => t - times[i]!);

describe('Pacer: a token bucket of capacity 1', () => {
  it('spaces requests one interval (limit plus margin) apart, the first one at once', async () => {
    const clock = new VirtualClock();
    const pacer = new Pacer(2, clock, 0.02);
    const start = clock.now();
    const times = await sequential(pacer, clock, 5);
    expect(times[0]).toBe(start);
    for (const gap of gaps(times)) expect(gap).toBeCloseTo(510, 6);
  });

  it('earns no burst while idle: after a pause the next two requests are still one interval apart', async () => {
    const clock = new VirtualClock();
    const pacer = new Pacer(1, clock, 0);
    await sequential(pacer, clock, 1);
    clock.ms += 60_000;
    const times = await sequential(pacer, clock, 2);
    expect(gaps(times)).toEqual([1000]);
    const slot = await clock.run(pacer.acquire());
    expect(slot.idle).toBe(false);
    expect(slot.waitedMs).toBe(1000);
  });

  it('serves concurrent callers one schedule, in order', async () => {
    const clock = new VirtualClock();
    const pacer = new Pacer(10, clock, 0);
    const left: [number, number][] = [];
    const callers = [0, 1, 2, 3].map(async (id) => {
      await pacer.acquire();
      left.push([id, clock.now() - 1_000_000]);
    });
    await clock.run(Promise.all(callers));
    expect(left).toEqual([
      [0, 0],
      [1, 100],
      [2, 200],
      [3, 300],
    ]);
  });

  it('holds everyone after a 429 and restarts spacing from the hold, sleepers included', async () => {
    const clock = new VirtualClock();
    const pacer = new Pacer(10, clock, 0);
    await clock.run(pacer.acquire());
    const sleeper = pacer.acquire().then(() => clock.now() - 1_000_000);
    pacer.holdUntil(1_000_000 + 2_000);
    const other = pacer.acquire().then(() => clock.now() - 1_000_000);
    expect(await clock.run(Promise.all([sleeper, other]))).toEqual([2_100, 2_000]);
  });

  it('at 1 per second restarts spacing from the answer after an idle start (counted late, maybe)', async () => {
    const clock = new VirtualClock();
    const pacer = new Pacer(1, clock, 0);
    const first = await clock.run(pacer.acquire());
    expect(first.idle).toBe(true);
    clock.ms += 400; // the answer took 400 ms, a new connection
    pacer.answered(first, clock.now());
    const second = await clock.run(pacer.acquire());
    expect(second.at - first.at).toBe(1400);
    expect(second.idle).toBe(false);
    pacer.answered(second, clock.now() + 400); // not idle: the plan holds
    const third = await clock.run(pacer.acquire());
    expect(third.at - second.at).toBe(1000);
  });

  it('sleeps again when a timer fires early, so no request leaves before its slot', async () => {
    const clock = new VirtualClock();
    const pacer = new Pacer(20, clock, 0);
    clock.lateness.push(0, -30, 0);
    const times = await sequential(pacer, clock, 3);
    expect(gaps(times)).toEqual([50, 50]);
  });

  it('catches up with the plan after late timers, never faster than the limit over a second', async () => {
    const clock = new VirtualClock();
    const rate = 20;
    const pacer = new Pacer(rate, clock, 0.02);
    // Every fifth timer fires 30 ms late, as on a loaded machine.
    for (let i = 0; i < 200; i += 1) clock.lateness.push(i % 5 === 4 ? 30 : 0);
    const times = await sequential(pacer, clock, 200);
    for (let i = rate; i < times.length; i += 1) {
      // Any 21 consecutive requests span at least 20 intervals of the bare limit: the server's window.
      expect(times[i]! - times[i - rate]!).toBeGreaterThanOrEqual(1000);
    }
    const achieved = (times.length - 1) / ((times.at(-1)! - times[0]!) / 1000);
    expect(achieved / rate).toBeGreaterThan(0.96);
    // Re-planning from every late send would have lost 30 ms in five: about 10 % here.
    expect(achieved / rate).toBeLessThanOrEqual(1 / 1.02 + 1e-9);
  });

  it('sends the (n+1)-th request n intervals after the answer to the first, however late that came', async () => {
    const clock = new VirtualClock();
    const pacer = new Pacer(20, clock, 0.02);
    const slots = [];
    for (let i = 0; i < 20; i += 1) slots.push(await clock.run(pacer.acquire()));
    // The first answer took 300 ms: the server may have counted it that late.
    pacer.answered(slots[0]!, slots[0]!.at + 300);
    for (const slot of slots.slice(1)) pacer.answered(slot, slot.at + 2);
    await clock.run(pacer.acquire());
    expect(clock.now() - slots[0]!.at).toBeCloseTo(1300, 6);
    // Answers that came quickly cost nothing: the next one follows the plan.
    const next = await clock.run(pacer.acquire());
    expect(next.at - slots[0]!.at).toBeCloseTo(1300 + 51, 6);
  });

  it('spaces slots that all came due after a stall at least half an interval apart', async () => {
    const clock = new VirtualClock();
    const pacer = new Pacer(20, clock, 0);
    await clock.run(pacer.acquire());
    // Three callers reserve slots, then every timer fires 200 ms late at once.
    clock.lateness.push(200, 150, 100);
    const left: number[] = [];
    await clock.run(Promise.all([0, 1, 2].map(() => pacer.acquire().then(() => left.push(clock.now())))));
    expect(gaps(left)).toEqual([25, 25]);
  });

  it('at one request per second keeps every two requests a full second apart, late timers or not', async () => {
    const clock = new VirtualClock();
    const pacer = new Pacer(1, clock, 0.02);
    clock.lateness.push(0, 300, 0, 0);
    const times = await sequential(pacer, clock, 4);
    for (const gap of gaps(times)) expect(gap).toBeGreaterThanOrEqual(1000);
  });

  it('rejects limits it cannot keep', () => {
    const clock = new VirtualClock();
    expect(() => new Pacer(0, clock)).toThrow(/requestsPerSecond/);
    expect(() => new Pacer(Number.NaN, clock)).toThrow(/requestsPerSecond/);
    expect(() => new Pacer(1, clock, 1)).toThrow(/margin/);
  });
});
