import { describe, expect, it } from 'vitest';
import { pageStream, RECENT_PAGES } from '../../../runtime/practicehub/paging.ts';
import type { PracticeHubRecord } from '../../../runtime/practicehub/types.ts';

const SIZE = 10;

/** A list served by page number, as PracticeHub pages its lists, that a test changes between walks. */
function list(count: number) {
  let records: PracticeHubRecord[] = Array.from({ length: count }, (_, i) => ({ id: String(1000 + i * 10) }));
  let requests = 0;
  const source = {
    pageSize: SIZE,
    lookahead: 0,
    fetch: async (page: number) => {
      requests += 1;
      return {
        totalEntries: records.length,
        data: records.slice((page - 1) * SIZE, page * SIZE),
        next: null,
      };
    },
  };
  return {
    source,
    requests: () => requests,
    ids: () => records.map((r) => String(r.id)),
    /** Records keep the list in id order, as the sandbox does. */
    change(edit: (records: PracticeHubRecord[]) => PracticeHubRecord[]) {
      records = edit(records).sort((a, b) => Number(a.id) - Number(b.id));
    },
  };
}

/** Walks from page 1 and stops after page `last`; returns the ids of each page read. */
async function walkTo(source: ReturnType<typeof list>['source'], last: number): Promise<Set<string>[]> {
  const pages: Set<string>[] = [];
  for await (const { page, body } of pageStream(source, 1, undefined)) {
    pages.push(new Set(body.data.map((r) => String(r.id))));
    if (page === last) break;
  }
  return pages;
}

/** Resumes at `from` with what the first walk read, as the run does from the journal; returns the ids yielded. */
async function resume(source: ReturnType<typeof list>['source'], read: Set<string>[], total: number) {
  const from = read.length + 1;
  const earlier = {
    total,
    recent: read.slice(-RECENT_PAGES),
    idsOf: (p: number) => read[p - 1] ?? new Set<string>(),
  };
  const ids: string[] = [];
  for await (const { body } of pageStream(source, from, undefined, earlier))
    ids.push(...body.data.map((r) => String(r.id)));
  return ids;
}

describe('a walk resumed at page n (look-back)', () => {
  it('finds records moved back more than a page, reading back only as far as they go', async () => {
    const l = list(1000);
    const read = await walkTo(l.source, 50);
    // 25 records of pages read are deleted and 25 created at the end: the total stays 1,000.
    const gone = new Set([...read.slice(5, 30)].map((ids) => [...ids][0]!));
    l.change((r) => [
      ...r.filter((x) => !gone.has(String(x.id))),
      ...Array.from({ length: 25 }, (_, i) => ({ id: String(900_000 + i) })),
    ]);
    const before = l.requests();
    const yielded = [...read.flatMap((ids) => [...ids]), ...(await resume(l.source, read, 1000))];
    expect(l.ids().filter((id) => !yielded.includes(id))).toEqual([]);
    expect(new Set(yielded).size).toBe(yielded.length);
    // Pages 51 to 100, and pages 50, 49 (all moved records) and 48 (five) read again.
    expect(l.requests() - before).toBe(50 + 3);
  });

  it('yields nothing twice when records entered the pages read at their place, pushing the rest on', async () => {
    const l = list(1000);
    const original = l.ids();
    const read = await walkTo(l.source, 50);
    // One record enters each of pages 10 to 49 (a delta's changed records enter at their id's place;
    // those behind the cursor are newer than the walk's start, and the next delta reads them).
    l.change((r) => [
      ...r,
      ...Array.from({ length: 40 }, (_, k) => ({ id: String(1000 + (10 + k) * 100 + 5) })),
    ]);
    const before = l.requests();
    const again = await resume(l.source, read, 1000);
    const yielded = [...read.flatMap((ids) => [...ids]), ...again];
    expect(original.filter((id) => !yielded.includes(id))).toEqual([]);
    expect(new Set(yielded).size).toBe(yielded.length);
    // The pages left (the list grew by 40: pages 51 to 104) and page 50 read again, which holds
    // records pushed on from page 49 (known) and one that entered it: not all moved back, so no page
    // before it is read.
    expect(l.requests() - before).toBe(54 + 1);
  });
});
