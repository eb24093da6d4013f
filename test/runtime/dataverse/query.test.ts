import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVisitTable, type Rig, rig } from './helpers.ts';

const visit = (i: number) => ({
  fs_name: `Visit ${i}`,
  fs_sourceid: `V-${String(i).padStart(5, '0')}`,
  fs_amount: i % 7,
});

/** Queries (page-results, count-rows): paging over nextLink, $top, $count and its 5,000 cap. */
describe('dataverse client: queries', () => {
  let r: Rig;
  beforeAll(async () => {
    r = await rig({ dopHint: 4 });
    await createVisitTable(r.client);
    const targets = Array.from({ length: 5_050 }, (_, i) => visit(i));
    for (let i = 0; i < targets.length; i += 1000) {
      await r.client.createMultiple('fs_visits', 'fs_visit', targets.slice(i, i + 1000));
    }
  });
  afterAll(() => r.close());

  it('follows @odata.nextLink over more than two pages, in order, without gaps or repeats', async () => {
    const before = r.client.stats().requests.data;
    const pages: number[] = [];
    const seen: string[] = [];
    for await (const page of r.client.queryPages<{ fs_sourceid: string }>('fs_visits', {
      select: ['fs_sourceid'],
      filter: 'fs_amount eq 3',
      orderby: 'fs_sourceid desc',
      maxPageSize: 250,
    })) {
      pages.push(page.length);
      seen.push(...page.map((v) => v.fs_sourceid));
    }
    const expected = Array.from({ length: 5_050 }, (_, i) => i)
      .filter((i) => i % 7 === 3)
      .map((i) => `V-${String(i).padStart(5, '0')}`)
      .reverse();
    expect(seen).toEqual(expected);
    expect(expected).toHaveLength(721);
    expect(pages).toEqual([250, 250, 221]);
    expect(r.client.stats().requests.data - before).toBe(3);
  });

  it('stops after top rows, with or without a page size', async () => {
    const one: string[] = [];
    for await (const v of r.client.query<{ fs_sourceid: string }>('fs_visits', {
      select: ['fs_sourceid'],
      orderby: 'fs_sourceid',
      top: 3,
    }))
      one.push(v.fs_sourceid);
    expect(one).toEqual(['V-00000', 'V-00001', 'V-00002']);
    const before = r.client.stats().requests.data;
    const paged: string[] = [];
    for await (const v of r.client.query<{ fs_sourceid: string }>('fs_visits', {
      select: ['fs_sourceid'],
      orderby: 'fs_sourceid',
      top: 25,
      maxPageSize: 10,
    }))
      paged.push(v.fs_sourceid);
    expect(paged).toHaveLength(25);
    expect(paged[24]).toBe('V-00024');
    expect(r.client.stats().requests.data - before).toBe(3);
  });

  it('counts exactly below and above the 5,000 that $count reports', async () => {
    expect(await r.client.count('fs_visits', 'fs_amount eq 0')).toBe(722);
    const before = r.client.stats().requests;
    expect(await r.client.count('fs_visits')).toBe(5_050);
    const after = r.client.stats().requests;
    // One $count, then two pages of primary keys.
    expect(after.data - before.data).toBe(3);
  });

  it('rejects a page size above 5,000 before sending', async () => {
    const pages = r.client.queryPages('fs_visits', { maxPageSize: 5_001 });
    await expect(pages.next()).rejects.toThrow(/1 to 5000/);
  });
});
