import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { deltaSince } from '../../cli/actions/delta.ts';
import type { IrSchemaPlan } from '../../compiler/ir/types.ts';
import * as generatedModule from '../../generated/transformer.ts';
import { Journal } from '../../runtime/journal/index.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import { reconcile } from '../../runtime/reconcile/index.ts';
import { runMigration } from '../../runtime/run/pipeline.ts';
import { flitstack, KEYS_ACTIVE_AT_ONCE, loadDeps, sandboxes } from '../support/migration.ts';
import { ROOT, tempDir } from '../support/tmp.ts';

/** The shipped mappings under `policies.deleted_records: ignore`: a delta leaves the rows of deleted records. */
const shipped: GeneratedModule = generatedModule;
const module: GeneratedModule = { ...shipped, MIGRATION: { ...shipped.MIGRATION, deletedRecords: 'ignore' } };

it('reconcile under deleted_records: ignore counts a deleted record’s row left by the delta that picked the deletion up as the policy’s, not as an orphan', async () => {
  const sb = await sandboxes({ scale: 0.05, dataverse: KEYS_ACTIVE_AT_ONCE });
  const dir = tempDir();
  const journal = Journal.open(join(dir, 'journal.db'));
  const deps = loadDeps(sb, journal, module, dir);
  const plan = JSON.parse(readFileSync(join(ROOT, 'generated', 'schema-plan.json'), 'utf8')) as IrSchemaPlan;
  const check = async () => {
    const run = journal.latestRun({ kind: 'run', status: 'completed' })!;
    const result = await reconcile({ ...deps, plan, account: 'harbourside.eu' }, { run });
    return { result, payment: result.mappings.find((m) => m.mapping === 'payment')! };
  };
  try {
    expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
    const run = await runMigration(deps);
    const payment = String([...sb.practicehub.records('payments')][5]!.id);
    sb.practicehub.mutate({ resource: 'payments', action: 'delete', ids: [payment] });
    // Before the delta, the deletion is not picked up: the row is an orphan.
    const before = await check();
    expect(before.result.differences).toEqual([
      expect.objectContaining({ mapping: 'payment', sourceId: payment, kind: 'orphan' }),
    ]);
    const delta = await runMigration(deps, {
      kind: 'delta',
      parentRun: run.run.id,
      since: deltaSince(journal, module, 300),
    });
    const ops = [...journal.operations(delta.run.id, { mapping: 'payment' })];
    expect(ops.find((op) => op.sourceId === payment)).toMatchObject({
      action: 'skip',
      reason: expect.stringMatching(/^deleted in PracticeHub at .*; deleted_records is ignore$/),
    });
    // The row stays in Dataverse, as the policy says.
    const after = await check();
    expect(after.result.differences).toEqual([]);
    expect(after.payment).toMatchObject({ orphaned: 0, held: after.payment.source, ok: true });
    expect(after.result.ok).toBe(true);
  } finally {
    journal.close();
    await Promise.all([deps.dataverse.close(), deps.practicehub.close()]);
    await sb.close();
  }
}, 60_000);
