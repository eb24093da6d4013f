import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PracticeHubSandbox, RESOURCE_NAMES } from '../../../sandbox/practicehub/index.ts';
import { get, list, start } from './helpers.ts';

// reference practicehub.md, sandbox model "Data": deterministic from a seed and a scale factor.
describe('PracticeHub sandbox: determinism', () => {
  let a: PracticeHubSandbox;
  let b: PracticeHubSandbox;
  let c: PracticeHubSandbox;
  beforeAll(async () => {
    [a, b, c] = await Promise.all([start({ seed: 7 }), start({ seed: 7 }), start({ seed: 8 })]);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  // Links and download URLs name the server's own port and expiry; the records are what must match.
  const page = async (s: PracticeHubSandbox, path: string): Promise<string> => {
    const body = await list(s, path);
    return JSON.stringify(body.data.map((r) => ({ ...r, download_url: null })));
  };

  it('serves byte-identical records for the same seed, for every resource', async () => {
    for (const resource of RESOURCE_NAMES) {
      const path = `/${resource}?page=2&page_size=37`;
      expect(await page(a, path), resource).toBe(await page(b, path));
    }
  });

  it('serves identical file bodies for the same seed', async () => {
    const [fa] = (await list(a, '/files?page_size=1')).data;
    const [fb] = (await list(b, '/files?page_size=1')).data;
    const bodyA = Buffer.from(await (await get(a, String(fa!.download_url))).arrayBuffer());
    const bodyB = Buffer.from(await (await get(b, String(fb!.download_url))).arrayBuffer());
    expect(bodyA.equals(bodyB)).toBe(true);
  });

  it('serves different data for a different seed', async () => {
    for (const resource of ['patients', 'appointments', 'clinical_notes', 'payments'] as const) {
      const path = `/${resource}?page=3`;
      const [same, other] = [await page(a, path), await page(c, path)];
      expect(same, resource).not.toBe(other);
    }
    const names = (s: PracticeHubSandbox) =>
      [...s.records('patients')].slice(0, 50).map((r) => `${r.first_name} ${r.last_name}`);
    expect(names(a)).not.toEqual(names(c));
  });

  it('keeps counts equal across seeds (counts depend on scale only)', () => {
    expect(a.counts()).toEqual(c.counts());
  });
});
