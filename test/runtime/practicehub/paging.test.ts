import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PracticeHubEvent, PracticeHubPage } from '../../../runtime/practicehub/index.ts';
import { type PracticeHubSandbox, REFERENCE_MS, RESOURCE_NAMES } from '../../../sandbox/practicehub/index.ts';
import { clientFor, collect, served, stable, startSandbox } from './helpers.ts';

describe('PracticeHub client: paging against the sandbox', () => {
  let sandbox: PracticeHubSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 3, scale: 1 });
  });
  afterAll(() => sandbox.close());

  it('reads every resource whole, equal to the sandbox, in the least possible requests', async () => {
    const events: PracticeHubEvent[] = [];
    const client = clientFor(sandbox, {}, events);
    let minimum = 0;
    for (const resource of RESOURCE_NAMES) {
      const records = await collect(client, resource);
      const expected = [...sandbox.records(resource)];
      expect(records.length, resource).toBe(expected.length);
      expect(stable(records), resource).toEqual(stable(expected));
      minimum += Math.max(1, Math.ceil(expected.length / 100));
    }
    const stats = client.stats();
    // Σ ceil(total / 100): no request past the last page, no probe when nothing asks for one.
    expect(stats.requests).toBe(minimum);
    expect(stats.probes).toBe(0);
    expect(stats.outcomes.ok).toBe(minimum);
    expect(served(sandbox).served).toBe(minimum);
    expect(stats.records).toBe(Object.values(sandbox.counts()).reduce((a, b) => a + b, 0));
    expect(stats.bytesReceived).toBeGreaterThan(1_000_000);
    const urls = events.flatMap((e) => (e.type === 'request' ? [e.url] : []));
    expect(urls.every((u) => /[?&]page_size=100(&|$)/.test(u))).toBe(true);
    await client.close();
  });

  it('resumes from page N: pages before and after an interruption add up to the whole resource', async () => {
    const client = clientFor(sandbox, { pageSize: 50 });
    const first: PracticeHubPage[] = [];
    for await (const page of client.pages('patients')) {
      first.push(page);
      if (page.page === 4) break;
    }
    expect(first.map((p) => p.page)).toEqual([1, 2, 3, 4]);
    expect(first.every((p) => p.hasNext && p.totalEntries === 2000 && p.records.length === 50)).toBe(true);
    const rest: PracticeHubPage[] = [];
    for await (const page of client.pages('patients', { fromPage: 5 })) rest.push(page);
    expect(rest[0]!.page).toBe(5);
    expect(rest.at(-1)).toMatchObject({ page: 40, hasNext: false });
    const ids = [...first, ...rest].flatMap((p) => p.records.map((r) => r.id));
    expect(ids).toEqual([...sandbox.records('patients')].map((r) => r.id));
    await client.close();
  });

  it('answers a page past the end with no records and no next page', async () => {
    const client = clientFor(sandbox);
    const pages: PracticeHubPage[] = [];
    for await (const page of client.pages('clinics', { fromPage: 9 })) pages.push(page);
    expect(pages).toEqual([
      { page: 9, totalEntries: sandbox.counts().clinics, records: [], hasNext: false, clientFiltered: false },
    ]);
    await client.close();
  });

  it('counts with one request of page_size=1, and gets one record by id', async () => {
    const events: PracticeHubEvent[] = [];
    const client = clientFor(sandbox, {}, events);
    expect(await client.count('appointments')).toBe(sandbox.counts().appointments);
    const request = events.find((e) => e.type === 'request');
    expect(request && request.type === 'request' && request.url).toMatch(/page_size=1(&|$)/);
    const [patient] = sandbox.records('patients');
    expect(await client.get('patients', patient!.id)).toEqual(patient);
    expect(client.stats().requests).toBe(2);
    await client.close();
  });

  it('refuses page sizes the API would silently cap, and resource names that are not names', async () => {
    expect(() => clientFor(sandbox, { pageSize: 101 })).toThrow(
      /pageSize must be a whole number from 1 to 100/,
    );
    const client = clientFor(sandbox);
    await expect(client.get('patients/../x', '1')).rejects.toThrow(/not a PracticeHub resource name/);
    await expect(collect(client, 'patients', { fromPage: 0 })).rejects.toThrow(/fromPage must be/);
    expect(client.stats().requests).toBe(0);
  });
});

describe('PracticeHub client: records deleted while a walk goes on', () => {
  it('reads again the page the deletions moved records into, so no live record is passed by', async () => {
    const sandbox = await startSandbox({ seed: 5, scale: 0.5 });
    const client = clientFor(sandbox);
    try {
      const seen: string[] = [];
      for await (const page of client.pages('patients')) {
        seen.push(...page.records.map((r) => String(r.id)));
        // Pages are positions: deleting two records of a page already read moves two records of the
        // next pages back into it.
        if (page.page === 3)
          sandbox.mutate({
            resource: 'patients',
            action: 'delete',
            ids: page.records.slice(0, 2).map((r) => String(r.id)),
          });
      }
      const live = [...sandbox.records('patients')].map((r) => String(r.id));
      expect(live).toHaveLength(998);
      expect(live.filter((id) => !seen.includes(id))).toEqual([]);
      expect(new Set(seen).size).toBe(seen.length);
      // Ten pages, and one read again.
      expect(client.stats().requests).toBe(11);
    } finally {
      await client.close();
      await sandbox.close();
    }
  });
});

/** The ids of each page of patients a walk reads, up to page `last`, where it stops. */
async function idsOfPages(client: ReturnType<typeof clientFor>, last: number): Promise<Set<string>[]> {
  const read: Set<string>[] = [];
  for await (const page of client.pages('patients')) {
    read.push(new Set(page.records.map((r) => String(r.id))));
    if (page.page === last) break;
  }
  return read;
}

describe('PracticeHub client: a walk resumed after records were deleted and created while it was stopped', () => {
  it('reads back the pages the deletions moved records into, though the creations kept the total', async () => {
    const sandbox = await startSandbox({ seed: 5, scale: 0.5 });
    const client = clientFor(sandbox);
    try {
      const read = await idsOfPages(client, 3);
      // While stopped: 20 records of the pages read are deleted and 20 are created, so the total
      // stays at 1,000, and the 20 records after page 3 move back into it.
      const gone = [...read[2]!].slice(0, 20);
      sandbox.mutate({ resource: 'patients', action: 'delete', ids: gone });
      sandbox.mutate({ resource: 'patients', action: 'create', count: 20 });
      expect(sandbox.counts().patients).toBe(1000);
      const before = client.stats().requests;
      const seen = read.flatMap((ids) => [...ids]);
      const earlier = { total: 1000, recent: read.slice(1), idsOf: (page: number) => read[page - 1]! };
      for await (const page of client.pages('patients', { fromPage: 4, earlier }))
        seen.push(...page.records.map((r) => String(r.id)));
      const live = [...sandbox.records('patients')].map((r) => String(r.id));
      expect(live.filter((id) => !seen.includes(id))).toEqual([]);
      expect(new Set(seen).size).toBe(seen.length);
      // Pages 4 to 10, and page 3 read again: 20 records it had not yielded, at its end; not the
      // whole page, so they are all there is to find.
      expect(client.stats().requests - before).toBe(7 + 1);
    } finally {
      await client.close();
      await sandbox.close();
    }
  });

  it('costs one request more than the pages left when nothing moved', async () => {
    const sandbox = await startSandbox({ seed: 5, scale: 0.5 });
    const client = clientFor(sandbox);
    try {
      const read = await idsOfPages(client, 3);
      const before = client.stats().requests;
      const earlier = { total: 1000, recent: read };
      const rest = await collect(client, 'patients', { fromPage: 4, earlier });
      expect(rest).toHaveLength(700);
      expect(client.stats().requests - before).toBe(7 + 1);
    } finally {
      await client.close();
      await sandbox.close();
    }
  });
});

describe('PracticeHub client: records entering the list while a delta walk goes on', () => {
  it('yields each record once when records entering ahead of the cursor push the rest on', async () => {
    // The base data ends at REFERENCE_MS; the clock starts a day later, so changes made now are newer.
    const shift = Math.max(0, REFERENCE_MS + 86_400_000 - Date.now());
    const clock = (): number => Date.now() + shift;
    const sandbox = await startSandbox({ seed: 5, scale: 0.5, clock });
    const client = clientFor(sandbox);
    try {
      const since = new Date(Math.floor(clock() / 1000) * 1000).toISOString();
      const all = [...sandbox.records('patients')].map((r) => String(r.id));
      // Every other patient changes after the watermark: 500 records, five pages of the delta.
      const changed = all.filter((_, k) => k % 2 === 1);
      sandbox.mutate({ resource: 'patients', action: 'update', ids: changed });
      const seen: string[] = [];
      for await (const page of client.pages('patients', { updatedSince: since })) {
        seen.push(...page.records.map((r) => String(r.id)));
        // Three patients listed before page 2 change now: they enter the list ahead of the cursor
        // and move three records of page 1 onto page 2.
        if (page.page === 1)
          sandbox.mutate({ resource: 'patients', action: 'update', ids: [all[0]!, all[2]!, all[4]!] });
      }
      expect(seen).toHaveLength(changed.length);
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort()).toEqual([...changed].sort());
      // One probe of the filter and six pages: the three entering records made the list longer.
      expect(client.stats().requests).toBe(7);
    } finally {
      await client.close();
      await sandbox.close();
    }
  });
});
