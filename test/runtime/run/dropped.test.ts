import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../../generated/transformer.ts';
import type { Journal } from '../../../runtime/journal/index.ts';
import { type GeneratedModule, idText, type SourceRecord } from '../../../runtime/mapping/index.ts';
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
/** Four patients at three clinics: each test takes its own. */
let atThree: string[];
beforeAll(async () => {
  m = await migrated(module, 41);
  ({ sb, journal, deps } = m);
  // Small sandboxes have too few clinics for a patient at three: two more clinics, and two patients
  // at three clinics each (two connections each), loaded by a delta.
  const clinics = sb.practicehub.mutate({ resource: 'clinics', action: 'create', count: 2 });
  const patients = [...sb.practicehub.records('patients')].filter((p) => !p.deleted_at).slice(0, 4);
  atThree = patients.map((p) => String(p.id));
  for (const patient of patients) {
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

/**
 * Takes clinic assignments off a patient: one that is not the most recent (the parent account), or
 * with `all`, every one but the most recent, so that the patient produces no connection at all.
 */
function dropAssignment(patient: string, all = false): void {
  const record = sb.practicehub.get('patients', patient)!;
  const assignments = record.clinic_assignments as { updated_at: string }[];
  const latest = assignments.reduce((a, b) => (b.updated_at > a.updated_at ? b : a));
  const dropped = assignments.find((a) => a !== latest)!;
  sb.practicehub.mutate({
    resource: 'patients',
    action: 'update',
    ids: [patient],
    patch: { clinic_assignments: assignments.filter((a) => (all ? a === latest : a !== dropped)) },
  });
}

/** The crosswalk keys of a mapping's rows for one record. */
const keysOf = (mapping: string, sourceId: string) =>
  (journal.crosswalk.bySourceIds(mapping, [sourceId]).get(sourceId) ?? []).map((e) => e.key);

/** The patient whose dropped connection the first test leaves, and its connections' keys. */
let ignored: [string, string[]];

describe('rows a record no longer produces', () => {
  it('are left, with their crosswalk rows, under deleted_records: ignore', async () => {
    ignored = [atThree[0]!, keysOf('patient-clinic', atThree[0]!)];
    expect(ignored[1]).toHaveLength(2);
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
    const [patient, emptied] = [atThree[1]!, atThree[2]!];
    const connections = keysOf('patient-clinic', patient);
    const lost = keysOf('patient-clinic', emptied);
    expect([connections, lost].map((k) => k.length)).toEqual([2, 2]);
    const [note, parts] = withRows('clinical-note', 2)[0]!;
    dropAssignment(patient);
    // No clinic left but the parent account's: the patient produces no connection (a skip), and loses both.
    dropAssignment(emptied, true);
    expect(
      module.MAPPINGS['patient-clinic']!.transform(sb.practicehub.get('patients', emptied)!),
    ).toMatchObject({ kind: 'skipped', empty: true });
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
      ...lost.map((key) => ({ mapping: 'patient-clinic', sourceId: emptied, key, table: 'connection' })),
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
  it('are kept when the record is skipped by a condition, as a one-row mapping keeps its row', async () => {
    const patient = atThree[3]!;
    const keys = keysOf('patient-clinic', patient);
    expect(keys).toHaveLength(2);
    dropAssignment(patient);
    // The spec's where leaves the patient out now: what its rows become is not the condition's to say.
    const clinic = module.MAPPINGS['patient-clinic']!;
    const outside: GeneratedModule = {
      ...module,
      MAPPINGS: {
        ...module.MAPPINGS,
        'patient-clinic': {
          ...clinic,
          transform: (r) =>
            idText(r.id) === patient
              ? { kind: 'skipped', sourceId: patient, reason: 'where: occupation is not one of Retired' }
              : clinic.transform(r),
        },
      },
    };
    const delta = await runMigration(
      { ...deps, module: outside },
      { kind: 'delta', since: m.since(), parentRun: parentRun() },
    );
    expect(delta.rejected).toBe(0);
    // (The deletes the last test rolled back are made again: those patients are read again.)
    const deletes = [...journal.operations(delta.run.id, { mapping: 'patient-clinic', action: 'delete' })];
    expect(deletes.length).toBeGreaterThan(0);
    expect(deletes.filter((o) => o.sourceId === patient)).toEqual([]);
    expect(keysOf('patient-clinic', patient)).toEqual(keys);
  });
  it('are kept when another record of the run writes their key', async () => {
    // The patient of the last test no longer produces one of its two connections; a spec whose key
    // leaves the patient out would have another patient at the same clinic write that key.
    const [owner, claimant] = [atThree[3]!, atThree[1]!];
    const [kept, dropped] = [producedKeys('patient-clinic', owner), keysOf('patient-clinic', owner)];
    const key = dropped.find((k) => !kept.includes(k))!;
    expect(key).toBeDefined();
    const clinic = module.MAPPINGS['patient-clinic']!;
    const shared: GeneratedModule = {
      ...module,
      MAPPINGS: {
        ...module.MAPPINGS,
        'patient-clinic': {
          ...clinic,
          transform: (r) => {
            const out = clinic.transform(r);
            return idText(r.id) === claimant && out.kind === 'rows'
              ? { ...out, rows: [...out.rows, { ...out.rows[0]!, key }] }
              : out;
          },
        },
      },
    };
    for (const id of [owner, claimant])
      sb.practicehub.mutate({
        resource: 'patients',
        action: 'update',
        ids: [id],
        patch: { occupation: 'Nurse' },
      });
    const delta = await runMigration(
      { ...deps, module: shared },
      { kind: 'delta', since: m.since(), parentRun: parentRun() },
    );
    expect(delta.rejected).toBe(0);
    const ops = [...journal.operations(delta.run.id, { mapping: 'patient-clinic' })].filter(
      (o) => o.key === key,
    );
    expect(ops.map((o) => [o.sourceId, o.action])).toEqual([[claimant, 'update']]);
    expect(journal.crosswalk.get('patient-clinic', key)?.sourceId).toBe(claimant);
  });
});
