/**
 * Bench: Dataverse requests per record deleted in PracticeHub, under each deleted_records policy.
 * Loads the shipped spec into the sandboxes, deletes 10% of the payments (rows nothing refers to) and
 * 2% of the patients (contacts their appointments refer to) in PracticeHub, and runs a delta, counting
 * the Dataverse requests the sandbox serves during the delta beyond those of a delta that finds no
 * change. Run: `npx tsx bench/delta.ts [--scale 0.2]`.
 * Target: the deletions' requests grow with batches of rows, not with rows (well under one per row).
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bufferIo } from '../cli/io.ts';
import { run } from '../cli/main.ts';
import * as generatedModule from '../generated/transformer.ts';
import { DataverseClient, optionsFromEnv } from '../runtime/dataverse/index.ts';
import { Journal } from '../runtime/journal/index.ts';
import type { GeneratedModule } from '../runtime/mapping/index.ts';
import { PracticeHubClient } from '../runtime/practicehub/index.ts';
import { runMigration } from '../runtime/run/pipeline.ts';
import { startSandboxes } from '../sandbox/index.ts';

const shipped: GeneratedModule = generatedModule;
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const at = process.argv.indexOf('--scale');
const scale = at > 0 ? Number(process.argv[at + 1]) : 0.2;
const out = (line = '') => process.stdout.write(`${line}\n`);

async function measure(policy: GeneratedModule['MIGRATION']['deletedRecords']): Promise<void> {
  const sb = await startSandboxes({
    scale,
    rate: 1000,
    extraUsers: [{ email: 'migration.owner@harbourside.example', firstName: 'Migration', lastName: 'Owner' }],
  });
  const dir = mkdtempSync(join(tmpdir(), 'flitstack-bench-delta-'));
  const journal = Journal.open(join(dir, 'journal.db'));
  const module: GeneratedModule = { ...shipped, MIGRATION: { ...shipped.MIGRATION, deletedRecords: policy } };
  const practicehub = new PracticeHubClient({
    baseUrl: sb.practicehub.baseUrl,
    apiKey: sb.practicehub.apiKey,
    appDetails: 'flitstack-bench=bench@example.com',
    requestsPerSecond: 1000,
  });
  const dataverse = new DataverseClient(optionsFromEnv(sb.env));
  const deps = {
    module,
    journal,
    practicehub,
    dataverse,
    account: 'harbourside.eu',
    specHash: 'spec',
    codeHash: 'code',
    archiveDir: join(dir, 'archive'),
  };
  try {
    const io = bufferIo(ROOT, { ...process.env, ...sb.env });
    if ((await run(['node', 'flitstack', 'schema', 'apply'], io)) !== 0) throw new Error(io.stderr());
    let parentRun = (await runMigration(deps)).run.id;
    const since = () => Object.fromEntries(journal.watermarks.all().map((w) => [w.resource, w.maxUpdatedAt]));
    const served = () => Object.values(sb.dataverse.stats().requests).reduce((n, v) => n + v, 0);
    const delta = async () => {
      const before = served();
      const started = performance.now();
      const result = await runMigration(deps, { kind: 'delta', since: since(), parentRun });
      parentRun = result.run.id;
      return { requests: served() - before, ms: performance.now() - started, result };
    };
    const idle = await delta();
    const counts = sb.practicehub.counts();
    const payments = sb.practicehub.mutate({
      resource: 'payments',
      action: 'delete',
      count: Math.round(counts.payments / 10),
    }).length;
    const patients = sb.practicehub.mutate({
      resource: 'patients',
      action: 'delete',
      count: Math.round(counts.patients / 50),
    }).length;
    const busy = await delta();
    const ops = [...journal.operations(busy.result.run.id)];
    const tally = (action: string) => ops.filter((o) => o.action === action).length;
    const extra = busy.requests - idle.requests;
    const records = payments + patients;
    out(
      `| ${policy} | ${payments} + ${patients} | ${tally('delete')} / ${tally('deactivate')} / ${tally('skip')} / ${tally('reject')} | ${idle.requests} | ${busy.requests} | ${(extra / records).toFixed(3)} | ${Math.round(busy.ms)} |`,
    );
  } finally {
    journal.close();
    await Promise.all([practicehub.close(), dataverse.close(), sb.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

out(`scale ${scale}: a delta after deleting 10% of the payments and 2% of the patients in PracticeHub\n`);
out(
  '| deleted_records | records deleted (payments + patients) | delete / deactivate / skip / reject | Dataverse requests, delta with no change | with the deletions | extra requests per deleted record | ms |',
);
out('| --- | ---: | --- | ---: | ---: | ---: | ---: |');
for (const policy of ['delete', 'deactivate'] as const) await measure(policy);
