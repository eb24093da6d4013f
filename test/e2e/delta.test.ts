import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../generated/transformer.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import {
  type CliMigrated,
  comparable,
  flitstack,
  journalPath,
  migratedByCli,
  sortedRows,
} from '../support/migration.ts';

type Row = Readonly<Record<string, unknown>>;

const generated: GeneratedModule = generatedModule;
const TABLES = [...new Set(Object.values(generated.MAPPINGS).map((m) => m.target))];

let m: CliMigrated;
let sb: Sandboxes;
let before: ReturnType<typeof comparable>;
let journal: string;
beforeAll(async () => {
  m = await migratedByCli({ scale: 0.1, seed: 21 }, (sandboxes) => {
    before = comparable(sandboxes.dataverse.snapshot(TABLES).tables, TABLES);
  });
  ({ sb, journal } = m);
}, 120_000);
afterAll(() => m?.close());

const delta = () => m.delta();

const written = () => sb.dataverse.stats().recordsWritten + sb.dataverse.stats().recordsDeleted;
const contact = (sourceId: string): Row | undefined =>
  sb.dataverse
    .snapshot(['contact'])
    .tables.contact!.find((r) => r.fs_practicehubid === `patient-${sourceId}`);

describe('flitstack delta', () => {
  it('writes nothing when nothing changed', async () => {
    const before = written();
    const result = await delta();
    expect(result.code).toBe(0);
    expect(written()).toBe(before);
    for (const [name, c] of Object.entries(result.json.summary)) {
      expect(c.loaded, name).toBe(0);
      expect(c.extracted, name).toBe(c.loaded + c.rejected + c.skipped);
    }
  });

  it('upserts created and changed records and deactivates deleted ones, then writes nothing again', async () => {
    const deleted = sb.practicehub.mutate({ resource: 'patients', action: 'delete', count: 2 });
    const changed = sb.practicehub
      .mutate({ resource: 'patients', action: 'update', count: 4, patch: { last_name: 'Changedbydelta' } })
      .filter((id) => !deleted.includes(id));
    const created = sb.practicehub.mutate({
      resource: 'patients',
      action: 'create',
      count: 2,
      patch: { last_name: 'Createdbydelta' },
    });
    const cancelled = sb.practicehub.mutate({ resource: 'appointments', action: 'delete', count: 2 });
    const result = await delta();
    expect(result.code).toBe(0);
    const appointments = sb.dataverse.snapshot(['appointment']).tables.appointment!;
    // An activity is closed as Canceled (statecode 2), not Completed (reference §1.3).
    for (const id of cancelled)
      expect(appointments.find((a) => a.fs_practicehubid === `appointment-${id}`)?.statecode, id).toBe(2);
    expect(result.json.summary.appointment!.loaded).toBe(cancelled.length);
    const patient = result.json.summary.patient!;
    expect(patient.extracted).toBe(patient.loaded + patient.rejected + patient.skipped);
    expect(patient.loaded).toBe(deleted.length + changed.length + created.length);
    for (const id of changed) expect(contact(id)?.lastname, id).toBe('Changedbydelta');
    for (const id of created) expect(contact(id)?.lastname, id).toBe('Createdbydelta');
    // policies.deleted_records: deactivate (spec/migration.yaml)
    for (const id of deleted) expect(contact(id)?.statecode, id).toBe(1);

    const before = written();
    const again = await delta();
    expect(again.code).toBe(0);
    expect(written()).toBe(before);
    expect(again.json.summary.patient!.loaded).toBe(0);
  });

  it('refuses without a completed run to pick up from, before any request', async () => {
    const served = () => Object.values(sb.dataverse.stats().requests).reduce((n, k) => n + k, 0);
    const before = served();
    const result = await flitstack(sb, 'delta', '--journal', journalPath());
    expect(result.code).toBe(1);
    expect(result.err).toContain('holds no completed run to start from');
    expect(served()).toBe(before);
  });

  it('is undone with the run by rollback, newest first: Dataverse ends as before the run', async () => {
    const listed = await flitstack(sb, 'runs', '--journal', journal, '--format', 'json');
    const runs = (JSON.parse(listed.out) as { runs: { id: number; kind: string; status: string }[] }).runs;
    const loads = runs.filter((r) => r.kind === 'run' || r.kind === 'delta').reverse();
    expect(loads.map((r) => r.kind)).toEqual(['delta', 'delta', 'delta', 'run']);
    // The run cannot go while deltas built on it are still there.
    const refused = await flitstack(sb, 'rollback', '--run', String(loads.at(-1)!.id), '--journal', journal);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(
      `later runs built on run ${loads.at(-1)!.id}: run ${loads[0]!.id} (delta, completed)`,
    );
    for (const r of loads) {
      const result = await flitstack(sb, 'rollback', '--run', String(r.id), '--journal', journal);
      expect(result.err).not.toContain('error:');
      expect(result.code, `rollback of ${r.kind} ${r.id}`).toBe(0);
    }
    expect(sortedRows(comparable(sb.dataverse.snapshot(TABLES).tables, TABLES))).toEqual(sortedRows(before));
  });
});
