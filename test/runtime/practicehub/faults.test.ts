import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PracticeHubEvent, PracticeHubRequestError } from '../../../runtime/practicehub/index.ts';
import type { PracticeHubSandbox } from '../../../sandbox/practicehub/index.ts';
import { NO_FAULTS } from '../../../sandbox/shared/faults.ts';
import { JumpClock } from './fake-clock.ts';
import { clientFor, collect, served, stable, startSandbox } from './helpers.ts';

const RESOURCES = ['patients', 'appointments', 'clinical_notes'] as const;

// reference practicehub.md, sandbox model "Faults": injectable 429 storms, 500/502/503, connection resets
// mid-body, slow first byte. The client must survive all of them with the same records.
describe('PracticeHub client: faults', () => {
  let calm: PracticeHubSandbox;
  let stormy: PracticeHubSandbox;
  beforeAll(async () => {
    [calm, stormy] = await Promise.all([
      startSandbox({ seed: 11 }),
      startSandbox({
        seed: 11,
        faults: {
          ...NO_FAULTS,
          seed: 5,
          rate429: 0.05,
          rate5xx: 0.06,
          rateReset: 0.06,
          rateSlow: 0.05,
          slowMs: 400,
          storm: { every: 50, length: 8 },
          retryAfterSeconds: 0,
        },
      }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([calm.close(), stormy.close()]);
  });

  it('survives 429 storms, 5xx, resets and slow first bytes with identical records', async () => {
    const events: PracticeHubEvent[] = [];
    const client = clientFor(stormy, { timeoutMs: 150 }, events);
    const reference = clientFor(calm);
    let pages = 0;
    for (const resource of RESOURCES) {
      const expected = await collect(reference, resource);
      expect(stable(await collect(client, resource)), resource).toEqual(stable(expected));
      pages += Math.ceil(expected.length / 100);
    }
    const stats = client.stats();
    const faults = stormy.stats().faults;
    expect(faults.throttle).toBeGreaterThan(10);
    expect(faults['server-error']).toBeGreaterThan(3);
    expect(faults.reset).toBeGreaterThan(3);
    expect(faults.slow).toBeGreaterThan(3);
    // Every fault the sandbox injected is seen and accounted for, nothing else went wrong.
    expect(stats.outcomes).toEqual({
      ok: pages,
      throttled: faults.throttle,
      serverError: faults['server-error'],
      clientError: 0,
      reset: faults.reset,
      timeout: faults.slow,
    });
    expect(stats.requests).toBe(served(stormy).served + served(stormy).throttled);
    expect(stats.retried).toBe(stats.requests - pages);
    const retries = events.filter((e) => e.type === 'retry');
    expect(retries).toHaveLength(faults['server-error'] + faults.reset + faults.slow);
    expect(new Set(retries.map((e) => e.type === 'retry' && e.reason))).toEqual(
      new Set(['server_error', 'reset', 'timeout']),
    );
    await Promise.all([client.close(), reference.close()]);
  });

  it("waits the server's Retry-After on a 429 and does not count it as a retry", async () => {
    const sandbox = await startSandbox({
      faults: { ...NO_FAULTS, storm: { every: 2, length: 3 }, retryAfterSeconds: 2 },
    });
    const clock = new JumpClock();
    const events: PracticeHubEvent[] = [];
    const client = clientFor(sandbox, { maxRetries: 0, now: clock.now, sleep: clock.sleep }, events);
    expect(await client.count('patients')).toBe(2000);
    expect(await client.count('clinics')).toBe(sandbox.counts().clinics);
    const stats = client.stats();
    expect(stats.outcomes.throttled).toBe(3);
    expect(stats.waitedSeconds.retryAfter).toBe(6);
    expect(clock.sleeps.filter((ms) => ms === 2000)).toHaveLength(3);
    expect(
      events.filter((e) => e.type === 'throttled').map((e) => e.type === 'throttled' && e.retryAfterMs),
    ).toEqual([2000, 2000, 2000]);
    await client.close();
    await sandbox.close();
  });

  it('gives up after maxRetries with method, URL, status, attempts and the server text', async () => {
    const sandbox = await startSandbox({ faults: { ...NO_FAULTS, rate5xx: 1 } });
    const client = clientFor(sandbox, { maxRetries: 2 });
    const error = await collect(client, 'patients').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PracticeHubRequestError);
    const e = error as PracticeHubRequestError;
    expect(e.attempts).toBe(3);
    expect([500, 502, 503]).toContain(e.status);
    expect(e.url).toBe(`${sandbox.baseUrl}/patients?page=1&page_size=100`);
    expect(e.message).toContain(
      `GET ${sandbox.baseUrl}/patients?page=1&page_size=100 failed (HTTP ${e.status}, 3 attempts)`,
    );
    expect(e.message).toContain(`PracticeHub said: "injected ${e.status}"`);
    expect(e.message).toContain('run again later');
    expect(e.message).not.toContain(sandbox.apiKey);
    expect(client.stats().outcomes.serverError).toBe(3);
    await client.close();
    await sandbox.close();
  });

  it('gives up on connections that keep dropping, naming no status', async () => {
    const sandbox = await startSandbox({ faults: { ...NO_FAULTS, rateReset: 1 } });
    const client = clientFor(sandbox, { maxRetries: 1 });
    const error = (await client.count('patients').catch((e: unknown) => e)) as PracticeHubRequestError;
    expect(error).toBeInstanceOf(PracticeHubRequestError);
    expect(error.status).toBeNull();
    expect(error.attempts).toBe(2);
    const at = new URL(sandbox.baseUrl).host;
    expect(error.message).toContain(
      `(no answer, 2 attempts): the connection to ${at} kept dropping before the answer arrived whole`,
    );
    expect(error.message).toContain('run again later');
    expect(client.stats().outcomes.reset).toBe(2);
    await client.close();
    await sandbox.close();
  });

  it('fails a 404 at once, without retrying', async () => {
    const client = clientFor(calm);
    const error = (await client.get('patients', '123').catch((e: unknown) => e)) as PracticeHubRequestError;
    expect(error).toBeInstanceOf(PracticeHubRequestError);
    expect(error.status).toBe(404);
    expect(error.attempts).toBe(1);
    expect(error.message).toContain(
      `GET ${calm.baseUrl}/patients/123 failed (HTTP 404, 1 attempt): not found`,
    );
    expect(client.stats()).toMatchObject({ requests: 1, retried: 0, outcomes: { clientError: 1 } });
    await client.close();
  });

  it('gives up when 429s never stop, and stops at once when the caller aborts', async () => {
    const throttling = await startSandbox({ faults: { ...NO_FAULTS, rate429: 1, retryAfterSeconds: 0 } });
    const client = clientFor(throttling, { maxThrottled: 4 });
    const error = (await client.count('patients').catch((e: unknown) => e)) as PracticeHubRequestError;
    expect(error.message).toContain('kept answering 429');
    // Advice in the names a user can set, not the client's option names.
    expect(error.message).toContain('the --rate option, or source.rate_limit.requests_per_second');
    expect(error.message).not.toContain('requestsPerSecond');
    expect(error.attempts).toBe(5);
    const controller = new AbortController();
    const slow = clientFor(calm, { requestsPerSecond: 2, signal: controller.signal });
    const started = performance.now();
    const pending = collect(slow, 'appointments');
    setTimeout(() => controller.abort(new Error('operator stopped the run')), 50);
    await expect(pending).rejects.toThrow('operator stopped the run');
    expect(performance.now() - started).toBeLessThan(1000);
    await Promise.all([client.close(), slow.close(), throttling.close()]);
  });
});
