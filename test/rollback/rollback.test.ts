import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../generated/transformer.ts';
import { DataverseClient, optionsFromEnv } from '../../runtime/dataverse/index.ts';
import { Journal } from '../../runtime/journal/index.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import { runMigration } from '../../runtime/run/pipeline.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { parseCsv } from '../runtime/journal/helpers.ts';
import { comparable, flitstack, loadDeps, sandboxes } from '../support/migration.ts';
import { tempDir } from '../support/tmp.ts';

const generated: GeneratedModule = generatedModule;
const TABLES = [...new Set(Object.values(generated.MAPPINGS).map((m) => m.target))];

let sb: Sandboxes;
let dir: string;
let journal: string;
let client: DataverseClient;
const state = () => comparable(sb.dataverse.snapshot(TABLES).tables, TABLES);
let beforeRun: ReturnType<typeof state>;
let afterRun: ReturnType<typeof state>;

const rollback = (...args: string[]) => flitstack(sb, 'rollback', '--journal', journal, ...args);

function expectState(expected: ReturnType<typeof state>): void {
  const actual = state();
  for (const table of TABLES) expect(actual[table], table).toEqual(expected[table]);
}

beforeAll(async () => {
  sb = await sandboxes({ scale: 0.1 });
  client = new DataverseClient(optionsFromEnv({ ...sb.env }));
  // The journal outlives each test (support/tmp.ts removes its directories after every test).
  dir = mkdtempSync(join(tmpdir(), 'flitstack-rollback-'));
  journal = join(dir, 'journal.db');
  expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
  beforeRun = state();
  const first = await flitstack(sb, 'run', '--journal', journal, '--rate', '1000', '--format', 'json');
  expect(first.code).toBe(0);
  afterRun = state();
}, 60_000);
afterAll(async () => {
  await client?.close();
  await sb?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * A delta (run 2) under `deleted_records: delete`, after three patients, three payments and two
 * prescriptions were deleted in PracticeHub: the patients' contacts, which appointments refer to, are
 * deactivated (pre-image: their state); the payments and the prescriptions, which nothing refers to,
 * are deleted (pre-image: every mapped column). Returns the rows it changed per mapping.
 */
async function delta(): Promise<Record<string, number>> {
  const j = Journal.open(journal);
  const module = { ...generated, MIGRATION: { ...generated.MIGRATION, deletedRecords: 'delete' as const } };
  const deps = loadDeps(sb, j, module, dir);
  try {
    const first = j.run(1)!;
    const created = [...j.operations(1, { action: 'create' })];
    const pick = (mapping: string, n: number) =>
      created
        .filter((o) => o.mapping === mapping)
        .slice(0, n)
        .map((o) => o.sourceId);
    for (const [resource, mapping, n] of [
      ['patients', 'patient', 3],
      ['payments', 'payment', 3],
      ['prescriptions', 'prescription', 2],
    ] as const)
      sb.practicehub.mutate({ resource, action: 'delete', ids: pick(mapping, n) });
    const result = await runMigration(
      { ...deps, specHash: first.specHash, codeHash: first.codeHash },
      {
        kind: 'delta',
        parentRun: 1,
        since: Object.fromEntries(j.watermarks.all().map((w) => [w.resource, w.maxUpdatedAt])),
      },
    );
    expect(result.run.id).toBe(2);
    expect(result.rejected).toBe(0);
    const changed: Record<string, number> = {};
    for (const op of j.operations(2))
      if (op.action === 'delete' || op.action === 'deactivate')
        changed[op.mapping] = (changed[op.mapping] ?? 0) + 1;
    const deleted = new Set(pick('patient', 3));
    const patients = [...j.operations(2, { mapping: 'patient' })].filter((o) => deleted.has(o.sourceId));
    expect(patients.map((o) => o.action)).toEqual(['deactivate', 'deactivate', 'deactivate']);
    return changed;
  } finally {
    j.close();
    await Promise.all([deps.practicehub.close(), deps.dataverse.close()]);
  }
}

describe('flitstack rollback against the sandbox', () => {
  it('undoes a delta: reactivates what it deactivated, recreates what it deleted with its created date', async () => {
    const createdOn = (table: string, id: string) =>
      sb.dataverse.snapshot([table]).tables[table]!.find((r) => r[generated.TABLES[table]!.primaryId] === id)
        ?.createdon;
    const j = Journal.open(journal, { readonly: true });
    const payment = [...j.operations(1, { action: 'create', mapping: 'payment' })][0]!.targetId!;
    j.close();
    const originalDate = createdOn('fs_payment', payment);
    const changed = await delta();
    expect(changed).toEqual({ patient: 3, payment: 3, prescription: 2 });
    expect(state()).not.toEqual(afterRun);

    const refused = await rollback('--run', '1');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('later runs built on run 1: run 2 (delta, completed)');
    expect(refused.err).toContain('`flitstack rollback --run 2`');

    const undone = await rollback('--run', '2', '--format', 'json');
    expect(undone.code).toBe(0);
    const result = JSON.parse(undone.out);
    expect(result).toMatchObject({
      rollback: 3,
      target: 2,
      status: 'completed',
      targetStatus: 'rolled_back',
    });
    expect(result.summary).toEqual(
      Object.fromEntries(
        Object.entries(changed).map(([m, n]) => [m, { deleted: 0, restored: n, skipped: 0, failed: 0 }]),
      ),
    );
    expectState(afterRun);
    expect(createdOn('fs_payment', payment)).toBe(originalDate);
  }, 30_000);

  it('undoes a later run that updated rows: columns, owners, regarding, polymorphic and deferred lookups', async () => {
    const patients = [...sb.practicehub.records('patients')].map((p) => String(p.id));
    const staff = [...sb.practicehub.records('practitioners')].map((p) => String(p.id));
    const appointments = [...sb.practicehub.records('appointments')].slice(0, 5);
    for (const [i, a] of appointments.entries()) {
      const other = patients.find((p) => p !== a.patient_id)!;
      const practitioner = staff.find((s) => s !== a.practitioner_id)!;
      sb.practicehub.mutate({
        resource: 'appointments',
        action: 'update',
        ids: [String(a.id)],
        patch: i % 2 === 0 ? { patient_id: other } : { practitioner_id: practitioner },
      });
    }
    const notes = [...sb.practicehub.records('clinical_notes')].filter((n) => n.appointment_id).slice(0, 3);
    sb.practicehub.mutate({
      resource: 'clinical_notes',
      action: 'update',
      ids: notes.map((n) => String(n.id)),
      patch: { appointment_id: null },
    });
    sb.practicehub.mutate({
      resource: 'patients',
      action: 'update',
      count: 4,
      patch: { last_name: 'Changed' },
    });
    sb.practicehub.mutate({ resource: 'patients', action: 'create', count: 2 });
    const [clinic] = sb.practicehub.mutate({ resource: 'clinics', action: 'create', count: 1 });
    const child = [...sb.practicehub.records('clinics')].find((c) => c.parent_clinic_id && c.id !== clinic)!;
    sb.practicehub.mutate({
      resource: 'clinics',
      action: 'update',
      ids: [String(child.id)],
      patch: { parent_clinic_id: clinic! },
    });
    const second = await flitstack(sb, 'run', '--journal', journal, '--rate', '1000', '--format', 'json');
    expect(second.code).toBe(0);
    expect(JSON.parse(second.out).run).toBe(4);
    const changed = state();
    for (const table of ['account', 'contact', 'appointment', 'annotation'])
      expect(changed[table], table).not.toEqual(afterRun[table]);

    const undone = await rollback('--run', '4');
    expect(undone.code).toBe(0);
    expect(undone.out).toMatch(/^rollback 5 of run 4 completed\n/);
    expect(undone.out).toMatch(/\nappointment\s+0\s+5\s+0\s+0\n/);
    expect(undone.out).toMatch(/\nclinical-note\s+0\s+3\s+0\s+0\n/);
    expectState(afterRun);
  }, 40_000);

  it('writes nothing when asked to roll back the same run again', async () => {
    const before = sb.dataverse.stats();
    const runs = JSON.parse((await flitstack(sb, 'runs', '--journal', journal, '--format', 'json')).out).runs;
    const again = await rollback('--run', '4');
    expect(again.code).toBe(0);
    expect(again.out).toBe('run 4 is already rolled back (by rollback 5): nothing to do\n');
    expect(sb.dataverse.stats().recordsWritten).toBe(before.recordsWritten);
    expect(sb.dataverse.stats().requests.batch ?? 0).toBe(before.requests.batch ?? 0);
    const after = JSON.parse(
      (await flitstack(sb, 'runs', '--journal', journal, '--format', 'json')).out,
    ).runs;
    expect(after).toEqual(runs);
  });

  it('refuses to roll back a rollback as a usage error (exit 2), saying what to run instead', async () => {
    const before = sb.dataverse.stats();
    const refused = await rollback('--run', '5');
    expect(refused.code).toBe(2);
    expect(refused.err).toBe(
      'error: run 5 is a rollback (of run 4), which is not rolled back\n' +
        '  hint: to write the rows of run 4 again, run `flitstack run` (or `flitstack delta`); to finish an interrupted rollback, run `flitstack rollback --run 4` again\n',
    );
    expect(sb.dataverse.stats().recordsWritten).toBe(before.recordsWritten);
  });

  it('rolls back the first run: the organisation is as it was before, system users included', async () => {
    const undone = await rollback('--run', '1', '--format', 'json');
    expect(undone.code).toBe(0);
    const result = JSON.parse(undone.out);
    expect(result.failed).toBe(0);
    expect(result.summary['staff-user'].restored).toBeGreaterThan(0);
    expectState(beforeRun);
    const j = Journal.open(journal, { readonly: true });
    try {
      expect(j.crosswalk.count()).toBe(0);
      const created = [...j.operations(1, { action: 'create' })].length;
      const deleted = [...j.operations(6, { action: 'delete' })].filter((o) => o.error === null).length;
      expect(deleted).toBe(created);
    } finally {
      j.close();
    }
  }, 30_000);

  it('lists every run with its accounting and writes the audit log of the rollback', async () => {
    const listed = await flitstack(sb, 'runs', '--journal', journal, '--format', 'json');
    expect(listed.code).toBe(0);
    const runs = JSON.parse(listed.out).runs as Record<string, unknown>[];
    expect(runs.map((r) => [r.id, r.kind, r.status, r.parentRun])).toEqual([
      [1, 'run', 'rolled_back', null],
      [2, 'delta', 'rolled_back', 1],
      [3, 'rollback', 'completed', 2],
      [4, 'run', 'rolled_back', null],
      [5, 'rollback', 'completed', 4],
      [6, 'rollback', 'completed', 1],
    ]);
    expect(runs[2]).toMatchObject({ extracted: 8, loaded: 8, rejected: 0, skipped: 0 });
    const dir = tempDir();
    const out = join(dir, 'rollback.csv');
    const log = await flitstack(sb, 'log', '--journal', journal, '--run', '3', '--out', out);
    expect(log.code).toBe(0);
    expect(log.err).toBe(`8 operations of run 3 written to ${out}\n`);
    const [header, ...rows] = parseCsv(readFileSync(out, 'utf8'));
    const column = (name: string) => header!.indexOf(name);
    expect(rows).toHaveLength(8);
    expect(rows.map((r) => r[column('action')])).toEqual(Array(8).fill('restore'));
    const first = rows[0]!;
    expect(first[column('reason')]).toMatch(/^undoes operation \d+ \(delete in run 2\)/);
    expect([first[column('mapping')], first[column('table')]]).toEqual(['payment', 'fs_payment']);
    expect(first[column('target_id')]).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
  });
});
