import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../generated/transformer.ts';
import { type BatchRequest, DataverseClient, optionsFromEnv } from '../../runtime/dataverse/index.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import { rollbackRun } from '../../runtime/rollback/index.ts';
import { diesAfter } from '../support/dies-after.ts';
import {
  expectOrganisation,
  flitstack,
  type Migrated,
  migrated,
  organisation,
  tablesOf,
} from '../support/migration.ts';

const module: GeneratedModule = generatedModule;
const deleting: GeneratedModule = { ...module, MIGRATION: { ...module.MIGRATION, deletedRecords: 'delete' } };
const TABLES = tablesOf(module);
const state = (m: Migrated) => organisation(m.sb, TABLES);
const expectState = (m: Migrated, before: ReturnType<typeof state>) =>
  expectOrganisation(m.sb, TABLES, before);

const paymentDeletes = (requests: readonly BatchRequest[]) =>
  requests.some((r) => r.method === 'DELETE' && r.path.startsWith('fs_payments('));

/** Source ids of `n` payments the first run loaded, each of another patient. */
function payments(m: Migrated, n: number): string[] {
  const patients = new Set<unknown>();
  const ids: string[] = [];
  for (const p of m.sb.practicehub.records('payments')) {
    if (ids.length === n) break;
    if (patients.has(p.patient_id) || !m.journal.crosswalk.get('payment', `payment-${p.id}`)) continue;
    patients.add(p.patient_id);
    ids.push(String(p.id));
  }
  expect(ids).toHaveLength(n);
  return ids;
}

/** Ids of the fs_payment rows Dataverse holds now, lower case. */
const paymentRows = (m: Migrated) =>
  new Set(m.sb.dataverse.snapshot(['fs_payment']).tables.fs_payment!.map((r) => String(r.fs_paymentid)));

/**
 * Deletes payments in PracticeHub, then runs a delta under `deleted_records: delete` whose $batch of
 * deletes Dataverse runs and whose answer is lost: the delta fails with the rows gone and nothing of
 * them journaled but the images it staged. Returns the delta and the rows' ids.
 */
async function deletesLost(m: Migrated, ids: readonly string[]) {
  const rows = ids.map((id) => m.journal.crosswalk.get('payment', `payment-${id}`)!.targetId.toLowerCase());
  m.sb.practicehub.mutate({ resource: 'payments', action: 'delete', ids: [...ids] });
  const parentRun = m.journal.latestRun({ kind: 'run' })!.id;
  const delta = await diesAfter({ ...m.deps, module: deleting }, m.sb.env, paymentDeletes, {
    kind: 'delta',
    since: m.since(),
    parentRun,
  });
  expect(delta.status).toBe('failed');
  for (const row of rows) expect(paymentRows(m).has(row), row).toBe(false);
  expect([...m.journal.operations(delta.id, { mapping: 'payment' })]).toEqual([]);
  return { delta, rows };
}

describe('rollback of a failed delta whose answer to its deletes was lost', () => {
  let m: Migrated;
  beforeAll(async () => {
    m = await migrated(deleting, 51);
  }, 60_000);
  afterAll(() => m?.close());

  it('recreates the rows from their staged pre-images, journals and counts them, and consumes the images', async () => {
    const before = state(m);
    const ids = payments(m, 2);
    const { delta } = await deletesLost(m, ids);
    expect(m.journal.images.pending(delta.id)).toHaveLength(2);

    const undone = await rollbackRun(
      { dataverse: m.deps.dataverse, journal: m.journal, module: deleting },
      delta.id,
    );
    expect(undone.failed).toBe(0);
    expect(undone.target.status).toBe('rolled_back');
    expect(undone.summary.payment).toEqual({ deleted: 0, restored: 2, skipped: 0, failed: 0 });
    expectState(m, before);
    const entries = [...m.journal.operations(undone.rollback!.id)];
    expect(entries.map((e) => [e.action, e.sourceId, e.undoes]).sort()).toEqual(
      ids.map((id) => ['restore', id, null]).sort(),
    );
    for (const e of entries)
      expect(e.reason).toBe(
        `undoes a delete run ${delta.id} sent to Dataverse whose answer was never journaled`,
      );
    expect(m.journal.images.pending(delta.id)).toEqual([]);
    for (const id of ids) expect(m.journal.crosswalk.get('payment', `payment-${id}`), id).toBeDefined();
  }, 60_000);
});

describe('a rollback that cannot recreate a row whose delete answer was lost', () => {
  let m: Migrated;
  beforeAll(async () => {
    m = await migrated(deleting, 52);
  }, 60_000);
  afterAll(() => m?.close());

  it('keeps that row image and fails; run again, it retries that row alone', async () => {
    const ids = payments(m, 2);
    const [refused, recreated] = ids.map((id) => `payment-${id}`) as [string, string];
    // The first payment's patient disappears behind the API's back: its pre-image binds a missing contact.
    const patient = m.sb.practicehub.get('payments', ids[0]!)!.patient_id;
    const contact = m.journal.crosswalk.get('patient', `patient-${patient}`)!.targetId;
    const { delta, rows } = await deletesLost(m, ids);
    m.sb.dataverse.tamper({ table: 'contact', id: contact, delete: true });
    const rollback = () =>
      rollbackRun({ dataverse: m.deps.dataverse, journal: m.journal, module: deleting }, delta.id);

    const failed = await rollback();
    expect(failed.failed).toBe(1);
    expect(failed.rollback?.status).toBe('failed');
    expect(failed.summary.payment).toEqual({ deleted: 0, restored: 1, skipped: 0, failed: 1 });
    expect(m.journal.images.get(delta.id, 'payment', refused)).toBeDefined();
    expect(m.journal.images.get(delta.id, 'payment', recreated)).toBeUndefined();
    expect(paymentRows(m).has(rows[1]!)).toBe(true);

    const client = new DataverseClient(optionsFromEnv({ ...m.sb.env }));
    await client.create('contacts', { lastname: 'Recreated' }, { id: contact });
    await client.close();
    const retried = await rollback();
    expect(retried).toMatchObject({ resumed: true, failed: 0 });
    expect(retried.rollback?.id).toBe(failed.rollback?.id);
    expect(retried.summary.payment).toEqual({ deleted: 0, restored: 2, skipped: 0, failed: 0 });
    const entries = [...m.journal.operations(retried.rollback!.id)];
    expect(entries.filter((e) => e.key === recreated).map((e) => [e.action, e.error])).toEqual([
      ['restore', null],
    ]);
    expect(entries.filter((e) => e.key === refused).map((e) => [e.action, e.error?.code ?? null])).toEqual([
      ['restore', '0x80040217'],
      ['restore', null],
    ]);
    for (const row of rows) expect(paymentRows(m).has(row), row).toBe(true);
    expect(m.journal.images.pending(delta.id)).toEqual([]);
  }, 60_000);
});

describe('flitstack rollback --force of a delta interrupted while its answer was outstanding', () => {
  let m: Migrated;
  beforeAll(async () => {
    m = await migrated(module, 53);
  }, 60_000);
  afterAll(() => m?.close());

  it('restores the row the delta updated and deletes the rows its update and its create created', async () => {
    const { sb, journal } = m;
    const row = (id: string) => journal.crosswalk.get('patient', `patient-${id}`)!;
    // One patient's contact was deleted in Dynamics (one no other row refers to, as real Dataverse
    // would have deleted those with it): the delta's update by id creates it again.
    const referred = JSON.stringify(sb.dataverse.snapshot(TABLES.filter((t) => t !== 'contact')).tables);
    const ids = [...sb.practicehub.records('patients')].map((p) => String(p.id));
    const alone = ids.find((id) => !referred.includes(row(id).targetId.toLowerCase()))!;
    expect(alone).toBeDefined();
    const other = ids.find((id) => id !== alone)!;
    const [kept, lost] = [row(other), row(alone)] as const;
    sb.dataverse.tamper({ table: 'contact', id: lost.targetId, delete: true });
    const before = state(m);
    sb.practicehub.mutate({
      resource: 'patients',
      action: 'update',
      ids: [other, alone],
      patch: { first_name: 'Second' },
    });
    const [added] = sb.practicehub.mutate({
      resource: 'patients',
      action: 'create',
      patch: { first_name: 'Second' },
    });
    const contacts = (requests: readonly BatchRequest[]) =>
      requests.some((r) => r.path.startsWith('contacts('));
    // Ctrl-C as the answer is awaited: the run is marked interrupted, and the process goes.
    const delta = await diesAfter(
      m.deps,
      sb.env,
      contacts,
      {
        kind: 'delta',
        since: m.since(),
        parentRun: journal.latestRun({ kind: 'run' })!.id,
      },
      () => journal.interruptOwnRuns(),
    );
    expect(delta.status).toBe('interrupted');
    expect(
      journal.images
        .pending(delta.id)
        .map((e) => [e.key, e.created])
        .sort(),
    ).toEqual(
      [
        [kept.key, false],
        [lost.key, true],
        [`patient-${added}`, true],
      ].sort(),
    );
    const created = journal.images.get(delta.id, 'patient', `patient-${added}`)!.targetId;
    const contact = (id: string) =>
      sb.dataverse
        .snapshot(['contact'])
        .tables.contact!.find((r) => String(r.contactid) === id.toLowerCase());
    for (const id of [kept.targetId, lost.targetId, created])
      expect(contact(id)?.firstname, id).toBe('Second');

    const res = await flitstack(
      sb,
      'rollback',
      '--run',
      String(delta.id),
      '--force',
      '--journal',
      journal.path,
      '--format',
      'json',
    );
    expect(res.code, res.err).toBe(0);
    expect(JSON.parse(res.out)).toMatchObject({
      status: 'completed',
      targetStatus: 'rolled_back',
      failed: 0,
      summary: { patient: { deleted: 2, restored: 1, skipped: 0, failed: 0 } },
    });
    expectState(m, before);
    expect(contact(lost.targetId)).toBeUndefined();
    expect(contact(created)).toBeUndefined();
    // The row is gone: the next run creates it again.
    expect(journal.crosswalk.get('patient', lost.key)).toBeUndefined();
  }, 60_000);
});
