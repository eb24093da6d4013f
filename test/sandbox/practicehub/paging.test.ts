import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PracticeHubSandbox } from '../../../sandbox/practicehub/index.ts';
import { get, list, start } from './helpers.ts';

describe('PracticeHub sandbox: paging and list responses', () => {
  let sandbox: PracticeHubSandbox;
  beforeAll(async () => {
    sandbox = await start();
  });
  afterAll(() => sandbox.close());

  // reference practicehub.md, Documented "list response": { total_entries, data, links: { previous, self, next } }.
  it('answers the documented list shape, with total_entries counting every page', async () => {
    const body = await list(sandbox, '/patients');
    expect(Object.keys(body)).toEqual(['total_entries', 'data', 'links']);
    expect(Object.keys(body.links)).toEqual(['previous', 'self', 'next']);
    expect(body.total_entries).toBe(sandbox.counts().patients);
    expect(body.total_entries).toBe(2000);
  });

  // reference practicehub.md, Documented "paging": default and maximum 100; larger page_size silently capped.
  it('defaults to 100 per page and silently caps page_size=500 at 100, with links.next set', async () => {
    expect((await list(sandbox, '/appointments')).data).toHaveLength(100);
    const capped = await list(sandbox, '/appointments?page_size=500');
    expect(capped.data).toHaveLength(100);
    expect(capped.links.next).toBe(`${sandbox.baseUrl}/appointments?page_size=500&page=2`);
    expect(capped.links.previous).toBeNull();
    expect((await list(sandbox, '/appointments?page_size=7')).data).toHaveLength(7);
  });

  // reference practicehub.md, sandbox model "Paging": links.next = null on the last page.
  it('sets links.next to null on the last page and previous to the page before', async () => {
    const last = await list(sandbox, '/patients?page=20');
    expect(last.data).toHaveLength(100);
    expect(last.links.next).toBeNull();
    expect(last.links.previous).toBe(`${sandbox.baseUrl}/patients?page=19`);
    const partial = await list(sandbox, '/referral_sources?page_size=25&page=3');
    expect(partial.data).toHaveLength(10);
    expect(partial.links.next).toBeNull();
    const beyond = await list(sandbox, '/referral_sources?page=9');
    expect(beyond.data).toEqual([]);
    expect(beyond.total_entries).toBe(60);
  });

  it('keeps filters and every other parameter in absolute links, changing only page', async () => {
    const query = 'updated=gte:2024-01-01T00:00:00Z&page=2&page_size=50&fields=first_name&unknown=x%20y';
    const body = await list(sandbox, `/patients?${query}`);
    expect(body.links.self).toBe(`${sandbox.baseUrl}/patients?${query}`);
    expect(body.links.next).toBe(`${sandbox.baseUrl}/patients?${query.replace('page=2', 'page=3')}`);
    expect(body.links.previous).toBe(`${sandbox.baseUrl}/patients?${query.replace('page=2', 'page=1')}`);
  });

  it('orders by id ascending, so following links.next visits every record exactly once', async () => {
    const ids: string[] = [];
    let next: string | null = '/referral_sources?page_size=7';
    while (next) {
      const body = await list(sandbox, next);
      ids.push(...body.data.map((r) => String(r.id)));
      next = body.links.next;
    }
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
    expect([...ids].sort()).toEqual(ids);
    expect(ids).toEqual([...sandbox.records('referral_sources')].map((r) => r.id));
  });

  it('appends created records after every existing id, so pages already read do not shift', async () => {
    const first = await list(sandbox, '/training_records?page_size=50');
    const created = sandbox.mutate({ resource: 'training_records', action: 'create', count: 3 });
    const second = await list(sandbox, first.links.next!);
    expect(String(second.data[0]!.id) > String(first.data.at(-1)!.id)).toBe(true);
    const third = await list(sandbox, second.links.next!);
    expect(third.data.map((r) => r.id).slice(-3)).toEqual(created);
    expect(third.total_entries).toBe(123);
    expect(third.links.next).toBeNull();
  });

  it('serves a record by id and 404s ids it never issued', async () => {
    const [record] = (await list(sandbox, '/clinics?page_size=1')).data;
    const res = await get(sandbox, `/clinics/${String(record!.id)}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(record);
    expect((await get(sandbox, '/clinics/110000000000000001')).status).toBe(404);
    expect((await get(sandbox, '/clinics/abc')).status).toBe(404);
  });

  it('answers 400 to a malformed page or page_size', async () => {
    for (const query of ['page=0', 'page=-1', 'page=two', 'page_size=0', 'page_size=1.5']) {
      const res = await get(sandbox, `/clinics?${query}`);
      expect(res.status, query).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_query' });
    }
  });
});
