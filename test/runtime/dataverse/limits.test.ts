import { describe, expect, it } from 'vitest';
import type { DataverseError } from '../../../runtime/dataverse/errors.ts';
import type { DataverseEvent } from '../../../runtime/dataverse/events.ts';
import { NO_FAULTS, parseFaults } from '../../../sandbox/shared/faults.ts';
import { rig } from './helpers.ts';

type Throttled = Extract<DataverseEvent, { type: 'throttled' }>;
const throttledEvents = (events: DataverseEvent[]) =>
  events.filter((e): e is Throttled => e.type === 'throttled');

/** Service protection limits (PA`api-limits`, reference §4.1), scaled down in the sandbox. */
describe('dataverse client: service protection', () => {
  it('survives the request-count limit by pausing every request for Retry-After', async () => {
    const r = await rig({ dopHint: 4, limits: { requestsPerWindow: 8, windowSeconds: 1 } });
    try {
      const started = Date.now();
      const answers = await Promise.all(Array.from({ length: 20 }, () => r.client.whoAmI()));
      const elapsed = Date.now() - started;
      expect(answers.every((a) => a.userId === r.sb.ids().appUserId)).toBe(true);
      const stats = r.client.stats();
      expect(stats.throttled.requests).toBeGreaterThanOrEqual(1);
      expect(stats.throttled.requests).toBe(r.sb.stats().throttled);
      const waits = throttledEvents(r.events);
      expect(waits.every((w) => w.limit === 'requests' && w.retryAfterMs >= 1000)).toBe(true);
      // 20 requests at 8 per second need at least two full windows.
      expect(elapsed).toBeGreaterThanOrEqual(2000);
      // The pause is shared: at most the requests in flight when a window closes are refused.
      expect(r.sb.stats().throttled).toBeLessThanOrEqual(3 * 4);
      expect(stats.waitMs.throttle).toBeGreaterThanOrEqual(1000);
    } finally {
      await r.close();
    }
  });

  it('lowers its concurrency when the concurrent-request limit answers 0x80072326', async () => {
    const r = await rig(
      { dopHint: 8, limits: { concurrency: 2 }, faults: parseFaults('slow=1@120') },
      { maxConcurrency: 8 },
    );
    try {
      await r.client.whoAmI();
      expect(r.client.stats().concurrency).toBe(8);
      const answers = await Promise.all(Array.from({ length: 16 }, () => r.client.whoAmI()));
      expect(answers).toHaveLength(16);
      const stats = r.client.stats();
      expect(stats.throttled.concurrency).toBeGreaterThanOrEqual(1);
      expect(stats.concurrency).toBeLessThanOrEqual(2);
      const lowered = r.events.filter((e) => e.type === 'concurrency' && e.reason.includes('0x80072326'));
      expect(lowered.length).toBeGreaterThanOrEqual(1);
      // At the lowered concurrency, another wave passes without a refusal.
      const refusedBefore = r.sb.stats().throttled;
      await Promise.all(Array.from({ length: 6 }, () => r.client.whoAmI()));
      expect(r.sb.stats().throttled).toBe(refusedBefore);
    } finally {
      await r.close();
    }
  });

  it('survives the execution-time limit (0x80072321)', async () => {
    const r = await rig({
      limits: { executionMsPerWindow: 150, windowSeconds: 1 },
      faults: parseFaults('slow=1@60'),
    });
    try {
      for (let i = 0; i < 6; i += 1) await r.client.whoAmI();
      expect(r.client.stats().throttled.executionTime).toBeGreaterThanOrEqual(1);
      expect(throttledEvents(r.events).some((e) => e.limit === 'executionTime')).toBe(true);
    } finally {
      await r.close();
    }
  });

  it('sizes the concurrency from x-ms-dop-hint, capped by the option and the concurrent-request limit', async () => {
    const wide = await rig({ dopHint: 64 });
    const capped = await rig({ dopHint: 64 }, { maxConcurrency: 3 });
    try {
      expect(wide.client.stats().concurrency).toBe(1);
      expect((await wide.client.whoAmI()).dopHint).toBe(64);
      expect(wide.client.stats().concurrency).toBe(52);
      await capped.client.whoAmI();
      expect(capped.client.stats().concurrency).toBe(3);
    } finally {
      await wide.close();
      await capped.close();
    }
  });

  it('retries a 429 even for a create without its own id: the service refused it before running it', async () => {
    const r = await rig({ faults: { ...NO_FAULTS, storm: { every: 2, length: 1 }, retryAfterSeconds: 0 } });
    try {
      await r.client.whoAmI();
      const id = await r.client.create('accounts', { name: 'Once' });
      expect(r.sb.snapshot(['account']).tables.account!.map((a) => a.accountid)).toEqual([id]);
      expect(r.client.stats().throttled.requests).toBe(1);
    } finally {
      await r.close();
    }
  });

  it('gives up after maxThrottleRetries with the service protection error and its code', async () => {
    const r = await rig(
      { faults: { ...NO_FAULTS, rate429: 1, retryAfterSeconds: 0 } },
      { maxThrottleRetries: 2 },
    );
    try {
      const e = (await r.client.whoAmI().catch((x: unknown) => x)) as DataverseError;
      expect(e).toMatchObject({
        status: 429,
        code: '0x80072322',
        method: 'GET',
        path: 'WhoAmI',
        retryAfter: 0,
      });
      expect(e.message).toContain('gave up after 2 retries');
      expect(r.sb.stats().throttled).toBe(3);
    } finally {
      await r.close();
    }
  });
});
