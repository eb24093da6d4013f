import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../generated/transformer.ts';
import { DataverseClient, optionsFromEnv } from '../../runtime/dataverse/index.ts';
import { Journal } from '../../runtime/journal/index.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import type { Difference } from '../../runtime/reconcile/index.ts';
import { blockStart } from '../../runtime/reconcile/source.ts';
import { withArchiveLink } from '../../runtime/run/documents.ts';
import { rowId } from '../../runtime/run/ids.ts';
import type { SnapshotValue } from '../../sandbox/dataverse/index.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { diesAfter } from '../support/dies-after.ts';
import { flitstack, KEYS_ACTIVE_AT_ONCE, loadDeps, sandboxes } from '../support/migration.ts';

/*
 * Each way PracticeHub, Dataverse and the journal can part after a real run, and what reconcile says
 * of it: the record, the row and the field, and what to do next.
 */

const generated: GeneratedModule = generatedModule;
const ACCOUNT = `${generated.MIGRATION.account}.${generated.MIGRATION.region}`;

let sb: Sandboxes;
let dir: string;
let journal: string;

async function reconcile(...extra: string[]) {
  const out = join(dir, 'out');
  rmSync(join(out, 'reconcile.json'), { force: true });
  const args = ['--journal', journal, '--rate', '1000', '--out', out, ...extra];
  const res = await flitstack(sb, 'reconcile', ...args);
  expect(res.code, res.err).toBeLessThan(2);
  const report = JSON.parse(readFileSync(join(out, 'reconcile.json'), 'utf8')) as {
    differences: Difference[];
    mappings: { mapping: string; unaccounted: number; ok: boolean }[];
  };
  return { ...res, ...report };
}

/** A row as the sandbox stores it, found by its primary id. */
function row(table: string, id: string): Record<string, SnapshotValue> {
  const found = sb.dataverse.snapshot([table]).tables[table]!.find((r) => Object.values(r).includes(id));
  expect(found, `${table} ${id}`).toBeDefined();
  return found!;
}

const source = (resource: Parameters<Sandboxes['practicehub']['records']>[0], i: number) =>
  String([...sb.practicehub.records(resource)][i]!.id);

beforeAll(async () => {
  sb = await sandboxes({ scale: 0.05, dataverse: KEYS_ACTIVE_AT_ONCE });
  dir = mkdtempSync(join(tmpdir(), 'flitstack-divergences-'));
  journal = join(dir, 'journal.db');
  // Two patients at two clinics each: one connection each to the clinic that is not their parent.
  const clinics = [...sb.practicehub.records('clinics')].map((c) => String(c.id));
  sb.practicehub.mutate({
    resource: 'patients',
    action: 'update',
    ids: [source('patients', 3), source('patients', 4)],
    patch: {
      clinic_assignments: clinics.slice(0, 2).map((clinic_id, i) => ({
        clinic_id,
        updated_at: `202${i}-03-01T09:00:00Z`,
      })),
    },
  });
  expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
  const run = await flitstack(sb, 'run', '--journal', journal, '--rate', '1000');
  expect(run.code, run.err).toBe(0);
  expect((await reconcile()).code).toBe(0);
}, 60_000);

afterAll(async () => {
  await sb?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('reconcile of a value changed in Dataverse behind the run', () => {
  /** A row the run wrote, by mapping, table and record, and what a tamper sets in it. */
  interface Case {
    readonly name: string;
    readonly mapping: string;
    readonly table: string;
    readonly prefix: string;
    readonly record: () => string;
    readonly set: (row: Record<string, SnapshotValue>) => Record<string, SnapshotValue>;
    /** The fields reported; none when Dataverse holds the same value in another form. */
    readonly fields: string[];
  }
  /** The patients whose contact `where` holds, in the sandbox's order: each case tampers with its own. */
  const patients = (where: (c: Record<string, SnapshotValue>) => boolean) =>
    sb.dataverse
      .snapshot(['contact'])
      .tables.contact!.filter((c) => String(c.fs_practicehubid ?? '').startsWith('patient-') && where(c))
      .map((c) => String(c.fs_practicehubid).slice('patient-'.length));
  const manyChoices = (c: Record<string, SnapshotValue>) =>
    String(c.fs_preferredcontactmethods ?? '').includes(',');
  const withChoices = (i: number) => () => patients(manyChoices)[i]!;
  const plain = (i: number) => () =>
    patients((c) => !manyChoices(c) && c.emailaddress1 !== null && String(c.lastname).length > 2)[i]!;
  const choices = (r: Record<string, SnapshotValue>) => String(r.fs_preferredcontactmethods).split(',');
  const otherPayment = (r: Record<string, SnapshotValue>) =>
    sb.dataverse.snapshot(['fs_payment']).tables.fs_payment!.find((p) => p.fs_method !== r.fs_method)!;
  const PATIENT = { mapping: 'patient', table: 'contact', prefix: 'patient-' };
  const PAYMENT = { mapping: 'payment', table: 'fs_payment', prefix: 'payment-' };
  const APPOINTMENT = { mapping: 'appointment', table: 'appointment', prefix: 'appointment-' };
  const POLICY_NOTE = { mapping: 'policy-document', table: 'annotation', prefix: 'policy-document-' };
  const CASES: Case[] = [
    {
      name: 'a trailing space added to a text',
      ...PATIENT,
      record: plain(0),
      set: (r) => ({ lastname: `${r.lastname} ` }),
      fields: ['lastname'],
    },
    {
      name: 'a text truncated',
      ...PATIENT,
      record: plain(1),
      set: (r) => ({ lastname: String(r.lastname).slice(0, 2) }),
      fields: ['lastname'],
    },
    {
      name: 'a column emptied',
      ...PATIENT,
      record: plain(2),
      set: () => ({ emailaddress1: null }),
      fields: ['emailaddress1'],
    },
    {
      // The Web API reads a multi-select column as a collection of option values (learn.microsoft.com/
      // power-apps/developer/data-platform/multi-select-picklist): a set, whose order is no value.
      name: 'a multi-select set in another order',
      ...PATIENT,
      record: withChoices(0),
      set: (r) => ({ fs_preferredcontactmethods: choices(r).reverse().join(',') }),
      fields: [],
    },
    {
      name: 'a multi-select set with a choice fewer',
      ...PATIENT,
      record: withChoices(1),
      set: (r) => ({ fs_preferredcontactmethods: choices(r)[0]! }),
      fields: ['fs_preferredcontactmethods'],
    },
    {
      name: 'a choice changed',
      ...PAYMENT,
      record: () => source('payments', 4),
      set: (r) => ({ fs_method: otherPayment(r).fs_method! }),
      fields: ['fs_method'],
    },
    {
      name: 'a decimal changed in its last place',
      ...PAYMENT,
      record: () => source('payments', 5),
      set: (r) => ({ fs_amount: Math.round(Number(r.fs_amount) * 100 + 1) / 100 }),
      fields: ['fs_amount'],
    },
    {
      name: 'a lookup pointed at another row',
      ...PAYMENT,
      record: () => source('payments', 6),
      set: (r) => ({
        fs_patientid: {
          table: 'contact',
          id: String(
            sb.dataverse
              .snapshot(['contact'])
              .tables.contact!.find(
                (c) => c.contactid !== (r.fs_patientid as { id: string }).id && c.fs_practicehubid,
              )!.contactid,
          ),
        },
      }),
      fields: ['fs_patientid'],
    },
    {
      name: 'a date and time an hour later',
      ...APPOINTMENT,
      record: () => source('appointments', 4),
      set: (r) => ({
        scheduledstart: new Date(Date.parse(String(r.scheduledstart)) + 3_600_000).toISOString(),
      }),
      fields: ['scheduledstart'],
    },
    {
      name: 'the state of a row whose mapping sets it',
      ...APPOINTMENT,
      record: () => source('appointments', 5),
      set: (r) => ({ statecode: r.statecode === 2 ? 1 : 2 }),
      fields: ['statecode'],
    },
    {
      name: 'a note whose file went to the archive instead, its text linking to it',
      ...POLICY_NOTE,
      record: () => source('policy_documents', 1),
      set: (r) => ({
        isdocument: false,
        filename: null,
        documentbody: null,
        notetext: withArchiveLink(String(r.notetext), 1_048_576, 'https://records.example/policy.pdf'),
      }),
      fields: [],
    },
  ];

  it('names each row by its record, key and the field that differs, with what writes it again; a set of choices in another order is the same set', async () => {
    const tampered = CASES.map((c) => {
      const record = c.record();
      const id = rowId(ACCOUNT, c.table, `${c.prefix}${record}`);
      const before = row(c.table, id);
      return { c, record, id, before, set: c.set(before) };
    });
    expect(new Set(tampered.map((t) => t.id)).size).toBe(CASES.length);
    for (const t of tampered) sb.dataverse.tamper({ table: t.c.table, id: t.id, set: t.set });
    try {
      const { code, differences } = await reconcile();
      expect(code).toBe(1);
      const byRow = (a: { targetId: string | null }, b: { targetId: string | null }) =>
        String(a.targetId).localeCompare(String(b.targetId));
      expect([...differences].sort(byRow)).toEqual(
        tampered
          .filter((t) => t.c.fields.length > 0)
          .map((t) => ({
            mapping: t.c.mapping,
            sourceId: t.record,
            targetId: t.id,
            key: `${t.c.prefix}${t.record}`,
            kind: 'mismatch',
            fields: t.c.fields,
            reason: expect.stringContaining('flitstack run --rewrite'),
          }))
          .sort(byRow),
      );
    } finally {
      for (const t of tampered)
        sb.dataverse.tamper({
          table: t.c.table,
          id: t.id,
          set: Object.fromEntries(Object.keys(t.set).map((k) => [k, t.before[k]!])),
        });
    }
    expect((await reconcile()).differences).toEqual([]);
  });
});

describe('reconcile of a record changed in PracticeHub since the run', () => {
  it('says the source moved on and a delta writes it, apart from a row changed in Dataverse, which a rewrite writes again', async () => {
    const changed = source('patients', 10);
    sb.practicehub.mutate({
      resource: 'patients',
      action: 'update',
      ids: [changed],
      patch: { occupation: 'Baker' },
    });
    const tamperedRecord = source('patients', 11);
    const tampered = rowId(ACCOUNT, 'contact', `patient-${tamperedRecord}`);
    sb.dataverse.tamper({ table: 'contact', id: tampered, set: { jobtitle: 'Changed in Dynamics' } });
    const { code, out, differences } = await reconcile();
    expect(code).toBe(1);
    expect(differences).toEqual([
      {
        mapping: 'patient',
        sourceId: changed,
        targetId: rowId(ACCOUNT, 'contact', `patient-${changed}`),
        key: `patient-${changed}`,
        kind: 'mismatch',
        fields: ['jobtitle', 'fs_sourcemodifiedon'],
        reason:
          'PracticeHub changed the record after it was loaded, so the row differs from what the spec makes of it now: `flitstack delta` writes the change',
      },
      {
        mapping: 'patient',
        sourceId: tamperedRecord,
        targetId: tampered,
        key: `patient-${tamperedRecord}`,
        kind: 'mismatch',
        fields: ['jobtitle'],
        reason: expect.stringMatching(
          /^PracticeHub did not change the record since it was loaded: the row was changed in Dataverse after flitstack wrote it; .*'flitstack run --rewrite'/,
        ),
      },
    ]);
    expect(out).toContain(
      `patient-${changed}, Dataverse ${rowId(ACCOUNT, 'contact', `patient-${changed}`)} (jobtitle, fs_sourcemodifiedon) — PracticeHub changed the record`,
    );
    expect(out).not.toMatch(/Baker|Changed in Dynamics/);
    // Each next step does what it says. A payment the delta loads, and whose row is deleted in
    // Dataverse after, is a row a rewrite writes again too.
    const [created] = sb.practicehub.mutate({ resource: 'payments', action: 'create', count: 1 });
    const delta = await flitstack(sb, 'delta', '--journal', journal, '--rate', '1000');
    expect(delta.code, delta.err).toBe(0);
    const payment = rowId(ACCOUNT, 'fs_payment', `payment-${created}`);
    sb.dataverse.tamper({ table: 'fs_payment', id: payment, delete: true });
    const afterDelta = await reconcile();
    expect(afterDelta.differences).toEqual([
      expect.objectContaining({ sourceId: tamperedRecord, kind: 'mismatch' }),
      {
        mapping: 'payment',
        sourceId: created,
        targetId: payment,
        key: `payment-${created}`,
        kind: 'missing',
        fields: [],
        reason: expect.stringMatching(
          /^no such row in Dataverse, though PracticeHub did not change the record since it was loaded: .*'flitstack run --rewrite'/,
        ),
      },
    ]);
    const rewrite = await flitstack(
      sb,
      ...['run', '--journal', journal, '--rate', '1000', '--rewrite'],
      ...['--reconciled', join(dir, 'out', 'reconcile.json')],
    );
    expect(rewrite.code, rewrite.err).toBe(0);
    const repaired = await reconcile();
    expect(repaired.differences).toEqual([]);
    expect(repaired.code).toBe(0);
  });
});

describe('reconcile of a record deleted in PracticeHub whose row is gone from Dataverse too', () => {
  it('passes once a delta picked the deletion up, whether the row went before the delta or after it closed it', async () => {
    const [before, after] = [source('payments', 20), source('payments', 21)];
    const id = (record: string) => rowId(ACCOUNT, 'fs_payment', `payment-${record}`);
    sb.practicehub.mutate({ resource: 'payments', action: 'delete', ids: [before, after] });
    sb.dataverse.tamper({ table: 'fs_payment', id: id(before), delete: true });
    const delta = await flitstack(sb, 'delta', '--journal', journal, '--rate', '1000');
    expect(delta.code, delta.err).toBe(0);
    sb.dataverse.tamper({ table: 'fs_payment', id: id(after), delete: true });
    const { code, out, differences, mappings } = await reconcile();
    expect(differences).toEqual([]);
    expect(mappings.find((m) => m.mapping === 'payment')).toMatchObject({ ok: true });
    expect(code, out).toBe(0);
    // Back in PracticeHub, the record has its row again.
    sb.practicehub.mutate({ resource: 'payments', action: 'restore', ids: [before] });
    const restored = await flitstack(sb, 'delta', '--journal', journal, '--rate', '1000');
    expect(restored.code, restored.err).toBe(0);
    expect(row('fs_payment', id(before))).toMatchObject({ statecode: 0 });
    expect((await reconcile()).differences).toEqual([]);
  });
});

describe('reconcile of rows deleted or emptied in Dataverse', () => {
  it('names a note whose file was removed and a row deleted outside the block of pages it compared, and a rewrite from the report writes both again', async () => {
    const opened = Journal.open(journal, { readonly: true });
    const runId = opened.latestRun({ kind: 'run', status: 'completed' })!.id;
    opened.close();
    const { pageSize, sampleSize } = generated.MIGRATION;
    const payments = [...sb.practicehub.records('payments')];
    const pages = Math.ceil(payments.length / pageSize);
    const count = Math.min(pages, Math.ceil(sampleSize / pageSize));
    const start = blockStart('payments', runId, pages, count);
    const outside = payments.findIndex((_, i) => {
      const page = Math.floor(i / pageSize) + 1;
      return page < start || page >= start + count;
    });
    expect(outside).toBeGreaterThanOrEqual(0);
    const record = String(payments[outside]!.id);
    const id = rowId(ACCOUNT, 'fs_payment', `payment-${record}`);
    sb.dataverse.tamper({ table: 'fs_payment', id, delete: true });
    // The file removed from a migrated policy note through the Web API, as a user can: an update of
    // filename and mimetype uploads or removes a note's attachment (learn.microsoft.com/power-apps/
    // developer/data-platform/annotation-note-entity).
    const policy = String([...sb.practicehub.records('policy_documents')][0]!.id);
    const note = rowId(ACCOUNT, 'annotation', `policy-document-${policy}`);
    expect(row('annotation', note)).toMatchObject({ isdocument: true });
    const client = new DataverseClient(optionsFromEnv(sb.env));
    try {
      await client.update('annotations', note, { filename: null, mimetype: null, documentbody: null });
    } finally {
      await client.close();
    }
    const { code, differences } = await reconcile('--checksums', 'sample');
    expect(code).toBe(1);
    expect(differences).toEqual([
      {
        mapping: 'policy-document',
        sourceId: policy,
        targetId: note,
        key: `policy-document-${policy}`,
        kind: 'mismatch',
        fields: ['isdocument'],
        reason: expect.stringContaining("'flitstack run --rewrite'"),
      },
      {
        mapping: 'payment',
        sourceId: record,
        targetId: id,
        key: `payment-${record}`,
        kind: 'absent',
        fields: [],
        reason: expect.stringMatching(
          /deleted in Dataverse after flitstack wrote it; .*'flitstack run --rewrite'/,
        ),
      },
    ]);
    const rewrite = await flitstack(
      sb,
      ...['run', '--journal', journal, '--rate', '1000', '--rewrite'],
      ...['--reconciled', join(dir, 'out', 'reconcile.json')],
    );
    expect(rewrite.code, rewrite.err).toBe(0);
    expect(row('fs_payment', id)).toMatchObject({ statecode: 0 });
    expect(row('annotation', note)).toMatchObject({ isdocument: true });
    expect((await reconcile('--checksums', 'sample')).code).toBe(0);
  });
});

describe('reconcile of a run that did not complete', () => {
  it('checks the records the run did not reach against the run before it, and says it stopped and what continues it', async () => {
    const created = sb.practicehub.mutate({ resource: 'payments', action: 'create', count: 2 });
    const opened = Journal.open(journal);
    const deps = loadDeps(sb, opened, generated, dir);
    const before = opened.latestRun({ kind: 'run', status: 'completed' })!.id;
    try {
      // Killed at its first request about payments: every mapping loaded before them is journaled.
      const stopped = await diesAfter(
        deps,
        sb.env,
        (requests) => requests.some((r) => r.path.startsWith('fs_payments')),
        {},
        () => opened.interruptOwnRuns(),
      );
      expect(stopped.status).toBe('interrupted');
      const latest = await reconcile();
      expect(latest.err).toContain(
        `note: run ${stopped.id}, started after run ${before}, is interrupted, not completed: reconcile checks run ${before}, and records only run ${stopped.id} wrote count as no run's until \`flitstack run\` of the same spec continues it`,
      );
      const of = await reconcile('--run', String(stopped.id));
      expect(of.code).toBe(1);
      expect(of.out).toMatch(new RegExp(`^reconcile of run ${stopped.id} \\(interrupted\\): FAILED`));
      expect(of.err).toContain(
        `note: run ${stopped.id} is interrupted, not completed: the records it did not reach are checked against the completed runs before it; \`flitstack run\` of the same spec continues it`,
      );
      // Only the payments no run wrote are unaccounted: those the run did not reach the run before
      // it accounted for.
      const unaccounted = of.differences.filter((d) => d.kind === 'unaccounted');
      expect(unaccounted.map((d) => d.sourceId).sort()).toEqual([...created].sort());
      expect(of.mappings.filter((m) => m.unaccounted > 0).map((m) => m.mapping)).toEqual(['payment']);
    } finally {
      opened.close();
      await Promise.all([deps.dataverse.close(), deps.practicehub.close()]);
    }
  });
});
