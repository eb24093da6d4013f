import { describe, expect, it } from 'vitest';
import { NO_FAULTS, parseFaults } from '../../../sandbox/shared/faults.ts';
import { harness } from './helpers.ts';

/** Service protection (PA`api-limits`, reference §4.1) and injected faults. */
describe('dataverse sandbox: service protection limits', () => {
  it('answers 429 0x80072322 with Retry-After once the request count is exceeded, then recovers', async () => {
    const h = await harness({ limits: { requestsPerWindow: 3, windowSeconds: 1 } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 4; i += 1) codes.push((await h.call('GET', 'WhoAmI')).status);
      expect(codes).toEqual([200, 200, 200, 429]);
      const r = await h.call('GET', 'WhoAmI');
      expect(r.status).toBe(429);
      expect(r.json.error).toEqual({
        code: '0x80072322',
        message: 'Number of requests exceeded the limit of 3 over time window of 1 seconds.',
      });
      const retry = Number(r.headers.get('Retry-After'));
      expect(retry).toBeGreaterThanOrEqual(1);
      expect(retry).toBeLessThanOrEqual(2);
      await new Promise((res) => setTimeout(res, retry * 1000 + 50));
      expect((await h.call('GET', 'WhoAmI')).status).toBe(200);
      expect(h.sb.stats().throttled).toBe(2);
    } finally {
      await h.close();
    }
  });

  it('counts real handler time towards the execution-time limit (0x80072321)', async () => {
    const h = await harness({
      limits: { executionMsPerWindow: 150, windowSeconds: 60 },
      faults: parseFaults('slow=1@100'),
    });
    try {
      expect((await h.call('GET', 'WhoAmI')).status).toBe(200);
      expect((await h.call('GET', 'WhoAmI')).status).toBe(200);
      const r = await h.call('GET', 'WhoAmI');
      expect(r.status).toBe(429);
      expect(r.json.error.code).toBe('0x80072321');
      expect(r.json.error.message).toMatch(
        /^Combined execution time of incoming requests exceeded limit of 150 milliseconds/,
      );
      expect(Number(r.headers.get('Retry-After'))).toBeGreaterThan(50);
    } finally {
      await h.close();
    }
  });

  it('refuses concurrent requests beyond the limit at once with 0x80072326', async () => {
    const h = await harness({ limits: { concurrency: 2 }, faults: parseFaults('slow=1@300') });
    try {
      const replies = await Promise.all([1, 2, 3, 4].map(() => h.call('GET', 'WhoAmI')));
      const codes = replies.map((r) => r.status).sort();
      expect(codes).toEqual([200, 200, 429, 429]);
      const refused = replies.find((r) => r.status === 429)!;
      expect(refused.json.error).toEqual({
        code: '0x80072326',
        message: 'Number of concurrent requests exceeded the limit of 2.',
      });
    } finally {
      await h.close();
    }
  });

  it('counts a $batch and a bulk request as one request each', async () => {
    const h = await harness({ limits: { requestsPerWindow: 2, windowSeconds: 60 } });
    try {
      const b = 'batch_x';
      const part = `--${b}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nGET /api/data/v9.2/WhoAmI HTTP/1.1\r\n\r\n`;
      const r = await h.call('POST', '$batch', {
        body: `${part.repeat(5)}--${b}--\r\n`,
        headers: { 'Content-Type': `multipart/mixed; boundary=${b}` },
      });
      expect(r.status).toBe(200);
      expect(Number(r.headers.get('x-ms-ratelimit-burst-remaining-xrm-requests'))).toBe(1);
    } finally {
      await h.close();
    }
  });
});

describe('dataverse sandbox: injected faults', () => {
  it('injects Dataverse-shaped 429s and 5xx JSON, counts them, and spares the token endpoint', async () => {
    const h = await harness({
      faults: { ...NO_FAULTS, storm: { every: 2, length: 1 }, retryAfterSeconds: 3 },
    });
    try {
      const first = await h.call('GET', 'WhoAmI');
      const second = await h.call('GET', 'WhoAmI');
      expect([first.status, second.status]).toEqual([200, 429]);
      expect(second.headers.get('Retry-After')).toBe('3');
      expect(second.json.error.code).toBe('0x80072322');
      expect(h.sb.stats().faultsInjected).toBe(1);
    } finally {
      await h.close();
    }
    const e = await harness({ faults: { ...parseFaults('5xx=1,seed=3') } });
    try {
      const r = await e.call('GET', 'WhoAmI');
      expect([500, 502, 503]).toContain(r.status);
      expect(typeof r.json.error.message).toBe('string');
    } finally {
      await e.close();
    }
  });

  it('resets the connection mid-body', async () => {
    const h = await harness({ faults: parseFaults('reset=1') });
    try {
      await expect(h.call('GET', 'WhoAmI')).rejects.toThrow();
      expect((await fetch(`${h.sb.url}/_sandbox/stats`)).status).toBe(200);
    } finally {
      await h.close();
    }
  });
});
