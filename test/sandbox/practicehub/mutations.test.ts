import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MutationError, type PracticeHubSandbox } from '../../../sandbox/practicehub/index.ts';
import { FakeClock, list, start } from './helpers.ts';

// reference practicehub.md, Documented "modified since" (`updated=` on list endpoints) and sandbox model
// "Modified since": changes after start show up in updated= results; deletions carry deleted_at.
describe('PracticeHub sandbox: changing data after start', () => {
  const clock = new FakeClock(Date.parse('2026-07-03T09:30:15.700Z'));
  let sandbox: PracticeHubSandbox;
  beforeAll(async () => {
    sandbox = await start({ clock: clock.now });
  });
  afterAll(() => sandbox.close());

  it('update: sets the patch and updated_at (whole seconds), and updated= sees it', async () => {
    const before = await list(sandbox, '/patients?updated=gte:2026-07-03T09:30:00Z');
    expect(before.total_entries).toBe(0);
    const ids = sandbox.mutate({
      resource: 'patients',
      action: 'update',
      count: 3,
      patch: { occupation: 'Astronaut' },
    });
    expect(ids).toHaveLength(3);
    const after = await list(sandbox, '/patients?updated=gte:2026-07-03T09:30:00Z');
    expect(after.data.map((r) => r.id)).toEqual(ids);
    for (const r of after.data)
      expect(r).toMatchObject({
        occupation: 'Astronaut',
        updated_at: '2026-07-03T09:30:15Z',
        deleted_at: null,
      });
    // A watermark taken mid-second with gt misses the change: timestamps are whole seconds.
    expect((await list(sandbox, '/patients?updated=gt:2026-07-03T09:30:15.500Z')).total_entries).toBe(0);
    expect(sandbox.counts().patients).toBe(2000);
  });

  it('create: appends fresh records with created_at = updated_at = now, visible everywhere', async () => {
    clock.advance(60_000);
    const ids = sandbox.mutate({
      resource: 'appointments',
      action: 'create',
      count: 2,
      patch: { status: 'booked' },
    });
    expect(sandbox.counts().appointments).toBe(10_002);
    const created = sandbox.get('appointments', ids[0]!)!;
    expect(created).toMatchObject({
      status: 'booked',
      created_at: '2026-07-03T09:31:15Z',
      updated_at: '2026-07-03T09:31:15Z',
    });
    expect(sandbox.get('patients', String(created.patient_id))).toBeDefined();
    const delta = await list(sandbox, '/appointments?updated=gte:2026-07-03T09:31:00Z');
    expect(delta.data.map((r) => r.id)).toEqual(ids);
    expect((await list(sandbox, '/appointments?page=101')).data.map((r) => r.id)).toEqual(ids);
  });

  it('delete: hides the record from plain lists, get and records(); updated= shows it with deleted_at', async () => {
    clock.advance(60_000);
    const [id] = sandbox.mutate({ resource: 'clinical_notes', action: 'delete', count: 1 });
    expect(sandbox.counts().clinical_notes).toBe(3999);
    expect([...sandbox.records('clinical_notes')].some((r) => r.id === id)).toBe(false);
    expect(sandbox.get('clinical_notes', id!)?.deleted_at).toBe('2026-07-03T09:32:15Z');
    expect((await list(sandbox, '/clinical_notes')).total_entries).toBe(3999);
    const delta = await list(sandbox, '/clinical_notes?updated=gte:2026-07-03T09:32:00Z');
    expect(delta.data).toHaveLength(1);
    expect(delta.data[0]).toMatchObject({ id, deleted_at: '2026-07-03T09:32:15Z' });
  });

  it('restore: lists a deleted record again, with deleted_at null and a new updated_at', async () => {
    clock.advance(60_000);
    const [id] = sandbox.mutate({ resource: 'clinical_notes', action: 'delete', count: 1 });
    expect(sandbox.counts().clinical_notes).toBe(3998);
    expect(() => sandbox.mutate({ resource: 'clinical_notes', action: 'restore', count: 1 })).toThrow(
      MutationError,
    );
    clock.advance(60_000);
    expect(sandbox.mutate({ resource: 'clinical_notes', action: 'restore', ids: [id!] })).toEqual([id]);
    expect(sandbox.counts().clinical_notes).toBe(3999);
    expect((await list(sandbox, '/clinical_notes')).total_entries).toBe(3999);
    const delta = await list(sandbox, '/clinical_notes?updated=gte:2026-07-03T09:34:00Z');
    expect(delta.data).toEqual([expect.objectContaining({ id, deleted_at: null })]);
    expect(sandbox.get('clinical_notes', id!)?.updated_at).toBe('2026-07-03T09:34:15Z');
    // Only a deleted record is restored.
    expect(() => sandbox.mutate({ resource: 'clinical_notes', action: 'restore', ids: [id!] })).toThrow(
      MutationError,
    );
  });

  it('serves the same through POST /_sandbox/mutations, with 400/404 for bad mutations', async () => {
    const url = `http://127.0.0.1:${sandbox.port}/_sandbox/mutations`;
    const post = (body: unknown) => fetch(url, { method: 'POST', body: JSON.stringify(body) });
    const [target] = sandbox.records('referral_sources');
    const ok = await post({
      resource: 'referral_sources',
      action: 'update',
      ids: [target!.id],
      patch: { city: 'Galway' },
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ids: [target!.id] });
    expect(sandbox.get('referral_sources', target!.id)?.city).toBe('Galway');
    const bad: [unknown, number][] = [
      [{ resource: 'nope', action: 'update' }, 400],
      [{ resource: 'patients', action: 'rename' }, 400],
      [{ resource: 'patients', action: 'update', patch: { id: '1' } }, 400],
      [{ resource: 'patients', action: 'update', patch: { favourite_colour: 'red' } }, 400],
      [{ resource: 'patients', action: 'update', ids: ['130000000000000000'] }, 404],
      [{ resource: 'patients', action: 'create', ids: ['1'] }, 400],
    ];
    for (const [body, status] of bad) expect((await post(body)).status, JSON.stringify(body)).toBe(status);
    expect((await fetch(url, { method: 'POST', body: '{not json' })).status).toBe(400);
    expect(() => sandbox.mutate({ resource: 'patients', action: 'delete', count: 0 })).toThrow(MutationError);
  });

  it('reports stats over HTTP and through stats()', async () => {
    const res = await fetch(`http://127.0.0.1:${sandbox.port}/_sandbox/stats`);
    const body = (await res.json()) as ReturnType<PracticeHubSandbox['stats']>;
    const served = Object.values(body.requests).reduce((sum, r) => sum + r.served, 0);
    expect(served).toBe(9); // the API requests of the tests above; /_sandbox routes are not counted
    const now = sandbox.stats();
    expect({ ...body, bytesSent: 0 }).toEqual({ ...now, bytesSent: 0 });
    expect(now.bytesSent).toBeGreaterThan(body.bytesSent); // the stats answer itself was sent since
    expect(body.bytesSent).toBeGreaterThan(100_000);
    expect(Object.keys(body.requests)[0]).toMatch(/^phk_\w{4}…-eu$/);
    expect(JSON.stringify(body)).not.toContain(sandbox.apiKey);
  });
});
