/**
 * Bench: `flitstack reconcile` after a full run against both sandboxes (scale 1 by default). Reports,
 * for every-record and sampled checksums, the Dataverse requests per reconciled row and the PracticeHub
 * requests against the least one read of the source takes, with the time each took.
 * Run: npx tsx bench/reconcile.ts [--scale 1]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bufferIo } from '../cli/io.ts';
import { run } from '../cli/main.ts';
import type { IrSchemaPlan } from '../compiler/ir/types.ts';
import * as generated from '../generated/transformer.ts';
import { DataverseClient, optionsFromEnv } from '../runtime/dataverse/index.ts';
import { Journal } from '../runtime/journal/index.ts';
import type { GeneratedModule } from '../runtime/mapping/index.ts';
import { PracticeHubClient } from '../runtime/practicehub/index.ts';
import { reconcile } from '../runtime/reconcile/index.ts';
import { startSandboxes } from '../sandbox/index.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OWNER = 'migration.owner@harbourside.example';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const scale = option('scale', 1);
const module: GeneratedModule = generated;
const sb = await startSandboxes({
  scale,
  rate: 1000,
  extraUsers: [{ email: OWNER, firstName: 'Migration', lastName: 'Owner' }],
});
const dir = mkdtempSync(join(tmpdir(), 'flitstack-bench-reconcile-'));
try {
  const cli = async (...args: string[]) => {
    const io = bufferIo(ROOT, { ...process.env, ...sb.env });
    const code = await run(['node', 'flitstack', ...args], io);
    if (code !== 0) throw new Error(`flitstack ${args[0]} exited ${code}: ${io.stderr().slice(-500)}`);
  };
  const journalFile = join(dir, 'journal.db');
  await cli('schema', 'apply');
  await cli('run', '--journal', journalFile, '--rate', '1000', '--archive-dir', join(dir, 'archive'));
  const plan = JSON.parse(readFileSync(join(ROOT, 'generated', 'schema-plan.json'), 'utf8')) as IrSchemaPlan;
  const journal = Journal.open(journalFile, { readonly: true });
  const target = journal.runs().at(-1)!;
  const counts = sb.practicehub.counts();
  console.log(
    `scale ${scale}: ${Object.values(counts).reduce((a, b) => a + b, 0)} source records, run ${target.id}`,
  );
  for (const checksums of ['all', 'sample'] as const) {
    const practicehub = new PracticeHubClient({
      baseUrl: sb.practicehub.baseUrl,
      apiKey: sb.practicehub.apiKey,
      appDetails: `flitstack-bench=${OWNER}`,
      requestsPerSecond: 1000,
      pageSize: module.MIGRATION.pageSize,
    });
    const dataverse = new DataverseClient(optionsFromEnv(sb.env));
    // Counted by the servers, not by the reconcile under test.
    const served = () => Object.values(sb.practicehub.stats().requests).reduce((n, k) => n + k.served, 0);
    const phBefore = served();
    const dvBefore = sb.dataverse.stats().requests.data;
    const started = performance.now();
    const result = await reconcile(
      { module, plan, practicehub, dataverse, journal, account: 'harbourside.eu' },
      { run: target, checksums },
    );
    const seconds = (performance.now() - started) / 1000;
    const checked = result.mappings.reduce((n, m) => n + m.checked, 0);
    const dvMade = sb.dataverse.stats().requests.data - dvBefore;
    const phMade = served() - phBefore;
    const rows = result.requests.dataverse.rows;
    // Every record: each resource the spec reads, every page once. Sampled: the pages reconcile chose.
    const minimum =
      checksums === 'all'
        ? [...new Set(Object.values(module.MAPPINGS).map((m) => m.source))].reduce(
            (n, r) =>
              n + Math.max(1, Math.ceil((counts[r as keyof typeof counts] ?? 0) / module.MIGRATION.pageSize)),
            0,
          )
        : result.requests.practicehub.minimum;
    console.log(
      [
        `checksums ${checksums}: ${result.ok ? 'passed' : 'FAILED'} in ${seconds.toFixed(1)} s; ${checked} records checked`,
        `  Dataverse: ${dvMade} data requests served for ${rows} rows = ${(dvMade / Math.max(1, rows)).toFixed(4)} per row (1/50 = 0.0200 is one In() query per 50 ids)`,
        `  PracticeHub: ${phMade} requests served, minimum ${minimum} (${phMade - minimum} over)`,
      ].join('\n'),
    );
    await Promise.all([practicehub.close(), dataverse.close()]);
  }
  journal.close();
} finally {
  await sb.close();
  rmSync(dir, { recursive: true, force: true });
}
