import { afterEach, describe, expect, it } from 'vitest';
import type { PracticeHubSandbox } from '../../../sandbox/practicehub/index.ts';
import { retryAfterSeconds, SlidingWindowLimiter } from '../../../sandbox/practicehub/rate-limit.ts';
import { FakeClock, get, list, start } from './helpers.ts';

// reference practicehub.md, Documented "rate limit" (1 request per second per account, treat as the limit)
// and sandbox model "Rate limit": per API key, over the limit answers 429 with Retry-After and counts nothing.
describe('PracticeHub sandbox: rate limit', () => {
  let sandbox: PracticeHubSandbox | undefined;
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });

  it('answers the second request in the same second with 429 and Retry-After; the 429 counts nothing', async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    sandbox = await start({ rate: 1, clock: clock.now });
    expect((await get(sandbox, '/clinics')).status).toBe(200);
    clock.advance(300);
    const throttled = await get(sandbox, '/clinics');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('1');
    expect(await throttled.json()).toMatchObject({ error: 'rate_limited' });
    // 1 s after the first request the window is free again: had the 429 counted, this would be refused too.
    clock.advance(700);
    expect((await get(sandbox, '/clinics')).status).toBe(200);
    const stats = sandbox.stats();
    expect(stats.throttled).toEqual({ rateLimit: 1, injected: 0 });
    expect(Object.values(stats.requests)).toEqual([
      { served: 2, throttled: 1, firstServedAt: t0, lastServedAt: t0 + 1000 },
    ]);
  });

  it('lets `rate` requests through per second, sliding', async () => {
    const clock = new FakeClock();
    sandbox = await start({ rate: 3, clock: clock.now });
    for (let i = 0; i < 3; i += 1) {
      expect((await get(sandbox, '/clinics')).status).toBe(200);
      clock.advance(200);
    }
    const refused = await get(sandbox, '/clinics');
    expect(refused.status).toBe(429);
    clock.advance(400); // the first request left the window (1,000 ms after it)
    expect((await get(sandbox, '/clinics')).status).toBe(200);
    expect((await get(sandbox, '/clinics')).status).toBe(429);
  });

  it('counts file downloads, but not /_sandbox routes', async () => {
    const clock = new FakeClock();
    sandbox = await start({ rate: 1, clock: clock.now });
    const files = await list(sandbox, '/files?page_size=1');
    const download = await get(sandbox, String(files.data[0]!.download_url));
    expect(download.status).toBe(429);
    clock.advance(1000);
    const stats = await fetch(`http://127.0.0.1:${sandbox.port}/_sandbox/stats`);
    expect(stats.status).toBe(200);
    const mutation = await fetch(`http://127.0.0.1:${sandbox.port}/_sandbox/mutations`, {
      method: 'POST',
      body: JSON.stringify({ resource: 'clinics', action: 'update', count: 1 }),
    });
    expect(mutation.status).toBe(200);
    expect((await get(sandbox, String(files.data[0]!.download_url))).status).toBe(200);
  });

  it('computes windows and Retry-After for fractional rates', () => {
    const clock = new FakeClock(0);
    const half = new SlidingWindowLimiter(0.5, clock.now);
    expect(half.check('k')).toBe(0);
    half.consume('k');
    clock.advance(1500);
    expect(half.check('k')).toBe(500);
    expect(retryAfterSeconds(500)).toBe(1);
    expect(retryAfterSeconds(1001)).toBe(2);
    clock.advance(500);
    expect(half.check('k')).toBe(0);
    expect(half.check('other')).toBe(0);
    expect(() => new SlidingWindowLimiter(0, clock.now)).toThrow(/rate/);
  });
});
