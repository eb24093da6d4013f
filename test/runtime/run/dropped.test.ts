import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../../generated/transformer.ts';
import type { Journal } from '../../../runtime/journal/index.ts';
import type { GeneratedModule, SourceRecord } from '../../../runtime/mapping/index.ts';
import { rollbackRun } from '../../../runtime/rollback/index.ts';
import { type RunDeps, runMigration } from '../../../runtime/run/pipeline.ts';
import type { Sandboxes } from '../../../sandbox/index.ts';
import type { ResourceName } from '../../../sandbox/practicehub/index.ts';
import { comparable, type Migrated, migrated, sortedRows } from '../../support/migration.ts';

const module: GeneratedModule = generatedModule;
const TABLES = [...new Set(Object.values(module.MAPPINGS).map((m) => m.target))];

let m: Migrated;
let sb: Sandboxes;
let journal: Journal;
let deps: RunDeps;
beforeAll(async () => {
  m = await migrated(module, 41);
  ({ sb, journal, deps } = m);
  // Small sandboxes have too few clinics for a patient at three: two more clinics, and two patients
  // at three clinics each (two connections each), loaded by a delta.
  const clinics = sb.practicehub.mutate({ resource: 'clinics', action: 'create', count: 2 });
  const [first, second] = [...sb.practicehub.records('patients')].filter((p) => !p.deleted_at);
  for (const patient of [first!, second!]) {
    const [home] = patient.clinic_assignments as { clinic_id: string }[];
    sb.practicehub.mutate({
      resource: 'patients',
      action: 'update',
      ids: [String(patient.id)],
      patch: {
        clinic_assignments: [home!.clinic_id, ...clinics].map((clinic_id, i) => ({
          clinic_id,
          updated_at: `2024-0${i + 1}-01T09:00:00Z`,
        })),
      },
    });
  }
  const loaded = await runMigration(deps, { kind: 'delta', since: m.since(), parentRun: 1 });
  if (loaded.rejected !== 0) throw new Error(`the delta rejected ${loaded.rejected} records`);
}, 60_000);
afterAll(() => m?.close());

const parentRun = () => journal.latestRun({ kind: 'delta' })?.id ?? 1;
const rowIds = (table: string) =>
  new Set(sb.dataverse.snapshot([table]).tables[table]!.map((r) => String(r[`${table}id`]).toLowerCase()));

/**
 * Rows as a rollback can restore them. Dataverse makes the reciprocal of each connection itself, with
 * an id of its own, and deletes it with the connection: a restored connection gets a new reciprocal.
 */
function restorable(tables: ReturnType<typeof comparable>): ReturnType<typeof comparable> {
  const own = new Set(journal.crosswalk.ofMapping('patient-clinic').map((e) => e.targetId.toLowerCase()));
  const connections = (tables.connection ?? [])
    .filter((r) => own.has(String(r.connectionid).toLowerCase()))
    .map(({ relatedconnectionid: _, ...row }) => row);
  return sortedRows({ ...tables, connection: connections });
}

/** Source ids of a mapping with at least `n` rows in the crosswalk, and those rows' keys. */
function withRows(mapping: string, n: number): [string, string[]][] {
  const keys = new Map<string, string[]>();
  for (const e of journal.crosswalk.ofMapping(mapping))
    keys.set(e.sourceId, [...(keys.get(e.sourceId) ?? []), e.key]);
  return [...keys].filter(([, k]) => k.length >= n);
}

/** The row keys the generated transform of `mapping` makes of a PracticeHub record as it is now. */
function producedKeys(mapping: string, id: string): string[] {
  const m = module.MAPPINGS[mapping]!;
  const outcome = m.transform(sb.practicehub.get(m.source as ResourceName, id) as SourceRecord);
  return outcome.kind === 'rows' ? outcome.rows.map((r) => r.key) : [];
}

/** Takes one clinic assignment (not the most recent, which is the parent account) off a patient. */
function dropAssignment(patient: string): void {
  const record = sb.practicehub.get('patients', patient)!;
  const assignments = record.clinic_assignments as { updated_at: string }[];
  const latest = assignments.reduce((a, b) => (b.updated_at > a.updated_at ? b : a));
  const dropped = assignments.find((a) => a !== latest)!;
  sb.practicehub.mutate({
    resource: 'patients',
    action: 'update',
    ids: [patient],
    patch: { clinic_assignments: assignments.filter((a) => a !== dropped) },
  });
}

/** The patient whose dropped connection the first test leaves, and its connections' keys. */
let ignored: [string, string[]];

describe('rows a record no longer produces', () => {
  it('are left, with their crosswalk rows, under deleted_records: ignore', async () => {
    ignored = withRows('patient-clinic', 2)[0]!;
    const [patient, keys] = ignored;
    dropAssignment(patient);
    const ignoring = { ...module, MIGRATION: { ...module.MIGRATION, deletedRecords: 'ignore' as const } };
    const delta = await runMigration(
      { ...deps, module: ignoring },
      { kind: 'delta', since: m.since(), parentRun: parentRun() },
    );
    expect(delta.rejected).toBe(0);
    expect(producedKeys('patient-clinic', patient)).toHaveLength(keys.length - 1);
    expect([...journal.operations(delta.run.id, { action: 'delete' })]).toEqual([]);
    for (const key of keys) expect(journal.crosswalk.get('patient-clinic', key), key).toBeDefined();
  });

  it('are deleted once by a delta, with their pre-images, and a rollback brings them back', async () => {
    const [patient, connections] = withRows('patient-clinic', 2).find(([id]) => id !== ignored[0])!;
    const [note, parts] = withRows('clinical-note', 2)[0]!;
    dropAssignment(patient);
    // Read again under the shipped policy, the patient whose row ignore left loses it too.
    sb.practicehub.mutate({
      resource: 'patients',
      action: 'update',
      ids: [ignored[0]],
      patch: { occupation: 'Retired' },
    });
    const leftByIgnore = ignored[1].filter((k) => !producedKeys('patient-clinic', ignored[0]).includes(k));
    expect(leftByIgnore).toHaveLength(1);
    sb.practicehub.mutate({
      resource: 'clinical_notes',
      action: 'update',
      ids: [note],
      patch: { body: 'Seen; fine.' },
    });
    const droppedConnections = connections.filter(
      (k) => !producedKeys('patient-clinic', patient).includes(k),
    );
    expect(droppedConnections).toHaveLength(1);
    expect(producedKeys('clinical-note', note)).toEqual([parts[0]]);
    const gone = [
      ...leftByIgnore.map((key) => ({
        mapping: 'patient-clinic',
        sourceId: ignored[0],
        key,
        table: 'connection',
      })),
      ...droppedConnections.map((key) => ({
        mapping: 'patient-clinic',
        sourceId: patient,
        key,
        table: 'connection',
      })),
      ...parts
        .slice(1)
        .map((key) => ({ mapping: 'clinical-note', sourceId: note, key, table: 'annotation' })),
    ].map((g) => ({ ...g, targetId: journal.crosswalk.get(g.mapping, g.key)!.targetId.toLowerCase() }));
    const beforeDelta = comparable(sb.dataverse.snapshot(TABLES).tables, TABLES);

    const delta = await runMigration(deps, { kind: 'delta', since: m.since(), parentRun: parentRun() });
    expect(delta.rejected).toBe(0);
    expect(delta.unbalanced).toEqual([]);
    const deletes = [...journal.operations(delta.run.id, { action: 'delete' })];
    expect(deletes.map((o) => [o.mapping, o.sourceId, o.key, o.reason]).sort()).toEqual(
      gone
        .map((g) => [
          g.mapping,
          g.sourceId,
          g.key,
          `${g.mapping} record ${g.sourceId} no longer produces this row`,
        ])
        .sort(),
    );
    for (const op of deletes) expect(op.preImage).not.toBeNull();
    for (const g of gone) {
      expect(rowIds(g.table).has(g.targetId), g.key).toBe(false);
      expect(journal.crosswalk.get(g.mapping, g.key), g.key).toBeUndefined();
    }
    // The rows the records still produce are there: the remaining connection, the note's first part.
    for (const key of [...connections.filter((k) => !droppedConnections.includes(k)), parts[0]!])
      expect(
        journal.crosswalk.get(key.startsWith('clinical') ? 'clinical-note' : 'patient-clinic', key),
      ).toBeDefined();

    // A full run reads every record again and finds nothing more to delete.
    const again = await runMigration(deps, { resume: false });
    expect([...journal.operations(again.run.id, { action: 'delete' })]).toEqual([]);

    // The full run wrote nothing; it is rolled back first, as runs built on the delta must be.
    const rollback = (id: number) => rollbackRun({ dataverse: deps.dataverse, journal, module }, id);
    expect((await rollback(again.run.id)).failed).toBe(0);
    const undone = await rollback(delta.run.id);
    expect(undone.failed).toBe(0);
    for (const g of gone) {
      expect(rowIds(g.table).has(g.targetId), g.key).toBe(true);
      expect(journal.crosswalk.get(g.mapping, g.key)?.targetId.toLowerCase(), g.key).toBe(g.targetId);
    }
    expect(restorable(comparable(sb.dataverse.snapshot(TABLES).tables, TABLES))).toEqual(
      restorable(beforeDelta),
    );
  }, 60_000);
});
