import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { IrSchemaPlan } from '../../compiler/ir/types.ts';
import * as generatedModule from '../../generated/transformer.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import { reconcile } from '../../runtime/reconcile/index.ts';
import { runMigration } from '../../runtime/run/pipeline.ts';
import { KEYS_ACTIVE_AT_ONCE, migrated } from '../support/migration.ts';
import { ROOT } from '../support/tmp.ts';

/** The shipped mappings under `policies.deleted_records: ignore`: a delta leaves the rows of deleted records. */
const shipped: GeneratedModule = generatedModule;
const module: GeneratedModule = { ...shipped, MIGRATION: { ...shipped.MIGRATION, deletedRecords: 'ignore' } };

it('reconcile under deleted_records: ignore counts a deleted record’s row left by the delta that picked the deletion up as the policy’s, not as an orphan', async () => {
  const migration = await migrated(module, 11, { dataverse: KEYS_ACTIVE_AT_ONCE });
  const { sb, journal, deps } = migration;
  const plan = JSON.parse(readFileSync(join(ROOT, 'generated', 'schema-plan.json'), 'utf8')) as IrSchemaPlan;
  const check = async () => {
    const run = journal.latestRun({ kind: 'run', status: 'completed' })!;
    const result = await reconcile({ ...deps, plan, account: 'harbourside.eu' }, { run });
    return { result, payment: result.mappings.find((m) => m.mapping === 'payment')! };
  };
  try {
    const run = journal.latestRun({ kind: 'run', status: 'completed' })!;
    const payment = String([...sb.practicehub.records('payments')][5]!.id);
    sb.practicehub.mutate({ resource: 'payments', action: 'delete', ids: [payment] });
    // Before the delta, the deletion is not picked up: the row is an orphan.
    const before = await check();
    expect(before.result.differences).toEqual([
      expect.objectContaining({ mapping: 'payment', sourceId: payment, kind: 'orphan' }),
    ]);
    const delta = await runMigration(deps, {
      kind: 'delta',
      parentRun: run.id,
      since: migration.since(),
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
    await migration.close();
  }
}, 60_000);
