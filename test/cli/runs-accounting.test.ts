import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliMigrated, type Counts, flitstack, migratedByCli } from '../support/migration.ts';

let m: CliMigrated;

beforeAll(async () => {
  m = await migratedByCli({ scale: 0.05, seed: 11 });
}, 120_000);

afterAll(async () => {
  await m?.close();
});

const runs = (...args: string[]) => flitstack(m.sb, 'runs', '--journal', m.journal, ...args);

/** `flitstack runs --run <id> --format json`. */
async function mappingsOf(id: number): Promise<Record<string, Counts & { resource: string }>> {
  const res = await runs('--run', String(id), '--format', 'json');
  expect(res.code, res.err).toBe(0);
  const json = JSON.parse(res.out);
  expect(json.run.id).toBe(id);
  return json.mappings;
}

describe('flitstack runs --run', () => {
  it("prints a run's accounting of each mapping, grouping and fan-out mappings included, as the run did", async () => {
    const text = await runs('--run', '1');
    expect(text.code).toBe(0);
    const lines = text.out.trimEnd().split('\n');
    // The run's line as the listing of every run gives it, then its mappings.
    const listing = (await runs()).out.split('\n');
    expect(lines.slice(0, 2)).toEqual(listing.slice(0, 2));
    expect(lines[1]).toMatch(/^\s*1\s+run\s+completed\s/);
    expect(lines[2]).toBe('');
    expect(lines[3]!.trim().split(/\s{2,}/)).toEqual([
      'mapping',
      'extracted',
      'loaded',
      'rejected',
      'skipped',
      'balanced',
    ]);
    const rows = new Map(lines.slice(4).map((l) => [l.trim().split(/\s+/)[0]!, l.trim().split(/\s+/)]));
    const mappings = await mappingsOf(1);
    expect([...rows.keys()].sort()).toEqual(Object.keys(mappings).sort());
    for (const name of ['training-record', 'patient-clinic', 'staff-user', 'staff-contact']) {
      const c = mappings[name]!;
      expect(c.extracted, name).toBeGreaterThan(0);
      expect(rows.get(name), name).toEqual([
        name,
        String(c.extracted),
        String(c.loaded),
        String(c.rejected),
        String(c.skipped),
        'yes',
      ]);
    }
    // Records, not rows: the patient-clinic connections are counted by the patients that make them.
    expect(mappings['patient-clinic']!.extracted).toBe(mappings.patient!.extracted);
  });

  it("gives a delta's accounting as the delta printed it, and a rollback's", async () => {
    const records = [...m.sb.practicehub.records('training_records')];
    m.sb.practicehub.mutate({
      resource: 'training_records',
      action: 'update',
      ids: [String(records[0]!.id)],
      patch: { course_name: 'Manual handling, refresher' },
    });
    m.sb.practicehub.mutate({
      resource: 'training_records',
      action: 'delete',
      ids: [String(records[1]!.id)],
    });
    m.sb.practicehub.mutate({ resource: 'patients', action: 'create', count: 2 });
    const delta = await m.delta();
    expect(await mappingsOf(delta.json.run)).toEqual(delta.json.summary);
    expect(delta.json.summary['training-record']!.extracted).toBe(2);
    const rollback = await flitstack(
      m.sb,
      ...['rollback', '--run', String(delta.json.run), '--journal', m.journal, '--format', 'json'],
    );
    expect(rollback.code, rollback.err).toBe(0);
    const listed = JSON.parse((await runs('--format', 'json')).out).runs as { id: number; kind: string }[];
    const undo = listed.find((r) => r.kind === 'rollback')!;
    const counts = await mappingsOf(undo.id);
    expect(counts.patient).toMatchObject({ extracted: 2, loaded: 2, rejected: 0, skipped: 0 });
  });

  it('refuses a run the journal does not hold (exit 2), naming what lists them', async () => {
    const res = await runs('--run', '99');
    expect(res).toMatchObject({
      code: 2,
      out: '',
      err: 'error: run 99 is not in the journal; `flitstack runs` lists the runs it holds\n',
    });
    expect((await runs('--run', 'two')).err).toBe(
      "error: --run must be a positive whole number, got 'two'\n",
    );
  });
});
