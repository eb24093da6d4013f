import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../../generated/transformer.ts';
import type { BatchRequest } from '../../../runtime/dataverse/index.ts';
import type { GeneratedModule, SourceRecord } from '../../../runtime/mapping/index.ts';
import { RollbackError, rollbackRun } from '../../../runtime/rollback/index.ts';
import { runMigration } from '../../../runtime/run/pipeline.ts';
import { diesAfter } from '../../support/dies-after.ts';
import {
  expectOrganisation,
  type Migrated,
  migrated,
  organisation,
  tablesOf,
} from '../../support/migration.ts';

const module: GeneratedModule = generatedModule;
const TABLES = tablesOf(module);

/**
 * A delta fails after Dataverse took a write whose answer was lost; a full run then writes the same
 * row; the delta is resumed and completes. Rolled back newest first (the delta, then the run), the
 * organisation is as it was before the delta: the full run took the delta's staged image over instead
 * of journaling the row from what the delta's write left, and the delta's end could not drop it.
 */
async function lostThenRunThenResumed(
  m: Migrated,
  spec: GeneratedModule,
  matches: (requests: readonly BatchRequest[]) => boolean,
  check: (ids: { delta: number; run: number }) => void,
): Promise<void> {
  const { journal } = m;
  const before = organisation(m.sb, TABLES);
  const options = {
    kind: 'delta',
    since: m.since(),
    parentRun: journal.latestRun({ kind: 'run' })!.id,
  } as const;
  const deps = { ...m.deps, module: spec };
  const delta = await diesAfter(deps, m.sb.env, matches, options);
  expect(delta.status).toBe('failed');
  const run = await runMigration(deps, { resume: false });
  expect(run.rejected).toBe(0);
  check({ delta: delta.id, run: run.run.id });
  const resumed = await runMigration(deps, options);
  expect([resumed.run.id, resumed.resumed, resumed.run.status]).toEqual([delta.id, true, 'completed']);

  const rollback = (id: number) => rollbackRun({ dataverse: m.deps.dataverse, journal, module: spec }, id);
  await expect(rollback(run.run.id)).rejects.toBeInstanceOf(RollbackError);
  expect((await rollback(delta.id)).failed).toBe(0);
  expect((await rollback(run.run.id)).failed).toBe(0);
  expectOrganisation(m.sb, TABLES, before);
}

describe('a full run deleting a row whose delete by a failed delta was never answered', () => {
  let m: Migrated;
  beforeAll(async () => {
    m = await migrated(module, 54);
  }, 60_000);
  afterAll(() => m?.close());

  it('takes over the delta’s image and journals the delete with it, so a rollback recreates the row', async () => {
    // A note of two parts (two annotations) shortened to one: its second part is a row the record no
    // longer produces, which the delta and the full run alike delete.
    const parts = new Map<string, string[]>();
    for (const e of m.journal.crosswalk.ofMapping('clinical-note'))
      parts.set(e.sourceId, [...(parts.get(e.sourceId) ?? []), e.key]);
    const [note, keys] = [...parts].find(([, k]) => k.length === 2)!;
    m.sb.practicehub.mutate({
      resource: 'clinical_notes',
      action: 'update',
      ids: [note],
      patch: { body: 'Seen; fine.' },
    });
    const notes = module.MAPPINGS['clinical-note']!;
    const outcome = notes.transform(m.sb.practicehub.get('clinical_notes', note) as SourceRecord);
    const produced = outcome.kind === 'rows' ? outcome.rows.map((r) => r.key) : [];
    const [dropped] = keys.filter((k) => !produced.includes(k));
    expect(produced).toHaveLength(1);
    const row = m.journal.crosswalk.get('clinical-note', dropped!)!.targetId.toLowerCase();
    const deletes = (requests: readonly BatchRequest[]) =>
      requests.some((r) => r.method === 'DELETE' && r.path === `annotations(${row})`);
    await lostThenRunThenResumed(m, module, deletes, ({ delta, run }) => {
      // The row was gone when the run came to it: without the delta's image it would be a skip.
      const ops = [...m.journal.operations(run, { mapping: 'clinical-note' })].filter(
        (o) => o.key === dropped,
      );
      expect(ops.map((o) => o.action)).toEqual(['delete']);
      expect(ops[0]!.preImage).not.toBeNull();
      expect(m.journal.images.get(delta, 'clinical-note', dropped!)).toBeUndefined();
    });
  }, 60_000);
});

describe('a full run updating a row whose update by a failed delta was never answered', () => {
  let m: Migrated;
  beforeAll(async () => {
    m = await migrated(module, 55);
  }, 60_000);
  afterAll(() => m?.close());

  it('takes over the delta’s image, so its update restores what the row held before the delta', async () => {
    const patient = String([...m.sb.practicehub.records('patients')][0]!.id);
    const key = `patient-${patient}`;
    const contact = m.journal.crosswalk.get('patient', key)!.targetId.toLowerCase();
    const firstname = m.sb.dataverse
      .snapshot(['contact'])
      .tables.contact!.find((r) => String(r.contactid) === contact)!.firstname;
    expect(firstname).not.toBe('Second');
    m.sb.practicehub.mutate({
      resource: 'patients',
      action: 'update',
      ids: [patient],
      patch: { first_name: 'Second' },
    });
    const contacts = (requests: readonly BatchRequest[]) =>
      requests.some((r) => r.path === `contacts(${contact})`);
    await lostThenRunThenResumed(m, module, contacts, ({ delta, run }) => {
      const ops = [...m.journal.operations(run, { mapping: 'patient' })].filter((o) => o.key === key);
      expect(ops.map((o) => [o.action, o.preImage?.firstname])).toEqual([['update', firstname]]);
      expect(m.journal.images.get(delta, 'patient', key)).toBeUndefined();
    });
  }, 60_000);
});

describe('a full run creating a row whose create by a failed delta was never answered', () => {
  let m: Migrated;
  beforeAll(async () => {
    m = await migrated(module, 56);
  }, 60_000);
  afterAll(() => m?.close());

  it('takes over the delta’s image of the new row, so that no later rollback of the delta deletes the run’s row', async () => {
    const [patient] = m.sb.practicehub.mutate({ resource: 'patients', action: 'create' });
    const key = `patient-${patient}`;
    const creates = (requests: readonly BatchRequest[]) =>
      requests.some(
        (r) => r.method === 'PATCH' && r.path.startsWith('contacts(') && r.path.includes(patient!),
      );
    await lostThenRunThenResumed(m, module, creates, ({ delta, run }) => {
      const ops = [...m.journal.operations(run, { mapping: 'patient' })].filter((o) => o.key === key);
      expect(ops.map((o) => o.action)).toEqual(['create']);
      expect(m.journal.images.get(delta, 'patient', key)).toBeUndefined();
    });
  }, 60_000);
});
