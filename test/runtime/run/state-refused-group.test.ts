import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../../generated/transformer.ts';
import { Journal, type OperationRecord } from '../../../runtime/journal/index.ts';
import type { GeneratedModule } from '../../../runtime/mapping/index.ts';
import { type RunDeps, runMigration } from '../../../runtime/run/pipeline.ts';
import type { Sandboxes } from '../../../sandbox/index.ts';
import { flitstack, loadDeps, sandboxes } from '../../support/migration.ts';
import { WRONG, withState } from '../../support/state-refused.ts';

const shipped: GeneratedModule = generatedModule;
type Training = { id: string; staff_id: string; updated_at: string };

let sb: Sandboxes;
let dir: string;
let journal: Journal;
let deps: RunDeps;
let picked: string;
let firstRun: number;
const opsOf = (run: number): OperationRecord[] =>
  [...journal.operations(run, { mapping: 'training-record' })].filter((op) => op.sourceId === picked);
const since = () => Object.fromEntries(journal.watermarks.all().map((w) => [w.resource, w.maxUpdatedAt]));

beforeAll(async () => {
  sb = await sandboxes({ scale: 0.05, seed: 61 });
  dir = mkdtempSync(join(tmpdir(), 'flitstack-state-refused-group-'));
  journal = Journal.open(join(dir, 'journal.db'));
  deps = loadDeps(sb, journal, shipped, dir);
  expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
  // The pick of a group none of whose records PracticeHub changed last (a delta lists those again).
  const live = [...sb.practicehub.records('training_records')] as unknown as Training[];
  const newest = live.map((t) => t.updated_at).sort()[live.length - 1];
  const first = await runMigration(deps);
  const loaded = [...journal.operations(first.run.id, { mapping: 'training-record', action: 'update' })];
  const group = loaded.find((op) =>
    live.filter((t) => `staff-${t.staff_id}` === op.key).every((t) => t.updated_at !== newest),
  )!;
  picked = group.sourceId;
  const refused = await runMigration({
    ...deps,
    module: withState(shipped, picked, WRONG, 'training-record'),
  });
  firstRun = refused.run.id;
}, 120_000);
afterAll(async () => {
  journal?.close();
  await Promise.all([deps?.practicehub.close(), deps?.dataverse.close()]);
  await sb?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a delta, for a grouped row whose state Dataverse refused', () => {
  it('reads the group again though PracticeHub did not change it, and writes the row', async () => {
    expect(opsOf(firstRun).map((op) => op.action)).toEqual(['update', 'reject']);
    const delta = await runMigration(deps, { kind: 'delta', since: since(), parentRun: firstRun });
    expect(opsOf(delta.run.id).map((op) => op.action)).toEqual(['update']);
    expect(delta.rejected).toBe(0);
    expect(delta.unbalanced).toEqual([]);
    // Written, it is read no more.
    const after = await runMigration(deps, { kind: 'delta', since: since(), parentRun: delta.run.id });
    expect(opsOf(after.run.id)).toEqual([]);
  });
});
