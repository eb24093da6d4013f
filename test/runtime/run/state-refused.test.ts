import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationRecord } from '../../../runtime/journal/index.ts';
import { runMigration } from '../../../runtime/run/pipeline.ts';
import { flitstack } from '../../support/migration.ts';
import { COMPLETED, type StateRefused, stateRefused } from '../../support/state-refused.ts';

let s: StateRefused;
const opsOf = (run: number): OperationRecord[] =>
  [...s.journal.operations(run, { mapping: 'appointment' })].filter((op) => op.sourceId === s.appointment);
const row = (id: string) =>
  s.sb.dataverse.snapshot(['appointment']).tables.appointment!.find((r) => r.activityid === id.toLowerCase());
const rollback = (run: number) =>
  flitstack(s.sb, 'rollback', '--journal', join(s.dir, 'journal.db'), '--run', String(run));

beforeAll(async () => {
  s = await stateRefused(53);
}, 120_000);
afterAll(() => s?.close());

describe('a row written whose state Dataverse refuses', () => {
  it('is journaled as created, with its crosswalk entry, and its record as rejected for the state', () => {
    const ops = opsOf(s.first.run.id);
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
    expect(s.journal.crosswalk.get('appointment', created.key!)).toMatchObject({
      targetId: created.targetId,
      payloadHash: null,
    });
  });

  it('counts the record once, as rejected: the accounting balances and the run has failed records', () => {
    expect(s.first.rejected).toBe(1);
    expect(s.first.unbalanced).toEqual([]);
    const counts = s.first.summary.appointment!;
    expect(counts.rejected).toBe(1);
    expect(counts.extracted).toBe(counts.loaded + counts.rejected + counts.skipped);
  });

  it('has its state set by the next run', async () => {
    const second = await runMigration(s.deps);
    expect(second.rejected).toBe(0);
    const ops = opsOf(second.run.id);
    expect(ops.map((op) => op.action)).toEqual(['update']);
    expect(row(ops[0]!.targetId!)).toMatchObject({
      statecode: COMPLETED.state,
      statuscode: COMPLETED.status,
    });
  });

  it('is deleted by a rollback of the run that created it, once the later run is rolled back', async () => {
    const created = opsOf(s.first.run.id)[0]!;
    const [, second] = s.journal.runs().filter((r) => r.kind === 'run');
    const later = await rollback(second!.id);
    expect(later.code, later.err).toBe(0);
    // The later run updated the row the first one created: its rollback puts back what it held.
    expect(row(created.targetId!)).toMatchObject({ statecode: 0 });
    const undone = await rollback(s.first.run.id);
    expect(undone.code, undone.err).toBe(0);
    expect(row(created.targetId!)).toBeUndefined();
  });
});
