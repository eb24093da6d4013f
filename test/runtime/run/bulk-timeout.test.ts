import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../../generated/transformer.ts';
import { DataverseClient, optionsFromEnv } from '../../../runtime/dataverse/index.ts';
import { Journal } from '../../../runtime/journal/index.ts';
import { type RunResult, runMigration } from '../../../runtime/run/pipeline.ts';
import type { DataverseSandboxOptions } from '../../../sandbox/dataverse/index.ts';
import type { Sandboxes } from '../../../sandbox/index.ts';
import { flitstack, loadDeps, sandboxes } from '../../support/migration.ts';

/** Items a bulk request may hold before the sandbox's database times out, or answers too late. */
const LIMIT_ITEMS = 40;

/** A migration against a Dataverse sandbox with `dataverse` options, and the status of every bulk answer. */
interface Migrated {
  readonly sb: Sandboxes;
  readonly result: RunResult;
  /** The status of every UpsertMultiple answer of the run. */
  readonly statuses: readonly number[];
  /** UpsertMultiple requests sent, answered or not. */
  readonly requests: number;
  close(): Promise<void>;
}

async function migrate(dataverse: DataverseSandboxOptions, timeoutMs?: number): Promise<Migrated> {
  const sb = await sandboxes({ scale: 0.05, seed: 43, dataverse });
  const dir = mkdtempSync(join(tmpdir(), 'flitstack-bulk-timeout-'));
  const journal = Journal.open(join(dir, 'journal.db'));
  const close = async () => {
    journal.close();
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  };
  const statuses: number[] = [];
  let requests = 0;
  try {
    const applied = await flitstack(sb, 'schema', 'apply');
    if (applied.code !== 0) throw new Error(`schema apply failed: ${applied.err}`);
    const client = new DataverseClient({
      ...optionsFromEnv(sb.env),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      onEvent: (e) => {
        if (e.type === 'request' && e.kind === 'bulk') requests += 1;
        if (e.type === 'response' && e.kind === 'bulk') statuses.push(e.status);
      },
    });
    const base = loadDeps(sb, journal, generatedModule, dir);
    await base.dataverse.close();
    const deps = { ...base, dataverse: client };
    try {
      const result = await runMigration(deps);
      return { sb, result, statuses, requests, close };
    } finally {
      await Promise.all([deps.practicehub.close(), deps.dataverse.close()]);
    }
  } catch (e) {
    await close();
    throw e;
  }
}

/** Every live payment has its row, none was rejected, and every mapping balances. */
function expectEveryPaymentLoaded({ sb, result }: Migrated): void {
  expect(generatedModule.MIGRATION.batchSize).toBeGreaterThan(LIMIT_ITEMS);
  const payments = [...sb.practicehub.records('payments')] as { id: string; deleted_at?: unknown }[];
  const live = payments.filter((p) => !p.deleted_at);
  expect(live.length).toBeGreaterThan(LIMIT_ITEMS);
  expect(result.rejected).toBe(0);
  expect(result.unbalanced).toEqual([]);
  const rows = sb.dataverse.snapshot(['fs_payment']).tables.fs_payment!;
  const keys = new Set(rows.map((r) => r.fs_practicehubid));
  for (const p of live) expect(keys).toContain(`payment-${p.id}`);
}

/** Tables written in bulk: from 500 rows to 40 or fewer takes at most four halvings each (500, 250, 125, 63). */
const MAX_SHRINKS = 4 * Object.values(generatedModule.TABLES).filter((t) => t.bulkMessages).length;

/**
 * "SQL timeout expired" (-2147204783) is "likely to occur if the batch size of your request is too large.
 * To avoid SQL time-outs, reduce the batch size of your request" (Troubleshoot Dataverse bulk operation
 * errors). The spec's batch size is above what the sandbox's database takes in one bulk request.
 */
describe('a bulk request that times out in the database', () => {
  let run: Migrated;
  beforeAll(async () => {
    run = await migrate({ bulkTimeoutItems: LIMIT_ITEMS });
  }, 120_000);
  afterAll(() => run?.close());

  it('is written again in smaller requests: every payment is loaded, none rejected', () => {
    expectEveryPaymentLoaded(run);
  });

  it('keeps to the size that went through for the rest of the run instead of timing out on every flush', () => {
    const timeouts = run.statuses.filter((s) => s === 500).length;
    expect(timeouts).toBeGreaterThan(0);
    expect(timeouts).toBeLessThanOrEqual(MAX_SHRINKS);
  });
});

/**
 * A bulk request the organisation writes but answers after the client stopped waiting: the same advice
 * holds (a smaller request), and sending it again unchanged would only wait as long again. UpsertMultiple
 * is idempotent, so the halves write again, unchanged, the rows the first request may have written.
 */
describe('a bulk request with no answer in the time the client waits', () => {
  let run: Migrated;
  beforeAll(async () => {
    run = await migrate({ bulkSlow: { items: LIMIT_ITEMS, delayMs: 3_000 } }, 1_000);
  }, 180_000);
  afterAll(() => run?.close());

  it('is written again in smaller requests: every payment is loaded, none rejected', () => {
    expectEveryPaymentLoaded(run);
  });

  it('is not sent again at the same size: one wait per halving, at most', () => {
    const waits = run.requests - run.statuses.length;
    expect(waits).toBeGreaterThan(0);
    expect(waits).toBeLessThanOrEqual(MAX_SHRINKS);
  });
});
