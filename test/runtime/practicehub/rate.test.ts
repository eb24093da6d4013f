import { afterEach, describe, expect, it } from 'vitest';
import type { PracticeHubClient, PracticeHubEvent } from '../../../runtime/practicehub/index.ts';
import type { PracticeHubSandbox } from '../../../sandbox/practicehub/index.ts';
import { clientFor, served, startSandbox } from './helpers.ts';

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
    const rate = 20;
    sandbox = await startSandbox({ rate });
    const events: PracticeHubEvent[] = [];
    client = clientFor(sandbox, { requestsPerSecond: rate, pageSize: 25 }, events);
    let pages = 0;
    for await (const page of client.pages('patients')) {
      pages += 1;
      if (page.page === 70) break;
    }
    expect(pages).toBe(70);
    const sends = events.flatMap((e) => (e.type === 'request' ? [e.at] : []));
    const achieved = (sends.length - 1) / ((sends.at(-1)! - sends[0]!) / 1000);
    expect(sandbox.stats().throttled).toEqual({ rateLimit: 0, injected: 0 });
    expect(client.stats().outcomes.throttled).toBe(0);
    expect(achieved).toBeLessThanOrEqual(rate);
    expect(achieved / rate).toBeGreaterThanOrEqual(0.95);
    // Two pages were in flight when the loop stopped at most: the prefetched one and none beyond.
    expect(served(sandbox).served).toBeLessThanOrEqual(71);
    expect(client.stats().waitedSeconds.pacer).toBeGreaterThan(2.5);
  });
});
