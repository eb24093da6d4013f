import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../../generated/transformer.ts';
import { Journal, type OperationRecord } from '../../../runtime/journal/index.ts';
import type { GeneratedModule, MappingDefinition } from '../../../runtime/mapping/index.ts';
import type { RunDeps, RunResult } from '../../../runtime/run/pipeline.ts';
import { runMigration } from '../../../runtime/run/pipeline.ts';
import type { Sandboxes } from '../../../sandbox/index.ts';
import { flitstack, loadDeps, sandboxes } from '../../support/migration.ts';

/** Completed appointments are closed: statecode 1 with statuscode 3 (spec/valuemaps). */
const COMPLETED = { state: 1, status: 3 };
/** A statuscode of another state (4 is Canceled, state 2): Dataverse refuses it with statecode 1. */
const WRONG = { state: 1, status: 4 };

/** The generated module, but the appointment `id` gets `state` instead of the one its status maps to. */
function withState(module: GeneratedModule, id: string, state: typeof WRONG): GeneratedModule {
  const mapping = module.MAPPINGS.appointment!;
  const transform: MappingDefinition['transform'] = (record) => {
    const outcome = mapping.transform(record);
    if (outcome.kind !== 'rows' || (record as { id?: unknown }).id !== id) return outcome;
    return { ...outcome, rows: outcome.rows.map((row) => ({ ...row, state })) };
  };
  return { ...module, MAPPINGS: { ...module.MAPPINGS, appointment: { ...mapping, transform } } };
}

let sb: Sandboxes;
let dir: string;
let journal: Journal;
let deps: RunDeps;
let appointment: string;
let first: RunResult;
const opsOf = (run: number): OperationRecord[] =>
  [...journal.operations(run, { mapping: 'appointment' })].filter((op) => op.sourceId === appointment);
const row = () =>
  sb.dataverse
    .snapshot(['appointment'])
    .tables.appointment!.find((r) => r.fs_practicehubid === `appointment-${appointment}`);
const since = () => Object.fromEntries(journal.watermarks.all().map((w) => [w.resource, w.maxUpdatedAt]));
let parentRun: number;
let again: RunResult;
let fixed: RunResult;
/** A delta of `module` on the last run, as `flitstack delta` runs it (no overlap). */
const delta = async (module: GeneratedModule) => {
  const result = await runMigration({ ...deps, module }, { kind: 'delta', since: since(), parentRun });
  parentRun = result.run.id;
  return result;
};
const reconcile = () =>
  flitstack(
    sb,
    'reconcile',
    '--journal',
    join(dir, 'journal.db'),
    '--rate',
    '1000',
    '--out',
    join(dir, 'reconcile'),
    '--format',
    'json',
  );

beforeAll(async () => {
  sb = await sandboxes({ scale: 0.05, seed: 59 });
  dir = mkdtempSync(join(tmpdir(), 'flitstack-state-refused-delta-'));
  journal = Journal.open(join(dir, 'journal.db'));
  const applied = await flitstack(sb, 'schema', 'apply');
  if (applied.code !== 0) throw new Error(`schema apply failed: ${applied.err}`);
  const live = [...sb.practicehub.records('appointments')].filter(
    (a) => !(a as { deleted_at?: unknown }).deleted_at,
  ) as { id: string; status?: string; updated_at: string }[];
  const newest = live.map((a) => a.updated_at).sort()[live.length - 1];
  // Not one a delta lists again for sharing the watermark's second.
  appointment = live.find((a) => a.status === 'completed' && a.updated_at !== newest)!.id;
  deps = loadDeps(sb, journal, generatedModule, dir);
  first = await runMigration({ ...deps, module: withState(generatedModule, appointment, WRONG) });
  parentRun = first.run.id;
}, 120_000);
afterAll(async () => {
  journal?.close();
  await Promise.all([deps?.practicehub.close(), deps?.dataverse.close()]);
  await sb?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a delta, for a row written whose state Dataverse refused', () => {
  it('finds the row open after the run, and reconcile reports its state', async () => {
    expect(opsOf(first.run.id).map((op) => op.action)).toEqual(['create', 'reject']);
    expect(row()).toMatchObject({ statecode: 0 });
    const checked = await reconcile();
    expect(checked.code).toBe(1);
    const differences = JSON.parse(checked.out).differences as { sourceId: string; fields: string[] }[];
    expect(differences.filter((d) => d.sourceId === appointment)).toEqual([
      expect.objectContaining({ fields: expect.arrayContaining(['statecode']) }),
    ]);
  });

  it('reads the record again though PracticeHub did not change it, and journals a refusal again', async () => {
    again = await delta(withState(generatedModule, appointment, WRONG));
    expect(opsOf(again.run.id).map((op) => op.action)).toEqual(['update', 'reject']);
    expect(again.summary.appointment).toMatchObject({ rejected: 1 });
    expect(again.rejected).toBe(1);
    expect(row()).toMatchObject({ statecode: 0 });
  });

  it('sets the state when Dataverse takes it, and the record counts as loaded', async () => {
    fixed = await delta(generatedModule);
    expect(opsOf(fixed.run.id).map((op) => op.action)).toEqual(['update']);
    expect(fixed.summary.appointment).toMatchObject({ loaded: 1, rejected: 0 });
    expect(fixed.rejected).toBe(0);
    expect(row()).toMatchObject({ statecode: COMPLETED.state, statuscode: COMPLETED.status });
    const checked = await reconcile();
    expect(checked.code, checked.err).toBe(0);
  });

  it('reads it no more once its state is set', async () => {
    const after = await delta(generatedModule);
    expect(opsOf(after.run.id)).toEqual([]);
    expect(after.rejected).toBe(0);
    // Each delta lists the records of the watermark's second; the two before read this one besides.
    const listed = after.summary.appointment!.extracted;
    expect(again.summary.appointment!.extracted).toBe(listed + 1);
    expect(fixed.summary.appointment!.extracted).toBe(listed + 1);
  });
});
