import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../generated/transformer.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { parseFaults } from '../../sandbox/shared/faults.ts';
import { comparable, flitstack, sandboxes, sortedRows } from '../support/migration.ts';

const generated: GeneratedModule = generatedModule;
const TABLES = [...new Set(Object.values(generated.MAPPINGS).map((m) => m.target))];
const IDENTITY = {
  tenantId: '1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
  clientId: '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
  clientSecret: 'sandbox-secret-for-tests',
};

const open: Sandboxes[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function migrate(faults?: string) {
  const config = faults ? parseFaults(faults) : undefined;
  const sb = await sandboxes({
    scale: 0.1,
    seed: 9,
    faults: config ? { practicehub: config, dataverse: config } : undefined,
    dataverse: IDENTITY,
  });
  open.push(sb);
  const dir = mkdtempSync(join(tmpdir(), 'flitstack-faults-'));
  dirs.push(dir);
  expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
  const result = await flitstack(
    sb,
    'run',
    '--journal',
    join(dir, 'journal.db'),
    '--archive-dir',
    join(dir, 'archive'),
    '--rate',
    '200',
    '--format',
    'json',
  );
  return { sb, result };
}

describe('a run through faults on both services (10 % 429, 2 % 5xx, 1 % resets)', () => {
  it('completes, balances, and ends in the same state as a run without faults', async () => {
    const clean = await migrate();
    expect(clean.result.code).toBe(0);
    const faulty = await migrate('429=0.1,5xx=0.02,reset=0.01,seed=11,retry-after=0');
    expect(faulty.result.err).not.toContain('error:');
    expect(faulty.result.code).toBe(0);
    const summary = JSON.parse(faulty.result.out);
    for (const c of Object.values(
      summary.summary as Record<
        string,
        { extracted: number; loaded: number; rejected: number; skipped: number }
      >,
    )) {
      expect(c.extracted).toBe(c.loaded + c.rejected + c.skipped);
    }
    expect(faulty.sb.practicehub.stats().faults).toBeDefined();
    expect(faulty.sb.dataverse.stats().faultsInjected).toBeGreaterThan(0);
    expect(summary.practicehub.outcomes.throttled + summary.practicehub.outcomes.serverError).toBeGreaterThan(
      0,
    );
    expect(sortedRows(comparable(faulty.sb.dataverse.snapshot(TABLES).tables, TABLES))).toEqual(
      sortedRows(comparable(clean.sb.dataverse.snapshot(TABLES).tables, TABLES)),
    );
  }, 180_000);
});
