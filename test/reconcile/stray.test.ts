import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IrSchemaPlan } from '../../compiler/ir/types.ts';
import * as generatedModule from '../../generated/transformer.ts';
import { compareRun, generatedOracle, type RecordComparison } from '../../runtime/compare/index.ts';
import { DataverseClient, optionsFromEnv } from '../../runtime/dataverse/index.ts';
import { Journal } from '../../runtime/journal/index.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import { rowId } from '../../runtime/run/ids.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { flitstack, sandboxes } from '../support/migration.ts';
import { ROOT } from '../support/tmp.ts';

/*
 * A record that still produces rows, but fewer than a run wrote: a patient who leaves one of three
 * clinics (one connection fewer), a clinical note shortened to one part. Dataverse and the crosswalk
 * keep the rows it no longer produces, and reconcile must say so.
 */

const generated: GeneratedModule = generatedModule;
const ACCOUNT = `${generated.MIGRATION.account}.${generated.MIGRATION.region}`;

interface Difference {
  mapping: string;
  sourceId: string | null;
  targetId: string | null;
  key: string | null;
  kind: string;
  fields: string[];
  reason?: string;
}

type Assignment = { readonly clinic_id: string; readonly updated_at: string };

let sb: Sandboxes;
let dir: string;
let journal: string;
/** Two patients at three clinics (the sandbox has two at this scale; a third is created). */
let atThree: string[];
/** The connection the first patient no longer produces, once it left a clinic. */
let leftBehind: { readonly key: string; readonly targetId: string } | undefined;
/** The clinical note shortened to one part. */
let shortened: string | undefined;

async function reconcileCli() {
  const out = join(dir, 'out');
  rmSync(join(out, 'reconcile.json'), { force: true });
  const res = await flitstack(sb, 'reconcile', '--journal', journal, '--rate', '1000', '--out', out);
  const report = JSON.parse(readFileSync(join(out, 'reconcile.json'), 'utf8')) as {
    differences: Difference[];
  };
  return { ...res, differences: report.differences, md: readFileSync(join(out, 'reconcile.md'), 'utf8') };
}

/** How the records of patients and clinical notes compare now, by mapping and source id. */
async function comparisons(): Promise<(mapping: string, id: string) => RecordComparison | undefined> {
  const plan = JSON.parse(readFileSync(join(ROOT, 'generated', 'schema-plan.json'), 'utf8')) as IrSchemaPlan;
  const opened = Journal.open(journal, { readonly: true });
  const dataverse = new DataverseClient(optionsFromEnv(sb.env));
  try {
    const found = await compareRun(
      { module: generated, plan, journal: opened, dataverse, account: ACCOUNT },
      {
        runId: opened.runs()[0]!.id,
        records: new Map(
          (['patients', 'clinical_notes'] as const).map((r) => [r, [...sb.practicehub.records(r)]]),
        ),
        oracle: generatedOracle,
        claims: 'order',
        staffEmail: (id) => opened.staff.get(id),
      },
    );
    return (mapping, id) => found.find((c) => c.mapping === mapping && c.sourceId === id);
  } finally {
    opened.close();
    await dataverse.close();
  }
}

beforeAll(async () => {
  sb = await sandboxes({ scale: 0.05 });
  dir = mkdtempSync(join(tmpdir(), 'flitstack-stray-'));
  journal = join(dir, 'journal.db');
  const clinics = [...sb.practicehub.records('clinics')].map((c) => String(c.id));
  const [created] = sb.practicehub.mutate({ resource: 'clinics', action: 'create' });
  const assignments: Assignment[] = [...clinics.slice(0, 2), created!].map((clinic_id, i) => ({
    clinic_id,
    updated_at: `202${i}-03-01T09:00:00Z`,
  }));
  atThree = [...sb.practicehub.records('patients')].slice(3, 5).map((p) => String(p.id));
  sb.practicehub.mutate({
    resource: 'patients',
    action: 'update',
    ids: atThree,
    patch: { clinic_assignments: assignments },
  });
  expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
  const run = await flitstack(sb, 'run', '--journal', journal, '--rate', '1000');
  expect(run.code).toBe(0);
}, 90_000);

afterAll(async () => {
  await sb?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('reconcile of records that produce fewer rows than a run wrote', () => {
  it('reports the rows left behind as unexpected, beside what the remaining rows hold', async () => {
    const [id, untouched] = atThree as [string, string];
    const assignments = sb.practicehub.get('patients', id)!.clinic_assignments as readonly Assignment[];
    expect(assignments).toHaveLength(3);
    // The most recent clinic is the parent account, not a connection: the patient leaves another one,
    // so one of its two connections remains.
    const byDate = [...assignments].sort((a, b) => a.updated_at.localeCompare(b.updated_at));
    const left = byDate[0]!;
    const kept = byDate[1]!;
    const leftKey = `patient-clinic-${id}-${left.clinic_id}`;
    const keptKey = `patient-clinic-${id}-${kept.clinic_id}`;
    const note = [...sb.practicehub.records('clinical_notes')].find(
      (n) => typeof n.body === 'string' && n.body.length > 100_000,
    )!;
    expect(note).toBeDefined();
    const noteId = String(note.id);
    const noteKey = `clinical-note-${noteId}`;

    // Nothing differs before PracticeHub changes: what follows is these records' doing.
    expect((await reconcileCli()).code).toBe(0);
    sb.practicehub.mutate({
      resource: 'patients',
      action: 'update',
      ids: [id],
      patch: { clinic_assignments: assignments.filter((a) => a !== left) },
    });
    sb.practicehub.mutate({
      resource: 'clinical_notes',
      action: 'update',
      ids: [noteId],
      patch: { body: 'Reviewed; no further action.' },
    });

    const { code, differences, md, out } = await reconcileCli();
    expect(code).toBe(1);
    expect(differences.filter((d) => d.mapping === 'patient-clinic')).toEqual([
      {
        mapping: 'patient-clinic',
        sourceId: id,
        targetId: rowId(ACCOUNT, 'connection', leftKey),
        key: leftKey,
        kind: 'unexpected',
        fields: [],
        reason: expect.stringMatching(
          /^Dataverse holds 1 row\(s\) the crosswalk ties to the record that it no longer produces .*: a run or delta that reads the record again deletes them, unless policies\.deleted_records is ignore$/,
        ),
      },
    ]);
    // The shortened note's one row differs from the part it was, and the second part stays behind.
    expect(
      differences.filter((d) => d.mapping === 'clinical-note').map((d) => [d.kind, d.key, d.sourceId]),
    ).toEqual([
      ['mismatch', noteKey, noteId],
      ['unexpected', `${noteKey}-part-2`, noteId],
    ]);
    expect(md).toContain(
      `- patient-clinic record ${id}, row ${leftKey}, Dataverse row \`${rowId(ACCOUNT, 'connection', leftKey)}\`: unexpected. Dataverse holds 1 row(s)`,
    );
    expect(out).toMatch(
      new RegExp(
        `unexpected: patient-clinic record ${id}, row ${leftKey}, Dataverse \\S+ — Dataverse holds 1 row\\(s\\)`,
      ),
    );

    const of = await comparisons();
    expect(of('patient-clinic', id)).toMatchObject({
      verdict: 'unexpected',
      rows: [{ key: keptKey, verdict: 'match' }],
      strayRows: [{ key: leftKey, table: 'connection' }],
    });
    expect(of('patient-clinic', id)!.rows).toHaveLength(1);
    expect(of('clinical-note', noteId)).toMatchObject({
      verdict: 'mismatch',
      strayRows: [{ key: `${noteKey}-part-2`, table: 'annotation' }],
    });
    // A patient at three clinics whose connections all match has nothing left behind.
    const other = of('patient-clinic', untouched)!;
    expect(other.verdict).toBe('match');
    expect(other.rows).toHaveLength(2);
    expect(other.strayRows).toBeUndefined();
    leftBehind = { key: leftKey, targetId: rowId(ACCOUNT, 'connection', leftKey) };
    shortened = noteId;
  });

  it('leaves out a row left behind that a later run closed, as a delta does by the deletion policy', async () => {
    expect(leftBehind).toBeDefined();
    const { key, targetId } = leftBehind!;
    const id = atThree[0]!;
    // What a delta does under policies.deleted_records: deactivate: the row stays, inactive, and the
    // journal says which run closed it.
    const dataverse = new DataverseClient(optionsFromEnv(sb.env));
    try {
      await dataverse.update('connections', targetId, { statecode: 1, statuscode: 2 });
    } finally {
      await dataverse.close();
    }
    const opened = Journal.open(journal);
    try {
      const delta = opened.startRun({ kind: 'delta', specHash: 'spec', codeHash: 'code', parentRun: 1 });
      opened.recordBatch(delta.id, [
        { mapping: 'patient-clinic', sourceId: id, key, table: 'connection', action: 'deactivate', targetId },
      ]);
      opened.finishRun(delta.id, 'completed');
    } finally {
      opened.close();
    }
    const of = await comparisons();
    expect(of('patient-clinic', id)).toMatchObject({ verdict: 'match', rows: [{ verdict: 'match' }] });
    expect(of('patient-clinic', id)!.strayRows).toBeUndefined();
    // The note's second part, which no run closed, is still left behind.
    expect(of('clinical-note', shortened!)?.strayRows).toEqual([
      expect.objectContaining({ key: `clinical-note-${shortened}-part-2` }),
    ]);
  });
  it('has nothing left behind once a delta read the changed records again', async () => {
    const connected = () =>
      sb.dataverse
        .snapshot(['connection'])
        .tables.connection!.some((c) => String(c.connectionid).toLowerCase() === leftBehind!.targetId);
    expect(connected()).toBe(true);
    const delta = await flitstack(sb, 'delta', '--journal', journal, '--rate', '1000');
    expect(delta.err).not.toContain('error:');
    expect(delta.code).toBe(0);
    // The delta deleted the connection the fake close above only hid, and the note's second part.
    const opened = Journal.open(journal, { readonly: true });
    try {
      expect(opened.crosswalk.get('patient-clinic', leftBehind!.key)).toBeUndefined();
      expect(opened.crosswalk.get('clinical-note', `clinical-note-${shortened}-part-2`)).toBeUndefined();
    } finally {
      opened.close();
    }
    expect(connected()).toBe(false);
    const of = await comparisons();
    expect(of('clinical-note', shortened!)).toMatchObject({ verdict: 'match' });
    expect(of('clinical-note', shortened!)!.strayRows).toBeUndefined();
    expect(of('patient-clinic', atThree[0]!)!.strayRows).toBeUndefined();
    const { differences } = await reconcileCli();
    expect(differences.filter((d) => d.kind === 'unexpected')).toEqual([]);
  });
});
