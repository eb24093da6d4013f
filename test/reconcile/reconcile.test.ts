import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IrSchemaPlan } from '../../compiler/ir/types.ts';
import * as generatedModule from '../../generated/transformer.ts';
import { DataverseClient, optionsFromEnv } from '../../runtime/dataverse/index.ts';
import { Journal } from '../../runtime/journal/index.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import { reconcile } from '../../runtime/reconcile/index.ts';
import { rowId } from '../../runtime/run/ids.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { clients, flitstack, KEYS_ACTIVE_AT_ONCE, sandboxes } from '../support/migration.ts';
import { ROOT } from '../support/tmp.ts';

const generated: GeneratedModule = generatedModule;
const ACCOUNT = `${generated.MIGRATION.account}.${generated.MIGRATION.region}`;
/** The next step of a row changed in Dataverse though its record did not change in PracticeHub. */
const REWRITTEN =
  "PracticeHub did not change the record since it was loaded: the row was changed in Dataverse after flitstack wrote it; a run leaves it alone while what the spec makes of the record is unchanged: 'flitstack run --rewrite'";

interface Report {
  ok: boolean;
  mappings: {
    mapping: string;
    source: number;
    held: number;
    crosswalk: number;
    dataverse: number;
    extra: number;
    differing: number;
    ok: boolean;
    defective: boolean;
  }[];
  differences: {
    mapping: string;
    sourceId: string | null;
    targetId: string | null;
    kind: string;
    fields: string[];
  }[];
}

let sb: Sandboxes;
let dir: string;
let journal: string;
let dataverse: DataverseClient;

const reconcileArgs = () => ['reconcile', '--journal', journal, '--rate', '1000', '--out', join(dir, 'out')];

async function reconcileCli(...extra: string[]) {
  // A report left by an earlier call must not pass for this one's.
  rmSync(join(dir, 'out', 'reconcile.json'), { force: true });
  const res = await flitstack(sb, ...reconcileArgs(), ...extra);
  const report = JSON.parse(readFileSync(join(dir, 'out', 'reconcile.json'), 'utf8')) as Report;
  return { ...res, report };
}

beforeAll(async () => {
  sb = await sandboxes({ scale: 0.1, dataverse: KEYS_ACTIVE_AT_ONCE });
  dir = mkdtempSync(join(tmpdir(), 'flitstack-reconcile-'));
  journal = join(dir, 'journal.db');
  dataverse = new DataverseClient(optionsFromEnv(sb.env));
  expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
  const run = await flitstack(
    sb,
    'run',
    '--journal',
    journal,
    '--rate',
    '1000',
    '--archive-dir',
    join(dir, 'archive'),
  );
  expect(run.code).toBe(0);
}, 90_000);

afterAll(async () => {
  await dataverse?.close();
  await sb?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('flitstack reconcile', () => {
  it('passes after a clean run: every count agrees and every row holds what the spec says', async () => {
    const { code, out, report } = await reconcileCli();
    expect(code).toBe(0);
    expect(out).toContain('passed');
    expect(report.ok).toBe(true);
    expect(report.differences).toEqual([]);
    const patients = sb.practicehub.counts().patients;
    const patient = report.mappings.find((m) => m.mapping === 'patient')!;
    expect(patient).toMatchObject({
      source: patients,
      crosswalk: patients,
      dataverse: patients,
      differing: 0,
    });
    for (const m of report.mappings) expect(m.dataverse, m.mapping).toBe(m.crosswalk);
    const md = readFileSync(join(dir, 'out', 'reconcile.md'), 'utf8');
    expect(md).toContain('passed');
    expect(md).toContain('| patient |');
  });

  it('fails with exit 1 on a row changed behind its back, naming the record, the row and the field', async () => {
    const patient = [...sb.practicehub.records('patients')][7]!;
    const id = rowId(ACCOUNT, 'contact', `patient-${patient.id}`);
    const before = await dataverse.retrieve<{ jobtitle: string | null }>('contacts', id, ['jobtitle']);
    // A plain PATCH through the Web API, as anyone with access could make.
    await dataverse.update('contacts', id, { jobtitle: 'Changed in Dynamics' });
    try {
      const { code, out, report } = await reconcileCli();
      expect(code).toBe(1);
      expect(report.ok).toBe(false);
      expect(report.differences).toEqual([
        {
          mapping: 'patient',
          sourceId: String(patient.id),
          targetId: id,
          key: `patient-${patient.id}`,
          kind: 'mismatch',
          fields: ['jobtitle'],
          reason: expect.stringContaining(REWRITTEN),
        },
      ]);
      expect(out).toContain(
        `patient record ${patient.id}, row patient-${patient.id}, Dataverse ${id} (jobtitle)`,
      );
      expect(out).not.toContain('Changed in Dynamics');
      expect(report.mappings.find((m) => m.mapping === 'patient')).toMatchObject({
        differing: 1,
        ok: false,
        defective: true,
      });
    } finally {
      await dataverse.update('contacts', id, { jobtitle: before?.jobtitle ?? null });
    }
    expect((await reconcileCli()).code).toBe(0);
  });

  it('fails on a row deactivated behind its back, though its mapping sets no state: the row of a listed record is active', async () => {
    // A patient with a primary insurance policy: insurance writes onto the same contact, which is not
    // its own, so only patient reports the state.
    const insured = new Set(
      [...sb.practicehub.records('insurance_policies')]
        .filter((p) => p.is_primary === true)
        .map((p) => String(p.patient_id)),
    );
    const patient = [...sb.practicehub.records('patients')].find((p) => insured.has(String(p.id)))!;
    const contact = rowId(ACCOUNT, 'contact', `patient-${patient.id}`);
    const payment = [...sb.practicehub.records('payments')][5]!;
    const row = rowId(ACCOUNT, 'fs_payment', `payment-${payment.id}`);
    // Plain PATCHes through the Web API, as anyone with access could make.
    await dataverse.update('contacts', contact, { statecode: 1, statuscode: 2 });
    await dataverse.update('fs_payments', row, { statecode: 1, statuscode: 2 });
    try {
      const { code, out, report } = await reconcileCli();
      expect(code).toBe(1);
      expect(report.differences).toEqual([
        {
          mapping: 'patient',
          sourceId: String(patient.id),
          targetId: contact,
          key: `patient-${patient.id}`,
          kind: 'mismatch',
          fields: ['statecode'],
          reason: expect.stringContaining(REWRITTEN),
        },
        {
          mapping: 'payment',
          sourceId: String(payment.id),
          targetId: row,
          key: `payment-${payment.id}`,
          kind: 'mismatch',
          fields: ['statecode'],
          reason: expect.stringContaining(REWRITTEN),
        },
      ]);
      expect(out).toContain(
        `mismatch: patient record ${patient.id}, row patient-${patient.id}, Dataverse ${contact} (statecode)`,
      );
      const md = readFileSync(join(dir, 'out', 'reconcile.md'), 'utf8');
      expect(md).toContain(
        `- patient record ${patient.id}, row patient-${patient.id}, Dataverse row \`${contact}\`: mismatch (statecode)`,
      );
      expect(report.mappings.find((m) => m.mapping === 'patient')).toMatchObject({
        differing: 1,
        ok: false,
        defective: true,
      });
      expect(report.mappings.find((m) => m.mapping === 'insurance')).toMatchObject({
        differing: 0,
        ok: true,
      });
    } finally {
      await dataverse.update('contacts', contact, { statecode: 0, statuscode: 1 });
      await dataverse.update('fs_payments', row, { statecode: 0, statuscode: 1 });
    }
    expect((await reconcileCli()).code).toBe(0);
  });

  it('names a matched row without its key: the key of staff matched on their email is a value', async () => {
    const j = Journal.open(journal, { readonly: true });
    const op = [...j.operations(1, { mapping: 'staff-user' })].find((o) => o.targetId !== null)!;
    j.close();
    const id = op.targetId!;
    const user = await dataverse.retrieve<{ fs_specialization: string | null; internalemailaddress: string }>(
      'systemusers',
      id,
      ['fs_specialization', 'internalemailaddress'],
    );
    await dataverse.update('systemusers', id, { fs_specialization: 'Changed in Dynamics' });
    try {
      const { code, out } = await reconcileCli();
      expect(code).toBe(1);
      const json = readFileSync(join(dir, 'out', 'reconcile.json'), 'utf8');
      const md = readFileSync(join(dir, 'out', 'reconcile.md'), 'utf8');
      expect((JSON.parse(json) as Report).differences).toEqual([
        expect.objectContaining({
          mapping: 'staff-user',
          targetId: id,
          key: null,
          fields: ['fs_specialization'],
        }),
      ]);
      for (const text of [json, md, out]) expect(text).not.toContain(user!.internalemailaddress);
    } finally {
      await dataverse.update('systemusers', id, { fs_specialization: user?.fs_specialization ?? null });
    }
  });

  it('fails on rows in the migration’s tables or key namespace that the crosswalk does not hold', async () => {
    // Made through the Web API, as anyone with access could: a contact with a patient key, a payment
    // (a table the spec creates) with no key at all, and a contact outside the namespace.
    const contact = await dataverse.create('contacts', {
      lastname: 'Extra',
      fs_practicehubid: 'patient-999999999',
    });
    const payment = await dataverse.create('fs_payments', { fs_name: 'Extra payment' });
    const other = await dataverse.create('contacts', { lastname: 'Someone else' });
    try {
      const { code, out, report } = await reconcileCli('--checksums', 'sample');
      expect(code).toBe(1);
      expect(report.ok).toBe(false);
      expect(report.differences).toEqual([
        expect.objectContaining({
          mapping: 'patient',
          sourceId: null,
          targetId: contact,
          key: 'patient-999999999',
          kind: 'extra',
          reason:
            'contact holds the row but the crosswalk does not, so no run of this journal wrote it and a rollback would not remove it: find out who created it (someone in Dataverse, or a run of another journal) and delete it in Dataverse if it does not belong',
        }),
        expect.objectContaining({ mapping: 'payment', sourceId: null, targetId: payment, kind: 'extra' }),
      ]);
      const patient = report.mappings.find((m) => m.mapping === 'patient')!;
      expect(patient).toMatchObject({ extra: 1, ok: false, defective: false });
      expect(patient.dataverse).toBe(patient.crosswalk);
      expect(report.mappings.find((m) => m.mapping === 'payment')).toMatchObject({ extra: 1, ok: false });
      expect(report.mappings.filter((m) => m.extra > 0).map((m) => m.mapping)).toEqual([
        'patient',
        'payment',
      ]);
      expect(out).toContain(`extra: patient row patient-999999999, Dataverse ${contact}`);
      expect(out).toContain(`extra: payment row, Dataverse ${payment}`);
      expect(out).toMatch(/patient: .*extra 1.* — 1 rows in Dataverse the crosswalk does not hold/);
      expect(out).toContain('extra rows not looked for in patient-clinic (connection)');
      const md = readFileSync(join(dir, 'out', 'reconcile.md'), 'utf8');
      expect(md).toContain(`- patient row patient-999999999, Dataverse row \`${contact}\`: extra`);
      expect(md).toContain(`- payment row, Dataverse row \`${payment}\`: extra`);
      expect(md).toMatch(/- clinical-note \(annotation\): its row ids are derived from the key/);
      for (const text of [out, md]) expect(text).not.toMatch(/Extra payment|Someone else|lastname/);
      // Extra rows are no run's: a rollback would not remove them, so none is made.
      const kept = await reconcileCli('--checksums', 'sample', '--rollback-on-fail');
      expect(kept.code).toBe(1);
      expect(kept.err).toContain('the 2 extra rows are not in the crosswalk');
      expect(kept.err).not.toContain('rolling back');
    } finally {
      await dataverse.delete('contacts', contact);
      await dataverse.delete('fs_payments', payment);
      await dataverse.delete('contacts', other);
    }
    const clean = await reconcileCli('--checksums', 'sample');
    expect(clean.code).toBe(0);
    expect(clean.report.mappings.every((m) => m.extra === 0)).toBe(true);
  });

  it('shows a source record changed since the run (not yet picked up) as a difference', async () => {
    const appointment = [...sb.practicehub.records('appointments')][11]!;
    sb.practicehub.mutate({
      resource: 'appointments',
      action: 'update',
      ids: [String(appointment.id)],
      patch: { notes: 'Rebooked by phone' },
    });
    const { code, report } = await reconcileCli('--checksums', 'all');
    expect(code).toBe(1);
    const found = report.differences.filter((d) => d.mapping === 'appointment');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      sourceId: String(appointment.id),
      targetId: rowId(ACCOUNT, 'appointment', `appointment-${appointment.id}`),
      kind: 'mismatch',
    });
    expect(found[0]!.fields).toContain('description');
    // The source moved on; the migration did nothing wrong: --rollback-on-fail leaves the run alone.
    const rows = sb.dataverse.snapshot(['appointment']).tables.appointment!.length;
    const kept = await reconcileCli('--checksums', 'all', '--rollback-on-fail');
    expect(kept.code).toBe(1);
    expect(kept.err).toMatch(
      /run \d+ is not rolled back: what differs is what PracticeHub created, changed or deleted since/,
    );
    expect(kept.report.mappings.find((m) => m.mapping === 'appointment')).toMatchObject({
      ok: false,
      defective: false,
    });
    expect(sb.dataverse.snapshot(['appointment']).tables.appointment).toHaveLength(rows);
  });

  it('holds the differences against the tolerance: one appointment in many passes at 1%', async () => {
    const plan = JSON.parse(
      readFileSync(join(ROOT, 'generated', 'schema-plan.json'), 'utf8'),
    ) as IrSchemaPlan;
    const lenient = { ...generated, MIGRATION: { ...generated.MIGRATION, tolerance: 0.01 } };
    const { practicehub, dataverse: client } = clients(sb);
    const opened = Journal.open(journal, { readonly: true });
    try {
      const run = opened.runs().at(-1)!;
      const deps = { plan, practicehub, dataverse: client, journal: opened, account: ACCOUNT };
      const strict = await reconcile({ ...deps, module: generated }, { run });
      expect(strict.ok).toBe(false);
      const appointment = strict.mappings.find((m) => m.mapping === 'appointment')!;
      expect(appointment.differing).toBe(1);
      expect(appointment.shares.fields).toBeCloseTo(1 / appointment.checked);
      expect(appointment.shares.fields).toBeLessThan(0.01);
      const loose = await reconcile({ ...deps, module: lenient }, { run });
      expect(loose.ok).toBe(true);
      expect(loose.differences).toHaveLength(1);
    } finally {
      opened.close();
      await Promise.all([practicehub.close(), client.close()]);
    }
  });

  it('compares a group with the record a new latest one would load, not the one loaded before', async () => {
    const opened = Journal.open(journal, { readonly: true });
    const loaded = [
      ...opened.operations(opened.runs()[0]!.id, { mapping: 'training-record', action: 'update' }),
    ];
    opened.close();
    expect(loaded.length).toBeGreaterThan(0);
    const staffId = loaded[0]!.key!.slice('staff-'.length);
    const [newest] = sb.practicehub.mutate({
      resource: 'training_records',
      action: 'create',
      patch: { staff_id: staffId, course_name: 'Manual handling', completed_on: '2099-01-01' },
    });
    const { code, report } = await reconcileCli();
    expect(code).toBe(1);
    const found = report.differences.filter((d) => d.mapping === 'training-record');
    expect(found).toEqual([
      expect.objectContaining({
        sourceId: newest,
        kind: 'mismatch',
        key: `staff-${staffId}`,
        reason:
          'PracticeHub created the record after the runs reconciled, so the row differs from what the spec makes of it now: `flitstack delta` writes the change',
      }),
      expect.objectContaining({ sourceId: newest, kind: 'unaccounted', key: null }),
    ]);
    expect(found[0]!.fields).toEqual(
      expect.arrayContaining(['fs_lasttrainingdate', 'fs_lasttrainingcourse']),
    );
  });

  it('counts a row deleted behind its back as missing in Dataverse', async () => {
    const payment = [...sb.practicehub.records('payments')][3]!;
    const id = rowId(ACCOUNT, 'fs_payment', `payment-${payment.id}`);
    await dataverse.delete('fs_payments', id);
    const { code, report } = await reconcileCli('--checksums', 'sample');
    expect(code).toBe(1);
    const m = report.mappings.find((x) => x.mapping === 'payment')!;
    expect(m.crosswalk - m.dataverse).toBe(1);
    expect(
      report.differences.some((d) => d.targetId === id && (d.kind === 'absent' || d.kind === 'missing')),
    ).toBe(true);
  });

  it('counts records created or deleted in PracticeHub since the run, until a delta picks them up', async () => {
    const [created] = sb.practicehub.mutate({ resource: 'patients', action: 'create', count: 1 });
    const prescription = String([...sb.practicehub.records('prescriptions')][5]!.id);
    sb.practicehub.mutate({ resource: 'prescriptions', action: 'delete', ids: [prescription] });
    const before = await reconcileCli();
    expect(before.code).toBe(1);
    const counted = (r: Report, name: string) => r.mappings.find((m) => m.mapping === name)!;
    expect(counted(before.report, 'patient')).toMatchObject({ unaccounted: 1, orphaned: 0, ok: false });
    expect(counted(before.report, 'prescription')).toMatchObject({ unaccounted: 0, orphaned: 1, ok: false });
    expect(before.report.differences).toContainEqual(
      expect.objectContaining({
        mapping: 'patient',
        sourceId: created,
        kind: 'missing',
        reason:
          'no such row in Dataverse, and PracticeHub created the record after the runs reconciled: `flitstack delta` writes it',
      }),
    );
    expect(before.report.differences).toContainEqual(
      expect.objectContaining({ mapping: 'prescription', sourceId: prescription, kind: 'orphan' }),
    );
    // The record no run accounted for is named, with what to do, on stdout and in reconcile.md.
    expect(before.report.differences).toContainEqual(
      expect.objectContaining({ mapping: 'patient', sourceId: created, kind: 'unaccounted' }),
    );
    expect(before.out).toContain(
      `unaccounted: patient record ${created} — PracticeHub lists patients record ${created} but no run accounted for it: run \`flitstack run\` again`,
    );
    const md = readFileSync(join(dir, 'out', 'reconcile.md'), 'utf8');
    expect(md).toContain(
      `- patient record ${created}: unaccounted. PracticeHub lists patients record ${created}`,
    );
    const delta = await flitstack(
      sb,
      ...['delta', '--journal', journal, '--rate', '1000', '--archive-dir', join(dir, 'archive')],
    );
    expect(delta.code).toBe(0);
    const after = await reconcileCli();
    expect(counted(after.report, 'patient')).toMatchObject({ unaccounted: 0, differing: 0, ok: true });
    expect(counted(after.report, 'prescription')).toMatchObject({ orphaned: 0, ok: true });
    // The delta also picked up the appointment changed in PracticeHub.
    expect(counted(after.report, 'appointment')).toMatchObject({ differing: 0, ok: true });
    // The delta itself reconciles too: the records its base run saw are accounted for, and with
    // checksums on a block of pages the count holds the delta's new record and its deletion.
    const opened = Journal.open(journal, { readonly: true });
    const deltaId = opened.runs().find((r) => r.kind === 'delta')!.id;
    opened.close();
    for (const checksums of ['all', 'sample']) {
      const ofDelta = await reconcileCli('--run', String(deltaId), '--checksums', checksums);
      for (const name of ['patient', 'prescription', 'appointment'])
        expect(counted(ofDelta.report, name), `${name}, ${checksums}`).toMatchObject({
          unaccounted: 0,
          orphaned: 0,
          ok: true,
        });
    }
    const sampled = await reconcileCli('--checksums', 'sample');
    expect(counted(sampled.report, 'patient')).toMatchObject({ unaccounted: 0, ok: true });
    expect(counted(sampled.report, 'prescription')).toMatchObject({ unaccounted: 0, ok: true });
  });

  describe('a patient a delta updated, then deleted in PracticeHub', () => {
    let patient: string;
    let deltaIds: number[];
    const counted = (r: Report, name: string) => r.mappings.find((m) => m.mapping === name)!;
    const delta = async () => {
      const res = await flitstack(
        sb,
        ...['delta', '--journal', journal, '--rate', '1000', '--archive-dir', join(dir, 'archive')],
      );
      expect(res.code).toBe(0);
      const opened = Journal.open(journal, { readonly: true });
      deltaIds = opened
        .runs()
        .filter((r) => r.kind === 'delta')
        .map((r) => r.id);
      opened.close();
    };

    it('is an orphan while its row stays active, though a later delta journaled its update', async () => {
      patient = String([...sb.practicehub.records('patients')][20]!.id);
      sb.practicehub.mutate({
        resource: 'patients',
        action: 'update',
        ids: [patient],
        patch: { first_name: 'Renamed' },
      });
      // The note of two parts shortened to one: the delta deletes the second part of a note still there.
      const opened = Journal.open(journal, { readonly: true });
      const twoParts = opened.crosswalk.ofMapping('clinical-note').find((r) => r.key.endsWith('-part-2'))!;
      opened.close();
      sb.practicehub.mutate({
        resource: 'clinical_notes',
        action: 'update',
        ids: [twoParts.sourceId],
        patch: { body: 'Reviewed; no further action.' },
      });
      await delta();
      const note = [...sb.practicehub.records('clinical_notes')]
        .map((n) => String(n.id))
        .find((id) => id !== twoParts.sourceId)!;
      sb.practicehub.mutate({ resource: 'patients', action: 'delete', ids: [patient] });
      sb.practicehub.mutate({ resource: 'clinical_notes', action: 'delete', ids: [note] });
      const { code, out, report } = await reconcileCli();
      expect(code).toBe(1);
      expect(report.differences).toContainEqual(
        expect.objectContaining({ mapping: 'patient', sourceId: patient, kind: 'orphan' }),
      );
      const m = counted(report, 'patient');
      expect(m).toMatchObject({ orphaned: 1, held: m.source + 1, ok: false });
      expect(out).toContain(`PracticeHub counts ${m.source} records, the journal holds ${m.source + 1}`);
    });

    it('fails the count with checksums on a block of pages, and finds the orphan among the records PracticeHub lists as deleted since', async () => {
      // Clinical notes span more pages than the block: the note deleted since is found among the records
      // changed since the run, and the shortened note (a row deleted of a record still there) must not
      // make up for it.
      const { code, out, report } = await reconcileCli('--checksums', 'sample');
      expect(code).toBe(1);
      const m = counted(report, 'clinical-note');
      expect(m).toMatchObject({ orphaned: 1, held: m.source + 1, ok: false });
      expect(out).toMatch(
        new RegExp(
          `clinical-note: .* — 1 rows of records PracticeHub no longer lists, PracticeHub counts ${m.source} records, the journal holds ${m.source + 1}`,
        ),
      );
    });

    it('is accounted for once a delta deactivated it, reconciling that delta or the run before it', async () => {
      await delta();
      const ofDelta = await reconcileCli('--run', String(deltaIds.at(-1)));
      for (const name of ['patient', 'clinical-note'])
        expect(counted(ofDelta.report, name), name).toMatchObject({ orphaned: 0, unaccounted: 0, ok: true });
      expect(counted(ofDelta.report, 'patient').held).toBe(counted(ofDelta.report, 'patient').source);
      expect(ofDelta.report.differences.filter((d) => d.sourceId === patient)).toEqual([]);
      const ofRun = await reconcileCli('--checksums', 'sample');
      for (const name of ['patient', 'clinical-note'])
        expect(counted(ofRun.report, name), name).toMatchObject({ orphaned: 0, ok: true });
    });
  });

  it('rolls the run back with --rollback-on-fail, unless a later delta builds on it', async () => {
    // The payment deleted behind its back still fails the reconciliation; the delta builds on the run.
    const refused = await flitstack(sb, ...reconcileArgs(), '--rollback-on-fail');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/run \d+ was not rolled back/);
    expect(sb.dataverse.snapshot(['fs_payment']).tables.fs_payment!.length).toBeGreaterThan(100);
    const opened = Journal.open(journal, { readonly: true });
    const [full, ...deltas] = opened.runs();
    opened.close();
    // The latest first: a delta builds on the one before it.
    for (const delta of deltas.reverse())
      expect((await flitstack(sb, 'rollback', '--journal', journal, '--run', String(delta.id))).code).toBe(0);
    const rolled = await flitstack(sb, ...reconcileArgs(), '--rollback-on-fail');
    expect(rolled.code).toBe(1);
    // Rows the tests above changed through the Web API (then set back) changed after the run wrote
    // them: the rollback leaves them, with the rows they point to, and says so.
    expect(rolled.err).toMatch(new RegExp(`rollback \\d+ of run ${full!.id} failed`));
    expect(rolled.err).toMatch(/rows were left as they are/);
    expect(rolled.err).toMatch(/patient contact \S+, not deleted: the row changed in Dataverse/);
    const discarded = await flitstack(
      sb,
      'rollback',
      '--journal',
      journal,
      '--run',
      String(full!.id),
      '--discard-changes',
    );
    expect(discarded.code).toBe(0);
    expect(discarded.out).toMatch(new RegExp(`rollback \\d+ of run ${full!.id} completed \\(resumed\\)`));
    const after = sb.dataverse.snapshot(['fs_payment', 'appointment', 'contact']).tables;
    expect(after.fs_payment).toEqual([]);
    expect(after.appointment).toEqual([]);
    expect(after.contact!.filter((c) => String(c.fs_practicehubid ?? '').startsWith('patient-'))).toEqual([]);
  });
});
