import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../../generated/transformer.ts';
import { runMigration } from '../../../runtime/run/pipeline.ts';
import { groupBy } from '../../../runtime/shared/group.ts';
import { type Migrated, migrated } from '../../support/migration.ts';

let m: Migrated;
beforeAll(async () => {
  m = await migrated(generatedModule, 37);
}, 60_000);
afterAll(() => m?.close());

/** Payments go to fs_payment, a custom table, through UpsertMultiple (reference §3.1). */
describe('bulk writes', () => {
  it('creates new rows with one UpsertMultiple: the alternate key is in @odata.id only, not in the body', async () => {
    const created = m.sb.practicehub.mutate({ resource: 'payments', action: 'create', count: 5 });
    const before = m.sb.dataverse.stats().requests;
    const delta = await runMigration(m.deps, { kind: 'delta', since: m.since(), parentRun: 1 });
    const after = m.sb.dataverse.stats().requests;
    expect(delta.rejected).toBe(0);
    const ops = [...m.journal.operations(delta.run.id, { mapping: 'payment', action: 'create' })];
    expect(ops.map((o) => o.sourceId).sort()).toEqual([...created].sort());
    const keys = m.sb.dataverse.snapshot(['fs_payment']).tables.fs_payment!.map((r) => r.fs_practicehubid);
    for (const id of created) expect(keys).toContain(`payment-${id}`);
    expect(after.bulk - before.bulk).toBe(1);
    // One $batch: the look for the rows to create (GET parts, existing.ts), none of them found.
    expect(after.batch - before.batch).toBe(1);
    expect(m.journal.operations(delta.run.id, { mapping: 'payment', action: 'update' }).next().done).toBe(
      true,
    );
  });

  it('writes a request Dataverse refuses for one of its rows again as a $batch: each row gets its own answer', async () => {
    const payments = [...m.sb.practicehub.records('payments')] as { id: string; patient_id: string }[];
    const byPatient = groupBy(payments, (p) => p.patient_id);
    const [patient, theirs] = [...byPatient].find(([, list]) => list.length >= 2)!;
    const others = payments.filter((p) => p.patient_id !== patient).slice(0, 8);
    // The patient's contact disappears from Dataverse behind the journal's back: binding it now fails.
    const contact = m.sb.dataverse
      .snapshot(['contact'])
      .tables.contact!.find((c) => c.fs_practicehubid === `patient-${patient}`)!;
    m.sb.dataverse.tamper({ table: 'contact', id: String(contact.contactid), delete: true });
    const changed = [...theirs, ...others].map((p) => p.id);
    m.sb.practicehub.mutate({
      resource: 'payments',
      action: 'update',
      ids: changed,
      patch: { reference: 'R2' },
    });

    const before = m.sb.dataverse.stats().requests;
    const delta = await runMigration(m.deps, { kind: 'delta', since: m.since(), parentRun: 1 });
    const after = m.sb.dataverse.stats().requests;

    const rejected = [...m.journal.operations(delta.run.id, { mapping: 'payment', action: 'reject' })];
    expect(rejected.map((o) => o.sourceId).sort()).toEqual(theirs.map((p) => p.id).sort());
    for (const op of rejected) {
      expect(op.reason).toContain(`contact With Id = ${String(contact.contactid)} Does Not Exist`);
      expect(op.error).toMatchObject({ code: '0x80040217' });
    }
    const updated = [...m.journal.operations(delta.run.id, { mapping: 'payment', action: 'update' })];
    expect(updated.map((o) => o.sourceId).sort()).toEqual(others.map((p) => p.id).sort());
    const rows = m.sb.dataverse.snapshot(['fs_payment']).tables.fs_payment!;
    for (const p of others)
      expect(rows.find((r) => r.fs_practicehubid === `payment-${p.id}`)?.fs_name).toContain('(R2)');
    // One UpsertMultiple, refused whole, then one $batch with a part per row: no halving; and one
    // $batch reading the refused rows, whose values mask what Dataverse's refusals quote.
    expect(after.bulk - before.bulk).toBe(1);
    expect(after.batch - before.batch).toBe(2);
  });
});
