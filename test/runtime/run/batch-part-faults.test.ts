import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../../generated/transformer.ts';
import { DataverseClient, optionsFromEnv } from '../../../runtime/dataverse/index.ts';
import { Journal } from '../../../runtime/journal/index.ts';
import { type RunResult, runMigration } from '../../../runtime/run/pipeline.ts';
import type { Sandboxes } from '../../../sandbox/index.ts';
import { NO_FAULTS } from '../../../sandbox/shared/faults.ts';
import { flitstack, loadDeps, sandboxes } from '../../support/migration.ts';

let sb: Sandboxes;
let dir: string;
let journal: Journal;
let result: RunResult;
beforeAll(async () => {
  sb = await sandboxes({
    scale: 0.05,
    seed: 47,
    faults: { dataverse: { ...NO_FAULTS, ratePart: 0.1, seed: 9 } },
  });
  dir = mkdtempSync(join(tmpdir(), 'flitstack-part-faults-'));
  journal = Journal.open(join(dir, 'journal.db'));
  const applied = await flitstack(sb, 'schema', 'apply');
  if (applied.code !== 0) throw new Error(`schema apply failed: ${applied.err}`);
  const base = loadDeps(sb, journal, generatedModule, dir);
  await base.dataverse.close();
  const deps = {
    ...base,
    dataverse: new DataverseClient({ ...optionsFromEnv(sb.env), backoff: { baseMs: 5, maxMs: 50 } }),
  };
  try {
    result = await runMigration(deps);
  } finally {
    await Promise.all([deps.practicehub.close(), deps.dataverse.close()]);
  }
}, 180_000);
afterAll(async () => {
  journal?.close();
  await sb?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * A write inside a `$batch` that meets a deadlock, a SQL timeout, 502 or 503 of its own goes through when
 * sent again: it is a transient failure, not a refusal of the row.
 */
describe('a run whose $batch writes fail on their own now and then', () => {
  it('sends them again: no record is rejected and every patient has its contact', () => {
    expect(sb.dataverse.stats().faultsInjected).toBeGreaterThan(0);
    const refused = [...journal.operations(result.run.id, { action: 'reject' })].map((op) => op.reason);
    expect(refused).toEqual([]);
    expect(result.rejected).toBe(0);
    expect(result.unbalanced).toEqual([]);
    const patients = [...sb.practicehub.records('patients')] as { id: string; deleted_at?: unknown }[];
    const keys = new Set(sb.dataverse.snapshot(['contact']).tables.contact!.map((r) => r.fs_practicehubid));
    for (const p of patients.filter((x) => !x.deleted_at)) expect(keys).toContain(`patient-${p.id}`);
  });
});
