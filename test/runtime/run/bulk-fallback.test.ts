import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../../generated/transformer.ts';
import { Journal } from '../../../runtime/journal/index.ts';
import type { GeneratedModule } from '../../../runtime/mapping/index.ts';
import { type RunDeps, type RunOptions, runMigration } from '../../../runtime/run/pipeline.ts';
import { groupBy } from '../../../runtime/shared/group.ts';
import type { Sandboxes } from '../../../sandbox/index.ts';
import { flitstack, loadDeps, sandboxes } from '../../support/migration.ts';

const module: GeneratedModule = generatedModule;

let sb: Sandboxes;
let dir: string;
let journal: Journal;
let deps: RunDeps;
beforeAll(async () => {
  sb = await sandboxes({ scale: 0.05, seed: 37 });
  expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
  dir = mkdtempSync(join(tmpdir(), 'flitstack-bulk-'));
  journal = Journal.open(join(dir, 'journal.db'));
  deps = loadDeps(sb, journal, module, dir);
  expect((await runMigration(deps)).rejected).toBe(0);
}, 60_000);
afterAll(async () => {
  journal?.close();
  await Promise.all([deps?.practicehub.close(), deps?.dataverse.close(), sb?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const since = (): RunOptions['since'] =>
  Object.fromEntries(journal.watermarks.all().map((w) => [w.resource, w.maxUpdatedAt]));

/** Payments go to fs_payment, a custom table, through UpsertMultiple (reference §3.1). */
describe('bulk writes', () => {
  it('creates new rows with one UpsertMultiple: the alternate key is in @odata.id only, not in the body', async () => {
    const created = sb.practicehub.mutate({ resource: 'payments', action: 'create', count: 5 });
    const before = sb.dataverse.stats().requests;
    const delta = await runMigration(deps, { kind: 'delta', since: since(), parentRun: 1 });
    const after = sb.dataverse.stats().requests;
    expect(delta.rejected).toBe(0);
    const ops = [...journal.operations(delta.run.id, { mapping: 'payment', action: 'create' })];
    expect(ops.map((o) => o.sourceId).sort()).toEqual([...created].sort());
    const keys = sb.dataverse.snapshot(['fs_payment']).tables.fs_payment!.map((r) => r.fs_practicehubid);
    for (const id of created) expect(keys).toContain(`payment-${id}`);
    expect(after.bulk - before.bulk).toBe(1);
    expect(after.batch - before.batch).toBe(0);
  });

  it('writes a request Dataverse refuses for one of its rows again as a $batch: each row gets its own answer', async () => {
    const payments = [...sb.practicehub.records('payments')] as { id: string; patient_id: string }[];
    const byPatient = groupBy(payments, (p) => p.patient_id);
    const [patient, theirs] = [...byPatient].find(([, list]) => list.length >= 2)!;
    const others = payments.filter((p) => p.patient_id !== patient).slice(0, 8);
    // The patient's contact disappears from Dataverse behind the journal's back: binding it now fails.
    const contact = sb.dataverse
      .snapshot(['contact'])
      .tables.contact!.find((c) => c.fs_practicehubid === `patient-${patient}`)!;
    sb.dataverse.tamper({ table: 'contact', id: String(contact.contactid), delete: true });
    const changed = [...theirs, ...others].map((p) => p.id);
    sb.practicehub.mutate({
      resource: 'payments',
      action: 'update',
      ids: changed,
      patch: { reference: 'R2' },
    });

    const before = sb.dataverse.stats().requests;
    const delta = await runMigration(deps, { kind: 'delta', since: since(), parentRun: 1 });
    const after = sb.dataverse.stats().requests;

    const rejected = [...journal.operations(delta.run.id, { mapping: 'payment', action: 'reject' })];
    expect(rejected.map((o) => o.sourceId).sort()).toEqual(theirs.map((p) => p.id).sort());
    for (const op of rejected) {
      expect(op.reason).toContain(`contact With Id = ${String(contact.contactid)} Does Not Exist`);
      expect(op.error).toMatchObject({ code: '0x80040217' });
    }
    const updated = [...journal.operations(delta.run.id, { mapping: 'payment', action: 'update' })];
    expect(updated.map((o) => o.sourceId).sort()).toEqual(others.map((p) => p.id).sort());
    const rows = sb.dataverse.snapshot(['fs_payment']).tables.fs_payment!;
    for (const p of others)
      expect(rows.find((r) => r.fs_practicehubid === `payment-${p.id}`)?.fs_name).toContain('(R2)');
    // One UpsertMultiple, refused whole, then one $batch with a part per row: no halving.
    expect(after.bulk - before.bulk).toBe(1);
    expect(after.batch - before.batch).toBe(1);
  });
});
