import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../../generated/transformer.ts';
import { DataverseClient, DataverseError, optionsFromEnv } from '../../../runtime/dataverse/index.ts';
import type { Journal } from '../../../runtime/journal/index.ts';
import type { GeneratedModule } from '../../../runtime/mapping/index.ts';
import { rollbackRun } from '../../../runtime/rollback/index.ts';
import { loadDirectory } from '../../../runtime/run/directory.ts';
import { type RunDeps, type RunOptions, runMigration } from '../../../runtime/run/pipeline.ts';
import type { Sandboxes } from '../../../sandbox/index.ts';
import { comparable, type Migrated, migrated, sortedRows } from '../../support/migration.ts';

const shipped: GeneratedModule = generatedModule;
/** The shipped mappings under `policies.deleted_records: delete`. */
const module: GeneratedModule = { ...shipped, MIGRATION: { ...shipped.MIGRATION, deletedRecords: 'delete' } };
const TABLES = [...new Set(Object.values(module.MAPPINGS).map((m) => m.target))];

let m: Migrated;
let sb: Sandboxes;
let journal: Journal;
let deps: RunDeps;
beforeAll(async () => {
  m = await migrated(module, 31);
  ({ sb, journal, deps } = m);
}, 60_000);
afterAll(() => m?.close());

const since = (): RunOptions['since'] => m.since();

describe('a delta under deleted_records: delete', () => {
  it('deletes rows nothing refers to, deactivates rows others refer to, and rollback undoes both', async () => {
    const beforeDelta = comparable(sb.dataverse.snapshot(TABLES).tables, TABLES);
    const keys = (table: string, prefix: string) =>
      sb.dataverse
        .snapshot([table])
        .tables[table]!.map((a) => String(a.fs_practicehubid ?? ''))
        .filter((k) => k.startsWith(prefix))
        .map((k) => k.slice(prefix.length));
    // Payments become fs_payment rows no other migrated row refers to: they are deleted.
    const deleted = keys('fs_payment', 'payment-').slice(0, 2);
    expect(deleted).toHaveLength(2);
    sb.practicehub.mutate({ resource: 'payments', action: 'delete', ids: deleted });
    // A patient's contact has appointments that Dataverse would delete with it: it is deactivated.
    const patient = keys('contact', 'patient-')[0]!;
    sb.practicehub.mutate({ resource: 'patients', action: 'delete', ids: [patient] });

    const delta = await runMigration(deps, { kind: 'delta', since: since(), parentRun: 1 });
    expect(delta.rejected).toBe(0);
    expect(delta.unbalanced).toEqual([]);
    for (const id of deleted) expect(keys('fs_payment', 'payment-')).not.toContain(id);
    const ops = [...journal.operations(delta.run.id, { action: 'delete', mapping: 'payment' })];
    expect(ops.map((o) => o.sourceId).sort()).toEqual([...deleted].sort());
    for (const op of ops) expect(op.preImage).toMatchObject({ fs_practicehubid: `payment-${op.sourceId}` });
    const kept = [...journal.operations(delta.run.id, { mapping: 'patient', action: 'deactivate' })];
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ sourceId: patient, action: 'deactivate' });
    expect(kept[0]!.reason).toMatch(/deactivated, not deleted: \d+ appointment rows? \(regardingobjectid\)/);
    const contact = sb.dataverse
      .snapshot(['contact'])
      .tables.contact!.find((c) => c.fs_practicehubid === `patient-${patient}`);
    expect(contact?.statecode).toBe(1);

    const undone = await rollbackRun({ dataverse: deps.dataverse, journal, module }, delta.run.id);
    expect(undone.failed).toBe(0);
    expect(sortedRows(comparable(sb.dataverse.snapshot(TABLES).tables, TABLES))).toEqual(
      sortedRows(beforeDelta),
    );
  });

  it('removes the rows of many deleted records with a few reads and one $batch, not requests per row', async () => {
    const payments = () =>
      sb.dataverse
        .snapshot(['fs_payment'])
        .tables.fs_payment!.map((a) => String(a.fs_practicehubid ?? ''))
        .filter((k) => k.startsWith('payment-'))
        .map((k) => k.slice('payment-'.length));
    // Rolled back by the test before, some rows are back in Dataverse while deleted in PracticeHub.
    const ids = payments()
      .filter((id) => !sb.practicehub.get('payments', id)?.deleted_at)
      .slice(0, 60);
    expect(ids).toHaveLength(60);
    sb.practicehub.mutate({ resource: 'payments', action: 'delete', ids });
    // The organisation's users, roles and the fallback owner's privileges are read before the count.
    const directory = await loadDirectory(deps.dataverse, module);
    const before = sb.dataverse.stats().requests;
    const parentRun = journal.latestRun({ kind: 'delta' })!.id;
    const delta = await runMigration({ ...deps, directory }, { kind: 'delta', since: since(), parentRun });
    const after = sb.dataverse.stats().requests;
    const ops = [...journal.operations(delta.run.id, { mapping: 'payment', action: 'delete' })];
    // It also deletes again the two payments whose deletion the first test rolled back.
    expect(ops).toHaveLength(62);
    expect(ops.map((o) => o.sourceId)).toEqual(expect.arrayContaining(ids));
    expect(payments().filter((id) => ids.includes(id))).toEqual([]);
    // States, pre-images and referring rows: a query per 50 rows each (9 GETs for these 62 rows: the
    // payments' and one per table that may refer to them); the deletes: one $batch (and one more for
    // the patient whose deactivation the first test rolled back, deactivated again).
    expect(after.batch - before.batch).toBe(2);
    expect(after.data - before.data).toBeLessThanOrEqual(10);
  });

  it('refuses a row whose crosswalk id is not a GUID alone, naming it, and deletes the others', async () => {
    const [tampered, other] = sb.dataverse
      .snapshot(['fs_payment'])
      .tables.fs_payment!.map((a) => String(a.fs_practicehubid ?? '').slice('payment-'.length))
      .filter((id) => id && !sb.practicehub.get('payments', id)?.deleted_at);
    const entry = journal.crosswalk.get('payment', `payment-${tampered}`)!;
    journal.crosswalk.apply(1, [{ ...entry, targetId: 'not-a-guid' }]);
    try {
      sb.practicehub.mutate({ resource: 'payments', action: 'delete', ids: [tampered!, other!] });
      const parentRun = journal.latestRun({ kind: 'delta' })!.id;
      const delta = await runMigration(deps, { kind: 'delta', since: since(), parentRun });
      const ops = [...journal.operations(delta.run.id, { mapping: 'payment' })];
      const of = (id: string) => ops.filter((o) => o.sourceId === id).map((o) => [o.action, o.reason]);
      expect(of(tampered!)).toEqual([
        [
          'reject',
          `deleted in PracticeHub, but the row was not removed: row payment-${tampered} of payment (record ${tampered}) is tied to 'not-a-guid' in table fs_payment, which is not a Dataverse row id (a GUID); runs journal only GUIDs, so the journal's crosswalk was changed outside flitstack: restore the journal from a copy`,
        ],
      ]);
      expect(of(other!)).toEqual([['delete', expect.stringMatching(/^deleted in PracticeHub at /)]]);
      // The journal keeps only GUIDs as row ids: the refusal names the row by its key and record.
      expect(ops.find((o) => o.sourceId === tampered)).toMatchObject({
        key: `payment-${tampered}`,
        table: 'fs_payment',
        targetId: null,
      });
    } finally {
      journal.crosswalk.apply(1, [entry]);
    }
  });

  it('journals a row someone deleted between its read and its delete as already gone, so rollback leaves it gone', async () => {
    const payments = () =>
      sb.dataverse
        .snapshot(['fs_payment'])
        .tables.fs_payment!.map((a) => String(a.fs_practicehubid ?? ''))
        .filter((k) => k.startsWith('payment-'));
    const id = payments().at(-1)!.slice('payment-'.length);
    sb.practicehub.mutate({ resource: 'payments', action: 'delete', ids: [id] });
    // Another process deletes the row in Dataverse just before the delta's own delete reaches it.
    class Racing extends DataverseClient {
      override async batch(...args: Parameters<DataverseClient['batch']>) {
        for (const item of args[0])
          if ('method' in item && item.method === 'DELETE') await super.batch([item]);
        return super.batch(...args);
      }
    }
    const racing = new Racing(optionsFromEnv(sb.env));
    try {
      const parentRun = journal.latestRun({ kind: 'delta' })!.id;
      const delta = await runMigration(
        { ...deps, dataverse: racing },
        { kind: 'delta', since: since(), parentRun },
      );
      const ops = [...journal.operations(delta.run.id, { mapping: 'payment' })].filter(
        (o) => o.sourceId === id,
      );
      expect(ops.map((o) => [o.action, o.reason])).toEqual([
        ['skip', expect.stringMatching(/the row is already gone from Dataverse$/)],
      ]);
      await rollbackRun({ dataverse: deps.dataverse, journal, module }, delta.run.id);
      expect(payments()).not.toContain(`payment-${id}`);
    } finally {
      await racing.close();
    }
  });
  it.each([
    ['the resumed delta', true],
    ['a new delta that does not resume it', false],
  ])(
    'fails the delta when the answer to its deletes is lost, and %s journals them as deletes with their pre-images',
    async (_, resume) => {
      const payments = () =>
        sb.dataverse
          .snapshot(['fs_payment'])
          .tables.fs_payment!.map((a) => String(a.fs_practicehubid ?? '').slice('payment-'.length));
      const ids = payments()
        .filter((id) => id && !sb.practicehub.get('payments', id)?.deleted_at)
        .slice(0, 2);
      expect(ids).toHaveLength(2);
      sb.practicehub.mutate({ resource: 'payments', action: 'delete', ids });
      // Dataverse runs the deletes, and the connection drops before their answer arrives.
      class LostAnswer extends DataverseClient {
        override async batch(...args: Parameters<DataverseClient['batch']>) {
          const results = await super.batch(...args);
          if (args[0].some((item) => 'method' in item && item.method === 'DELETE'))
            throw new DataverseError({
              status: 0,
              code: 'network',
              serverMessage: 'the connection was reset',
              method: 'POST',
              path: '/api/data/v9.2/$batch',
            });
          return results;
        }
      }
      const lost = new LostAnswer(optionsFromEnv(sb.env));
      const parentRun = journal.latestRun({ kind: 'delta' })!.id;
      try {
        await expect(
          runMigration({ ...deps, dataverse: lost }, { kind: 'delta', since: since(), parentRun }),
        ).rejects.toThrow(/the connection was reset/);
      } finally {
        await lost.close();
      }
      expect(payments().filter((id) => ids.includes(id))).toEqual([]);
      const failed = journal.latestRun({ kind: 'delta' })!;
      expect(failed.status).toBe('failed');

      const next = await runMigration(deps, { kind: 'delta', since: since(), parentRun, resume });
      expect(next.resumed).toBe(resume);
      expect(next.run.id === failed.id).toBe(resume);
      expect(next.rejected).toBe(0);
      const ops = [...journal.operations(next.run.id, { mapping: 'payment' })].filter((o) =>
        ids.includes(o.sourceId),
      );
      expect(ops.map((o) => [o.sourceId, o.action]).sort()).toEqual(ids.map((id) => [id, 'delete']).sort());
      for (const op of ops) expect(op.preImage).toMatchObject({ fs_practicehubid: `payment-${op.sourceId}` });
      const undone = await rollbackRun({ dataverse: deps.dataverse, journal, module }, next.run.id);
      expect(undone.failed).toBe(0);
      expect(payments()).toEqual(expect.arrayContaining(ids));
    },
  );
});
