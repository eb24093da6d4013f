import { describe, expect, it } from 'vitest';
import { NO_FAULTS, parseFaults } from '../../../sandbox/shared/faults.ts';
import { FakeClock, get, start } from './helpers.ts';

// reference practicehub.md, sandbox model "Faults": injectable 429 storms, 500/502/503, connection
// resets mid-body, slow first byte. Injected per API request, before routing.
describe('PracticeHub sandbox: injected faults', () => {
  it('throttle: answers 429 with the configured Retry-After, and counts nothing', async () => {
    const clock = new FakeClock();
    const sandbox = await start({
      rate: 1,
      clock: clock.now,
      faults: parseFaults('storm=2x1,retry-after=3'),
    });
    try {
      expect((await get(sandbox, '/clinics')).status).toBe(200);
      clock.advance(1000);
      const injected = await get(sandbox, '/clinics');
      expect(injected.status).toBe(429);
      expect(injected.headers.get('retry-after')).toBe('3');
      expect(await injected.json()).toMatchObject({ error: 'rate_limited' });
      // Same instant, rate 1: passes only because the injected 429 consumed nothing.
      expect((await get(sandbox, '/clinics')).status).toBe(200);
      const stats = sandbox.stats();
      expect(stats.throttled).toEqual({ rateLimit: 0, injected: 1 });
      expect(stats.faults.throttle).toBe(1);
    } finally {
      await sandbox.close();
    }
  });

  it('server-error: answers 500, 502 or 503 with a JSON error', async () => {
    const sandbox = await start({ faults: { ...NO_FAULTS, rate5xx: 1, seed: 3 } });
    try {
      const statuses = new Set<number>();
      for (let i = 0; i < 12; i += 1) {
        const res = await get(sandbox, '/patients');
        statuses.add(res.status);
        expect(await res.json()).toMatchObject({ error: 'server_error' });
      }
      expect([...statuses].sort()).toEqual([500, 502, 503]);
      expect(sandbox.stats().faults['server-error']).toBe(12);
    } finally {
      await sandbox.close();
    }
  });

  it('reset: sends headers and part of the body, then drops the connection', async () => {
    const sandbox = await start({ faults: parseFaults('reset=1') });
    try {
      await expect(get(sandbox, '/patients').then((res) => res.text())).rejects.toThrow();
      expect(sandbox.stats().faults.reset).toBe(1);
    } finally {
      await sandbox.close();
    }
  });

  it('slow: holds the first byte for the configured delay', async () => {
    const sandbox = await start({ faults: parseFaults('slow=1@250') });
    try {
      const t0 = performance.now();
      const res = await get(sandbox, '/clinics');
      expect(res.status).toBe(200);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(240);
      expect(sandbox.stats().faults.slow).toBe(1);
    } finally {
      await sandbox.close();
    }
  });

  it('injects nothing on /_sandbox routes or refused requests', async () => {
    const sandbox = await start({ faults: parseFaults('5xx=1') });
    try {
      expect((await fetch(`http://127.0.0.1:${sandbox.port}/_sandbox/stats`)).status).toBe(200);
      expect((await get(sandbox, '/clinics', {})).status).toBe(401);
      expect(sandbox.stats().faults['server-error']).toBe(0);
    } finally {
      await sandbox.close();
    }
  });
});
