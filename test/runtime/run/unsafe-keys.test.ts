import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as generatedModule from '../../../generated/transformer.ts';
import { Journal } from '../../../runtime/journal/index.ts';
import type { GeneratedModule, MappingDefinition } from '../../../runtime/mapping/index.ts';
import { runMigration } from '../../../runtime/run/pipeline.ts';
import { flitstack, loadDeps, sandboxes } from '../../support/migration.ts';

/**
 * A key of text taken from the source can hold characters that "break GET/PATCH addressing" by alternate
 * key (PA`define-alternate-keys-entity`: / < > * % & : \ ? +). Here every payment's key ends in such text,
 * as a key on a reference or an email address would.
 */
const payment = generatedModule.MAPPINGS.payment as MappingDefinition;
const suffix = (n: number) => ['/A', '+B', '&C', ':D', '%E'][n % 5]!;
/** The generated module with the payments' keys above, written in bulk or through $batch. */
function moduleWith(bulk: boolean): GeneratedModule {
  return {
    ...generatedModule,
    TABLES: {
      ...generatedModule.TABLES,
      fs_payment: { ...generatedModule.TABLES.fs_payment!, bulkMessages: bulk },
    },
    MAPPINGS: {
      ...generatedModule.MAPPINGS,
      payment: {
        ...payment,
        transform(record) {
          const outcome = payment.transform(record);
          if (outcome.kind !== 'rows') return outcome;
          const n = Number(String(record.id).slice(-1));
          return { ...outcome, rows: outcome.rows.map((row) => ({ ...row, key: `${row.key}${suffix(n)}` })) };
        },
      },
    },
  };
}

async function runWith(bulk: boolean) {
  const sb = await sandboxes({ scale: 0.05, seed: 47 });
  const dir = mkdtempSync(join(tmpdir(), 'flitstack-unsafe-keys-'));
  const journal = Journal.open(join(dir, 'journal.db'));
  const deps = loadDeps(sb, journal, moduleWith(bulk), dir);
  try {
    const applied = await flitstack(sb, 'schema', 'apply');
    if (applied.code !== 0) throw new Error(`schema apply failed: ${applied.err}`);
    const first = await runMigration(deps);
    const ids = ([...sb.practicehub.records('payments')] as { id: string }[]).map((p) => p.id);
    sb.practicehub.mutate({ resource: 'payments', action: 'update', ids, patch: { reference: 'R2' } });
    const second = await runMigration(deps);
    const rows = sb.dataverse.snapshot(['fs_payment']).tables.fs_payment!;
    const payments = [...sb.practicehub.records('payments')] as { id: string }[];
    return { first, second, rows, payments, requests: sb.dataverse.stats().requests };
  } finally {
    journal.close();
    await Promise.all([deps.practicehub.close(), deps.dataverse.close(), sb.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('keys that cannot stand in a URL', () => {
  it.each([
    ['UpsertMultiple', true],
    ['$batch', false],
  ])(
    'are written through %s by the row id, the key in the body: every payment once, and updated by the next run',
    async (_, bulk) => {
      const { first, second, rows, payments, requests } = await runWith(bulk);
      expect(first.rejected).toBe(0);
      expect(first.summary.payment!.loaded).toBe(payments.length);
      const keys = rows.map((r) => r.fs_practicehubid).sort();
      expect(keys).toEqual(payments.map((p) => `payment-${p.id}${suffix(Number(p.id.slice(-1)))}`).sort());
      expect(second.rejected).toBe(0);
      expect(second.summary.payment!.loaded).toBe(payments.length);
      expect(rows).toHaveLength(payments.length);
      for (const row of rows) expect(row.fs_name).toContain('(R2)');
      expect(requests.bulk > 0).toBe(bulk);
    },
    120_000,
  );
});
