import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../../generated/transformer.ts';
import type { BatchRequest } from '../../../runtime/dataverse/index.ts';
import { Journal } from '../../../runtime/journal/index.ts';
import type { GeneratedModule } from '../../../runtime/mapping/index.ts';
import { rollbackRun } from '../../../runtime/rollback/index.ts';
import { type RunDeps, type RunOptions, runMigration } from '../../../runtime/run/pipeline.ts';
import { diesAfter } from '../../support/dies-after.ts';
import {
  expectOrganisation,
  flitstack,
  loadDeps,
  type Migrated,
  migrated,
  organisation,
  sandboxes,
  tablesOf,
} from '../../support/migration.ts';
import { tempDir } from '../../support/tmp.ts';

const module: GeneratedModule = generatedModule;
const TABLES = tablesOf(module);

/** Runs `options` with a client that dies after `matches`; then resumes it with a sound client. */
async function killedAndResumed(
  deps: RunDeps,
  env: Record<string, string>,
  matches: (requests: readonly BatchRequest[]) => boolean,
  options: RunOptions = {},
) {
  await diesAfter(deps, env, matches, options);
  const resumed = await runMigration(deps, options);
  expect(resumed.resumed).toBe(true);
  expect(resumed.rejected).toBe(0);
  return resumed;
}

describe('a first run killed after Dataverse took a write and before the journal recorded it', () => {
  it('keeps the pre-images of the existing rows it updated, so rollback restores them after the resume', async () => {
    const sb = await sandboxes({ scale: 0.05, seed: 41 });
    const dir = tempDir('flitstack-crash-window-');
    const journal = Journal.open(join(dir, 'journal.db'));
    const deps = loadDeps(sb, journal, module, dir);
    try {
      expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
      const before = organisation(sb, TABLES);
      // The staff mapping updates the organisation's existing users, matched by email.
      const run = await killedAndResumed(deps, sb.env, (requests) =>
        requests.some((r) => r.path.startsWith('systemusers(')),
      );
      // Every write was journaled, its staged image consumed: the completed run holds none.
      expect(journal.images.pending(run.run.id)).toEqual([]);
      const users = [...journal.operations(run.run.id, { mapping: 'staff-user', action: 'update' })];
      expect(users.length).toBeGreaterThan(0);
      const undone = await rollbackRun({ dataverse: deps.dataverse, journal, module }, run.run.id);
      expect(undone.failed).toBe(0);
      expectOrganisation(sb, TABLES, before);
    } finally {
      journal.close();
      await Promise.all([deps.practicehub.close(), deps.dataverse.close(), sb.close()]);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('a delta killed after Dataverse took a write and before the journal recorded it', () => {
  let m: Migrated;
  beforeAll(async () => {
    m = await migrated(module, 43);
  }, 60_000);
  afterAll(() => m?.close());

  it('restores, on rollback after the resume, the values the updated rows had before the delta', async () => {
    const { sb, deps, journal } = m;
    const before = organisation(sb, TABLES);
    const changed = sb.practicehub.mutate({
      resource: 'patients',
      action: 'update',
      count: 20,
      patch: { first_name: 'Second' },
    });
    expect(changed).toHaveLength(20);
    const parentRun = journal.latestRun({ kind: 'run' })!.id;
    const delta = await killedAndResumed(
      deps,
      sb.env,
      (requests) => requests.some((r) => r.path.startsWith('contacts(')),
      { kind: 'delta', since: m.since(), parentRun },
    );
    const updates = [...journal.operations(delta.run.id, { mapping: 'patient', action: 'update' })];
    expect(updates).toHaveLength(20);
    for (const op of updates) expect(op.preImage?.firstname).not.toBe('Second');
    const undone = await rollbackRun({ dataverse: deps.dataverse, journal, module }, delta.run.id);
    expect(undone.failed).toBe(0);
    expectOrganisation(sb, TABLES, before);
  }, 60_000);

  it('counts rows it closed before the crash as its deactivations, so rollback reopens them', async () => {
    const { sb, deps, journal } = m;
    const before = organisation(sb, TABLES);
    const open = sb.dataverse
      .snapshot(['appointment'])
      .tables.appointment!.filter((a) => a.statecode !== 2)
      .map((a) => String(a.fs_practicehubid ?? ''))
      .filter((k) => k.startsWith('appointment-'))
      .map((k) => k.slice('appointment-'.length));
    const deleted = open.slice(0, 5);
    expect(deleted).toHaveLength(5);
    sb.practicehub.mutate({ resource: 'appointments', action: 'delete', ids: deleted });
    // An appointment changed in the same page: the run writes it after the deactivations, and dies there.
    sb.practicehub.mutate({
      resource: 'appointments',
      action: 'update',
      ids: [open[5]!],
      patch: { notes: 'Changed' },
    });
    const parentRun = journal.latestRun({ kind: 'delta' })!.id;
    const closes = (requests: readonly BatchRequest[]) =>
      requests.some((r) => {
        const body = r.body as Record<string, unknown> | undefined;
        return (
          r.path.startsWith('appointments(') && body !== undefined && Object.keys(body).join() === 'statecode'
        );
      });
    const delta = await killedAndResumed(deps, sb.env, closes, {
      kind: 'delta',
      since: m.since(),
      parentRun,
    });
    const ops = [...journal.operations(delta.run.id, { mapping: 'appointment' })].filter((o) =>
      deleted.includes(o.sourceId),
    );
    expect(ops.map((o) => o.action)).toEqual([
      'deactivate',
      'deactivate',
      'deactivate',
      'deactivate',
      'deactivate',
    ]);
    // The state each row had before the delta closed it (Canceled is 2), not the closed one.
    for (const op of ops) expect(op.preImage?.statecode).not.toBe(2);
    const undone = await rollbackRun({ dataverse: deps.dataverse, journal, module }, delta.run.id);
    expect(undone.failed).toBe(0);
    expectOrganisation(sb, TABLES, before);
  }, 60_000);
});

describe('a delta under deleted_records: delete killed after Dataverse took the deletes', () => {
  const deleting: GeneratedModule = {
    ...module,
    MIGRATION: { ...module.MIGRATION, deletedRecords: 'delete' },
  };
  let m: Migrated;
  beforeAll(async () => {
    m = await migrated(deleting, 47);
  }, 60_000);
  afterAll(() => m?.close());

  it('counts rows it deleted before the crash as its deletes, with their images, so rollback recreates them', async () => {
    const { sb, deps, journal } = m;
    const before = organisation(sb, TABLES);
    const payments = sb.dataverse
      .snapshot(['fs_payment'])
      .tables.fs_payment!.map((a) => String(a.fs_practicehubid ?? ''))
      .filter((k) => k.startsWith('payment-'))
      .map((k) => k.slice('payment-'.length));
    const deleted = payments.slice(0, 3);
    expect(deleted).toHaveLength(3);
    sb.practicehub.mutate({ resource: 'payments', action: 'delete', ids: deleted });
    // A payment changed in the same page: the run writes it after the deletes, and dies there.
    sb.practicehub.mutate({
      resource: 'payments',
      action: 'update',
      ids: [payments[3]!],
      patch: { reference: 'Changed' },
    });
    const parentRun = journal.latestRun({ kind: 'run' })!.id;
    const deletes = (requests: readonly BatchRequest[]) =>
      requests.some((r) => r.method === 'DELETE' && r.path.startsWith('fs_payments('));
    const delta = await killedAndResumed(deps, sb.env, deletes, {
      kind: 'delta',
      since: m.since(),
      parentRun,
    });
    const ops = [...journal.operations(delta.run.id, { mapping: 'payment' })].filter((o) =>
      deleted.includes(o.sourceId),
    );
    expect(ops.map((o) => o.action)).toEqual(['delete', 'delete', 'delete']);
    for (const op of ops) expect(op.preImage).toMatchObject({ fs_practicehubid: `payment-${op.sourceId}` });
    const undone = await rollbackRun({ dataverse: deps.dataverse, journal, module: deleting }, delta.run.id);
    expect(undone.failed).toBe(0);
    expectOrganisation(sb, TABLES, before);
  }, 60_000);
});
