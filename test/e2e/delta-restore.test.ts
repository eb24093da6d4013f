import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliMigrated, flitstack, migratedByCli } from '../support/migration.ts';

type Row = Readonly<Record<string, unknown>>;

let m: CliMigrated;
beforeAll(async () => {
  m = await migratedByCli({ scale: 0.05, seed: 23 });
}, 120_000);
afterAll(() => m?.close());

const contact = (sourceId: string): Row | undefined =>
  m.sb.dataverse
    .snapshot(['contact'])
    .tables.contact!.find((r) => r.fs_practicehubid === `patient-${sourceId}`);

describe('flitstack delta: a record deleted and restored in PracticeHub', () => {
  it('opens its row again; a rollback of that delta closes it again, and the next delta opens it', async () => {
    const [id] = m.sb.practicehub.mutate({ resource: 'patients', action: 'delete', count: 1 });
    await m.delta();
    // policies.deleted_records: deactivate (spec/migration.yaml)
    expect(contact(id!)).toMatchObject({ statecode: 1, statuscode: 2 });

    m.sb.practicehub.mutate({ resource: 'patients', action: 'restore', ids: [id!] });
    // Listed again, its row stays closed until a delta opens it: reconcile counts that, and does not
    // take the state the deletion policy gave the row for one changed behind the migration's back.
    const pending = await flitstack(
      m.sb,
      ...['reconcile', '--journal', m.journal, '--rate', '1000', '--format', 'json'],
      ...['--out', join(dirname(m.journal), 'reconcile')],
    );
    expect(pending.code).toBe(1);
    const report = JSON.parse(pending.out) as {
      mappings: { mapping: string; source: number; held: number }[];
      differences: { sourceId: string | null; fields: string[] }[];
    };
    const patients = report.mappings.find((p) => p.mapping === 'patient')!;
    expect(patients.held).toBe(patients.source - 1);
    const own = report.differences.filter((d) => d.sourceId === id);
    expect(own.length).toBeGreaterThan(0);
    for (const d of own) expect(d.fields).not.toContain('statecode');
    const restored = await m.delta();
    expect(restored.json.summary.patient!.loaded).toBe(1);
    expect(contact(id!)).toMatchObject({ statecode: 0, statuscode: 1 });
    const reconciled = await flitstack(m.sb, 'reconcile', '--journal', m.journal, '--rate', '1000');
    expect(reconciled.out).toContain('passed');
    expect(reconciled.code).toBe(0);

    const undone = await flitstack(
      m.sb,
      'rollback',
      '--run',
      String(restored.json.run),
      '--journal',
      m.journal,
    );
    expect(undone.code).toBe(0);
    expect(contact(id!)).toMatchObject({ statecode: 1, statuscode: 2 });
    await m.delta();
    expect(contact(id!)).toMatchObject({ statecode: 0, statuscode: 1 });
  });

  it('is written no more once open, even by a full run', async () => {
    const again = await m.delta();
    expect(again.json.summary.patient!.loaded).toBe(0);
    const full = await flitstack(m.sb, 'run', '--journal', m.journal, '--rate', '1000', '--format', 'json');
    expect(full.code).toBe(0);
    expect(JSON.parse(full.out).summary.patient.loaded).toBe(0);
  });
});
