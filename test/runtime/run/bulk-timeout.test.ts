import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../../generated/transformer.ts';
import { DataverseClient, optionsFromEnv } from '../../../runtime/dataverse/index.ts';
import { Journal } from '../../../runtime/journal/index.ts';
import { type RunResult, runMigration } from '../../../runtime/run/pipeline.ts';
import type { Sandboxes } from '../../../sandbox/index.ts';
import { flitstack, loadDeps, sandboxes } from '../../support/migration.ts';

/** Items a bulk request may hold before the sandbox's database times out. */
const TIMEOUT_ITEMS = 40;

let sb: Sandboxes;
let dir: string;
let journal: Journal;
let result: RunResult;
/** The status of every UpsertMultiple answer of the run. */
const statuses: number[] = [];
beforeAll(async () => {
  sb = await sandboxes({ scale: 0.05, seed: 43, dataverse: { bulkTimeoutItems: TIMEOUT_ITEMS } });
  dir = mkdtempSync(join(tmpdir(), 'flitstack-bulk-timeout-'));
  journal = Journal.open(join(dir, 'journal.db'));
  const applied = await flitstack(sb, 'schema', 'apply');
  if (applied.code !== 0) throw new Error(`schema apply failed: ${applied.err}`);
  const dataverse = new DataverseClient({
    ...optionsFromEnv(sb.env),
    onEvent: (e) => {
      if (e.type === 'response' && e.kind === 'bulk') statuses.push(e.status);
    },
  });
  const base = loadDeps(sb, journal, generatedModule, dir);
  await base.dataverse.close();
  const deps = { ...base, dataverse };
  try {
    result = await runMigration(deps);
  } finally {
    await Promise.all([deps.practicehub.close(), deps.dataverse.close()]);
  }
}, 120_000);
afterAll(async () => {
  journal?.close();
  await sb?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * "SQL timeout expired" (-2147204783) is "likely to occur if the batch size of your request is too large.
 * To avoid SQL time-outs, reduce the batch size of your request" (Troubleshoot Dataverse bulk operation
 * errors). The spec's batch size is above what the sandbox's database takes in one bulk request.
 */
describe('a bulk request that times out in the database', () => {
  it('is written again in smaller requests: every payment is loaded, none rejected', () => {
    expect(generatedModule.MIGRATION.batchSize).toBeGreaterThan(TIMEOUT_ITEMS);
    const payments = [...sb.practicehub.records('payments')] as { id: string; deleted_at?: unknown }[];
    const live = payments.filter((p) => !p.deleted_at);
    expect(live.length).toBeGreaterThan(TIMEOUT_ITEMS);
    expect(result.rejected).toBe(0);
    expect(result.unbalanced).toEqual([]);
    const rows = sb.dataverse.snapshot(['fs_payment']).tables.fs_payment!;
    const keys = new Set(rows.map((r) => r.fs_practicehubid));
    for (const p of live) expect(keys).toContain(`payment-${p.id}`);
  });

  it('keeps to the size that went through for the rest of the run instead of timing out on every flush', () => {
    const tables = Object.values(generatedModule.TABLES).filter((t) => t.bulkMessages).length;
    const timeouts = statuses.filter((s) => s === 500).length;
    expect(timeouts).toBeGreaterThan(0);
    // From 500 rows to 40 or fewer takes at most four halvings per table written in bulk: 500, 250, 125, 63.
    expect(timeouts).toBeLessThanOrEqual(4 * tables);
  });
});
