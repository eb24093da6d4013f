import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as generatedModule from '../../generated/transformer.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import type { Difference } from '../../runtime/reconcile/index.ts';
import { rowId } from '../../runtime/run/ids.ts';
import { type CliMigrated, flitstack, KEYS_ACTIVE_AT_ONCE, migratedByCli } from '../support/migration.ts';

/*
 * A record PracticeHub saved again without a change the spec reads, whose row someone changed in
 * Dataverse: reconcile first says a delta writes it; the delta finds nothing to write for the record,
 * so reconcile must then say what does write it (run --rewrite), not send to the delta again.
 */

const generated: GeneratedModule = generatedModule;
const ACCOUNT = `${generated.MIGRATION.account}.${generated.MIGRATION.region}`;

let m: CliMigrated;
const report = () => join(dirname(m.journal), 'reconcile.json');
const cli = (...args: string[]) => flitstack(m.sb, ...args, '--journal', m.journal, '--rate', '1000');

async function reconcile(): Promise<Difference[]> {
  const res = await cli('reconcile', '--out', dirname(m.journal));
  expect(res.code, res.err).toBeLessThan(2);
  return (JSON.parse(readFileSync(report(), 'utf8')) as { differences: Difference[] }).differences;
}

beforeAll(async () => {
  m = await migratedByCli({ scale: 0.05, dataverse: KEYS_ACTIVE_AT_ONCE });
}, 60_000);
afterAll(() => m?.close());

it('reconcile of a row changed in Dataverse whose record PracticeHub saved again unchanged for the spec sends to run --rewrite once a delta found nothing to write', async () => {
  const record = String([...m.sb.practicehub.records('payments')][3]!.id);
  const id = rowId(ACCOUNT, 'fs_payment', `payment-${record}`);
  // Saved again in PracticeHub without a change the spec reads: only its updated_at moves on.
  m.sb.practicehub.mutate({ resource: 'payments', action: 'update', ids: [record], patch: {} });
  m.sb.dataverse.tamper({ table: 'fs_payment', id, set: { fs_reference: 'changed in Dataverse' } });
  expect((await reconcile()).map((d) => d.reason)).toEqual([
    expect.stringContaining('`flitstack delta` writes the change'),
  ]);
  await m.delta();
  expect(await reconcile()).toEqual([
    expect.objectContaining({
      sourceId: record,
      targetId: id,
      kind: 'mismatch',
      fields: ['fs_reference'],
      reason: expect.stringContaining("'flitstack run --rewrite'"),
    }),
  ]);
  const rewrite = await cli('run', '--rewrite', '--reconciled', report());
  expect(rewrite.code, rewrite.err).toBe(0);
  expect(await reconcile()).toEqual([]);
});
