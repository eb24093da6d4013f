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
const row = (id: string) =>
  sb.dataverse.snapshot(['appointment']).tables.appointment!.find((r) => r.activityid === id.toLowerCase());
const rollback = (run: number) =>
  flitstack(sb, 'rollback', '--journal', join(dir, 'journal.db'), '--run', String(run));

beforeAll(async () => {
  sb = await sandboxes({ scale: 0.05, seed: 53 });
  dir = mkdtempSync(join(tmpdir(), 'flitstack-state-refused-'));
  journal = Journal.open(join(dir, 'journal.db'));
  const applied = await flitstack(sb, 'schema', 'apply');
  if (applied.code !== 0) throw new Error(`schema apply failed: ${applied.err}`);
  const completed = [...sb.practicehub.records('appointments')].find(
    (a) =>
      (a as { status?: string; deleted_at?: unknown }).status === 'completed' &&
      !(a as { deleted_at?: unknown }).deleted_at,
  ) as { id: string };
  appointment = completed.id;
  deps = loadDeps(sb, journal, generatedModule, dir);
  first = await runMigration({ ...deps, module: withState(generatedModule, appointment, WRONG) });
}, 120_000);
afterAll(async () => {
  journal?.close();
  await Promise.all([deps?.practicehub.close(), deps?.dataverse.close()]);
  await sb?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a row written whose state Dataverse refuses', () => {
  it('is journaled as created, with its crosswalk entry, and its record as rejected for the state', () => {
    const ops = opsOf(first.run.id);
    expect(ops.map((op) => op.action)).toEqual(['create', 'reject']);
    const [created, refused] = ops as [OperationRecord, OperationRecord];
    expect(created.error).toBeNull();
    expect(created.targetId).not.toBeNull();
    expect(row(created.targetId!)).toMatchObject({ statecode: 0 });
    expect(refused.targetId).toBe(created.targetId);
    expect(refused.error?.code).toBe('0x80048408');
    expect(refused.reason).toMatch(
      /^the row was written, but Dataverse refused its state \(statecode 1, statuscode 4\): .*is not a valid status code/,
    );
    expect(refused.reason).toContain('the next run or delta sets it');
    expect(journal.crosswalk.get('appointment', created.key!)).toMatchObject({
      targetId: created.targetId,
      payloadHash: null,
    });
  });

  it('counts the record once, as rejected: the accounting balances and the run has failed records', () => {
    expect(first.rejected).toBe(1);
    expect(first.unbalanced).toEqual([]);
    const counts = first.summary.appointment!;
    expect(counts.rejected).toBe(1);
    expect(counts.extracted).toBe(counts.loaded + counts.rejected + counts.skipped);
  });

  it('has its state set by the next run', async () => {
    const second = await runMigration(deps);
    expect(second.rejected).toBe(0);
    const ops = opsOf(second.run.id);
    expect(ops.map((op) => op.action)).toEqual(['update']);
    expect(row(ops[0]!.targetId!)).toMatchObject({
      statecode: COMPLETED.state,
      statuscode: COMPLETED.status,
    });
  });

  it('is deleted by a rollback of the run that created it, once the later run is rolled back', async () => {
    const created = opsOf(first.run.id)[0]!;
    const [, second] = journal.runs().filter((r) => r.kind === 'run');
    const later = await rollback(second!.id);
    expect(later.code, later.err).toBe(0);
    // The later run updated the row the first one created: its rollback puts back what it held.
    expect(row(created.targetId!)).toMatchObject({ statecode: 0 });
    const undone = await rollback(first.run.id);
    expect(undone.code, undone.err).toBe(0);
    expect(row(created.targetId!)).toBeUndefined();
  });
});
