import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PhRecord, PracticeHubSandbox } from '../../../sandbox/practicehub/index.ts';
import { get, list, start } from './helpers.ts';

const at = (r: Record<string, unknown>, field: string): number => Date.parse(String(r[field]));

describe('PracticeHub sandbox: filters', () => {
  let sandbox: PracticeHubSandbox;
  let patients: PhRecord[];
  beforeAll(async () => {
    sandbox = await start();
    patients = [...sandbox.records('patients')];
  });
  afterAll(() => sandbox.close());

  const expectedCount = (pred: (r: PhRecord) => boolean): number => patients.filter(pred).length;

  // reference practicehub.md, Documented "filters": `updated=gte:2024-01-01T00:00:00Z`.
  it('filters updated=gte:<ISO 8601> on updated_at', async () => {
    const since = Date.parse('2024-01-01T00:00:00Z');
    const body = await list(sandbox, '/patients?updated=gte:2024-01-01T00:00:00Z');
    const want = expectedCount((r) => at(r, 'updated_at') >= since);
    expect(want).toBeGreaterThan(100);
    expect(want).toBeLessThan(2000);
    expect(body.total_entries).toBe(want);
    expect(body.data.every((r) => at(r, 'updated_at') >= since)).toBe(true);
  });

  // reference practicehub.md, Documented "filters": `updated=between:2024-01-01,2024-02-01`.
  it('filters updated=between:a,b with both ends included (date-only means midnight UTC)', async () => {
    const [a, b] = [Date.parse('2024-01-01T00:00:00Z'), Date.parse('2024-02-01T00:00:00Z')];
    const body = await list(sandbox, '/patients?updated=between:2024-01-01,2024-02-01');
    expect(body.total_entries).toBe(
      expectedCount((r) => at(r, 'updated_at') >= a && at(r, 'updated_at') <= b),
    );
    expect(body.total_entries).toBeGreaterThan(0);
  });

  it('filters created and id with every operator, and ANDs repeated filters', async () => {
    const pivot = patients[1000]!;
    const t = at(pivot, 'created_at');
    const cases: [string, (r: PhRecord) => boolean][] = [
      [`created=lt:${pivot.created_at}`, (r) => at(r, 'created_at') < t],
      [`created=lte:${pivot.created_at}`, (r) => at(r, 'created_at') <= t],
      [`created=eq:${pivot.created_at}`, (r) => at(r, 'created_at') === t],
      [`id=gt:${pivot.id}`, (r) => r.id > pivot.id],
      [`id=eq:${pivot.id}`, (r) => r.id === pivot.id],
      [
        `id=between:${patients[10]!.id},${patients[19]!.id}`,
        (r) => r.id >= patients[10]!.id && r.id <= patients[19]!.id,
      ],
      [
        `created=gte:2020-01-01&created=lt:2021-01-01`,
        (r) =>
          at(r, 'created_at') >= Date.parse('2020-01-01T00:00:00Z') &&
          at(r, 'created_at') < Date.parse('2021-01-01T00:00:00Z'),
      ],
    ];
    for (const [query, pred] of cases) {
      const body = await list(sandbox, `/patients?${query}`);
      expect(body.total_entries, query).toBe(expectedCount(pred));
    }
    expect(
      (await list(sandbox, `/patients?id=between:${patients[10]!.id},${patients[19]!.id}`)).total_entries,
    ).toBe(10);
  });

  it('accepts the `YYYY-MM-DD HH:MM:SS` form real clients send, and zone offsets', async () => {
    const a = await list(sandbox, '/patients?updated=gte:2025-03-01 10:00:00');
    const b = await list(sandbox, '/patients?updated=gte:2025-03-01T11:00:00%2B01:00');
    expect(a.total_entries).toBe(b.total_entries);
    expect(a.total_entries).toBe(
      expectedCount((r) => at(r, 'updated_at') >= Date.parse('2025-03-01T10:00:00Z')),
    );
  });

  // reference practicehub.md, Documented "filters": an unknown filter is silently ignored (a typo returns everything).
  it('silently ignores an unknown filter, returning everything', async () => {
    const body = await list(sandbox, '/patients?modified=gte:2025-01-01T00:00:00Z&updated_at=gte:2025-01-01');
    expect(body.total_entries).toBe(2000);
  });

  it('answers 400 to a malformed operator or value on a known filter', async () => {
    for (const query of [
      'updated=since:2024-01-01',
      'updated=gte:yesterday',
      'updated=between:2024-01-01',
      'id=gt:abc',
      'updated=gte:2024-02-30',
    ]) {
      const res = await get(sandbox, `/patients?${query}`);
      expect(res.status, query).toBe(400);
    }
  });

  it('filters practitioners on active and appointments on start', async () => {
    const active = await list(sandbox, '/practitioners?active=eq:true');
    expect(active.total_entries).toBe(22);
    expect(active.data.every((r) => r.active === true)).toBe(true);
    expect((await list(sandbox, '/practitioners?active=eq:0')).total_entries).toBe(3);
    const future = await list(sandbox, '/appointments?start=gte:2026-06-30T00:00:00Z');
    const want = [...sandbox.records('appointments')].filter(
      (r) => at(r, 'starts_at') >= Date.parse('2026-06-30T00:00:00Z'),
    );
    expect(future.total_entries).toBe(want.length);
    expect(want.length).toBeGreaterThan(50);
  });

  // reference practicehub.md, sandbox model "Modified since": records deleted since then appear with deleted_at set.
  it('shows deleted records only in updated= results, with deleted_at set', async () => {
    const own = await start({ clock: () => Date.parse('2026-07-02T08:00:00Z') });
    try {
      const [id] = own.mutate({
        resource: 'prescriptions',
        action: 'delete',
        ids: [[...own.records('prescriptions')][5]!.id],
      });
      const plain = await list(own, '/prescriptions?page_size=10');
      expect(plain.total_entries).toBe(999);
      expect(plain.data.some((r) => r.id === id)).toBe(false);
      expect((await get(own, `/prescriptions/${id}`)).status).toBe(404);
      const delta = await list(own, '/prescriptions?updated=gte:2026-07-01T00:00:00Z');
      expect(delta.total_entries).toBe(1);
      expect(delta.data[0]).toMatchObject({
        id,
        deleted_at: '2026-07-02T08:00:00Z',
        updated_at: '2026-07-02T08:00:00Z',
      });
      const byCreated = await list(own, '/prescriptions?created=gte:2000-01-01');
      expect(byCreated.total_entries).toBe(999);
    } finally {
      await own.close();
    }
  });
});
