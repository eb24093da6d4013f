import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../../generated/transformer.ts';
import type { OperationRecord } from '../../../runtime/journal/index.ts';
import type { GeneratedModule } from '../../../runtime/mapping/index.ts';
import { type RunResult, runMigration } from '../../../runtime/run/pipeline.ts';
import { flitstack } from '../../support/migration.ts';
import { COMPLETED, type StateRefused, stateRefused, WRONG, withState } from '../../support/state-refused.ts';

let s: StateRefused;
const opsOf = (run: number): OperationRecord[] =>
  [...s.journal.operations(run, { mapping: 'appointment' })].filter((op) => op.sourceId === s.appointment);
const row = () =>
  s.sb.dataverse
    .snapshot(['appointment'])
    .tables.appointment!.find((r) => r.fs_practicehubid === `appointment-${s.appointment}`);
const since = () => Object.fromEntries(s.journal.watermarks.all().map((w) => [w.resource, w.maxUpdatedAt]));
let parentRun: number;
let again: RunResult;
let fixed: RunResult;
/** A delta of `module` on the last run, as `flitstack delta` runs it (no overlap). */
const delta = async (module: GeneratedModule) => {
  const result = await runMigration({ ...s.deps, module }, { kind: 'delta', since: since(), parentRun });
  parentRun = result.run.id;
  return result;
};
const reconcile = () =>
  flitstack(
    s.sb,
    'reconcile',
    '--journal',
    join(s.dir, 'journal.db'),
    '--rate',
    '1000',
    '--out',
    join(s.dir, 'reconcile'),
    '--format',
    'json',
  );

beforeAll(async () => {
  s = await stateRefused(59);
  parentRun = s.first.run.id;
}, 120_000);
afterAll(() => s?.close());

describe('a delta, for a row written whose state Dataverse refused', () => {
  it('finds the row open after the run, and reconcile reports its state', async () => {
    expect(opsOf(s.first.run.id).map((op) => op.action)).toEqual(['create', 'reject']);
    expect(row()).toMatchObject({ statecode: 0 });
    const checked = await reconcile();
    expect(checked.code).toBe(1);
    const differences = JSON.parse(checked.out).differences as { sourceId: string; fields: string[] }[];
    expect(differences.filter((d) => d.sourceId === s.appointment)).toEqual([
      expect.objectContaining({ fields: expect.arrayContaining(['statecode']) }),
    ]);
  });

  it('reads the record again though PracticeHub did not change it, and journals a refusal again', async () => {
    again = await delta(withState(generatedModule, s.appointment, WRONG));
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
