/**
 * Bench: Dataverse requests per rolled-back row.
 * Loads the shipped spec into the sandboxes (scale 0.4: about 10,000 rows), changes 10% of the patients
 * and runs again (updates with pre-images), then rolls back the second run (restores) and the first
 * (deletes), counting the requests each rollback sends: on the client (by kind) and on the server, and
 * among them those of the check for records flitstack did not write that point to the rows to delete
 * (relationship metadata and one paged query per lookup column: `foreignReferences`).
 * Run: `npx tsx bench/rollback.ts [--scale 0.4] [--batch-size N]`. Target: well under 0.01 requests per
 * row (one $batch per batch of rows, instead of a request per row).
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
import { type RollbackEvent, rollbackRun } from '../runtime/rollback/index.ts';
import { startSandboxes } from '../sandbox/index.ts';

const generated: GeneratedModule = generatedModule;
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const arg = (name: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : undefined;
};
const scale = arg('--scale') ?? 0.4;
const batchSize = arg('--batch-size');
const out = (line = '') => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const sb = await startSandboxes({
    scale,
    rate: 1000,
    extraUsers: [{ email: 'migration.owner@harbourside.example', firstName: 'Migration', lastName: 'Owner' }],
  });
  const dir = mkdtempSync(join(tmpdir(), 'flitstack-bench-rollback-'));
  const journalPath = join(dir, 'journal.db');
  const cli = async (...args: string[]) => {
    const io = bufferIo(ROOT, { ...process.env, ...sb.env });
    const code = await run(['node', 'flitstack', ...args], io);
    if (code !== 0) throw new Error(`flitstack ${args.join(' ')} exited ${code}: ${io.stderr()}`);
  };
  try {
    await cli('schema', 'apply');
    await cli('run', '--journal', journalPath, '--rate', '1000');
    sb.practicehub.mutate({
      resource: 'patients',
      action: 'update',
      count: Math.round(sb.practicehub.counts().patients / 10),
      patch: { last_name: 'Changed' },
    });
    await cli('run', '--journal', journalPath, '--rate', '1000');
    out(`scale ${scale}, batch size ${batchSize ?? `${generated.MIGRATION.batchSize} (spec)`}`);
    out(
      'run  rows undone  requests (client: batch/data/metadata/token)  server requests  requests/row  reference check (requests/rows to delete)  ms',
    );
    for (const target of [2, 1]) {
      const journal = Journal.open(journalPath);
      const client = new DataverseClient(optionsFromEnv({ ...sb.env }));
      const server = sb.dataverse.stats().requests;
      const serverBefore = Object.values(server).reduce((n, v) => n + v, 0);
      const started = performance.now();
      let check = '-';
      const onEvent = (e: RollbackEvent) => {
        if (e.type === 'start') check = `0/${e.toDelete}`;
        if (e.type === 'references') check = `${e.requests}/${check.split('/')[1]}`;
      };
      const result = await rollbackRun({ dataverse: client, journal, module: generated, onEvent }, target, {
        ...(batchSize ? { batchSize } : {}),
      });
      const ms = performance.now() - started;
      const rows = Object.values(result.summary).reduce((n, c) => n + c.deleted + c.restored + c.skipped, 0);
      const r = client.stats().requests;
      const total = r.batch + r.data + r.bulk + r.metadata + r.token;
      const serverAfter = Object.values(sb.dataverse.stats().requests).reduce((n, v) => n + v, 0);
      out(
        `${String(target).padStart(3)}  ${String(rows).padStart(10)}  ${String(total).padStart(8)} (${r.batch}/${r.data}/${r.metadata}/${r.token})${' '.repeat(20)}${String(serverAfter - serverBefore).padStart(15)}  ${(total / Math.max(1, rows)).toFixed(4).padStart(12)}  ${check.padStart(41)}  ${Math.round(ms)}`,
      );
      if (result.failed > 0) throw new Error(`${result.failed} rows failed`);
      journal.close();
      await client.close();
    }
  } finally {
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
