import { afterEach, describe, expect, it } from 'vitest';
import type { PracticeHubClient, PracticeHubEvent } from '../../../runtime/practicehub/index.ts';
import type { PracticeHubSandbox } from '../../../sandbox/practicehub/index.ts';
import { clientFor, collect, served, startSandbox } from './helpers.ts';

// reference practicehub.md, Documented "rate limit" and sandbox model "Rate limit": per key, over the
// limit answers 429 with Retry-After. The client must stay under the limit and still use nearly all of it.
describe('PracticeHub client: pacing at the account limit', () => {
  let sandbox: PracticeHubSandbox | undefined;
  let client: PracticeHubClient | undefined;
  afterEach(async () => {
    await client?.close();
    await sandbox?.close();
  });

  it('never exceeds 20 requests per second and achieves at least 95 % of it', async () => {
    // Warm the code paths first, on another sandbox: a cold process answers its first pages slowly,
    // and what is measured here is the pacer, not the JIT.
    const warm = await startSandbox();
    const warmClient = clientFor(warm, { pageSize: 25 });
    await collect(warmClient, 'patients');
    await warmClient.close();
    await warm.close();

    const rate = 20;
    sandbox = await startSandbox({ rate });
    const events: PracticeHubEvent[] = [];
    client = clientFor(sandbox, { requestsPerSecond: rate, pageSize: 25 }, events);
    let records = 0;
    for await (const page of client.pages('patients')) {
      records += page.records.length;
      if (page.page === 70) break;
    }
    expect(records).toBe(70 * 25);
    const sends = events.flatMap((e) => (e.type === 'request' ? [e.at] : []));
    const achieved = (sends.length - 1) / ((sends.at(-1)! - sends[0]!) / 1000);
    expect(sandbox.stats().throttled).toEqual({ rateLimit: 0, injected: 0 });
    expect(client.stats().outcomes.throttled).toBe(0);
    expect(achieved).toBeLessThanOrEqual(rate);
    expect(achieved / rate).toBeGreaterThanOrEqual(0.95);
    // Pages read ahead that left before the loop stopped are wasted; those still waiting are not sent.
    expect(served(sandbox).served).toBeGreaterThanOrEqual(70);
    expect(served(sandbox).served).toBeLessThanOrEqual(71);
    expect(client.stats().requests).toBe(served(sandbox).served);
  });

  it('shares one limit between extractions running side by side', async () => {
    const rate = 20;
    sandbox = await startSandbox({ rate });
    client = clientFor(sandbox, { requestsPerSecond: rate, pageSize: 100 });
    const resources = [
      'clinics',
      'practitioners',
      'appointment_types',
      'payment_methods',
      'referral_sources',
    ];
    const all = await Promise.all(resources.map((r) => collect(client!, r)));
    expect(all.map((records) => records.length)).toEqual(
      resources.map((r) => sandbox!.counts()[r as 'clinics']),
    );
    expect(sandbox.stats().throttled.rateLimit).toBe(0);
    expect(client.stats().requests).toBe(resources.length);
  });
});
