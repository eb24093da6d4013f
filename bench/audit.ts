/**
 * Bench: `flitstack audit` against the PracticeHub sandbox (in a child process, as a real server would
 * be) at scale 1 and 20 requests per second. Reports the audit's requests against the least it needs,
 * then performs the full extraction the estimate plans (every list, probe and document download, through
 * the PracticeHub client) and compares the estimated time with the measured one.
 * Run: npx tsx bench/audit.ts [--scale 1] [--rate 20] [--sample-pages 2]
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { readSpecDir } from '../cli/spec-files.ts';
import { buildIr } from '../compiler/ir/build.ts';
import { validateSpec } from '../compiler/validate/index.ts';
import { createSchemaValidators } from '../compiler/validate/schemas.ts';
import {
  attachmentsOf,
  buildReport,
  duration,
  measureExtraction,
  pacedSeconds,
  type RunEstimate,
  takeInventory,
} from '../runtime/audit/index.ts';
import { startPracticeHubSandbox } from '../sandbox/practicehub/index.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const APP_DETAILS = 'flitstack-bench=ops@example.com';

interface Ready {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly counts: Record<string, number>;
}

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

async function serve(scale: number, rate: number): Promise<void> {
  const sandbox = await startPracticeHubSandbox({ scale, rate });
  process.send?.({
    baseUrl: sandbox.baseUrl,
    apiKey: sandbox.apiKey,
    counts: sandbox.counts(),
  } satisfies Ready);
  process.on('message', async (message) => {
    if (message === 'stop') {
      await sandbox.close();
      process.exit(0);
    }
  });
}

async function bench(scale: number, rate: number, samplePages: number): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ['--child', String(scale), String(rate)], {
    execArgv: ['--import', 'tsx'],
  });
  const ready = await new Promise<Ready>((resolve) => child.once('message', (m) => resolve(m as Ready)));
  try {
    const input = readSpecDir(join(ROOT, 'spec'), ROOT);
    const files = new Map(input.files);
    const migration = files
      .get('migration.yaml')!
      .replace('requests_per_second: 1 }', `requests_per_second: ${rate} }`);
    files.set('migration.yaml', migration);
    const { context, diagnostics } = validateSpec({ root: 'spec', files }, createSchemaValidators());
    if (diagnostics.some((d) => d.severity === 'error')) throw new Error('the shipped spec has errors');
    const ir = buildIr(context);
    const client = {
      baseUrl: ready.baseUrl,
      apiKey: ready.apiKey,
      appDetails: APP_DETAILS,
      requestsPerSecond: rate,
      pageSize: 100,
    };
    const inventory = await takeInventory({
      client,
      model: context.source,
      samplePages,
      attachments: attachmentsOf(ir, context.source),
    });
    const report = buildReport(inventory, {
      auditedAt: new Date(),
      account: 'demo',
      region: 'eu',
      baseUrl: ready.baseUrl,
      requestsPerSecond: rate,
      pageSize: 100,
      samplePages,
      model: context.source,
      ir,
    });
    const estimate = report.estimate as RunEstimate;
    const r = inventory.requests;
    console.log(
      `flitstack audit at scale ${scale}, ${rate} requests/s, ${samplePages} sampled pages per resource`,
    );
    console.log(
      `  audit: ${r.made} requests (least needed ${r.minimum}; ${r.throttled} throttled, ${r.retried} retried) in ${duration(r.seconds)}`,
    );
    const records = Object.values(ready.counts).reduce((a, b) => a + b, 0);
    console.log(
      `  source: ${records} records in ${inventory.resources.filter((x) => x.served).length} resources; median page answer ${Math.round(inventory.latency_seconds * 1000)} ms`,
    );
    if (inventory.download) {
      console.log(
        `  timed download: ${inventory.download.bytes} bytes in ${Math.round(inventory.download.seconds * 1000)} ms`,
      );
    }
    await sleep(1_100); // the server's one-second window still holds the audit's last requests
    const measured = await measureExtraction(estimate.source, {
      baseUrl: ready.baseUrl,
      apiKey: ready.apiKey,
      appDetails: APP_DETAILS,
    });
    const error = (estimate.source.seconds - measured.seconds) / measured.seconds;
    console.log('');
    console.log('| measure | estimated | measured |');
    console.log('| --- | --- | --- |');
    console.log(`| PracticeHub requests | ${estimate.source.requests} | ${measured.requests} |`);
    console.log(
      `| records listed | ${estimate.source.lists.reduce((n, l) => n + l.total, 0)} | ${measured.records} |`,
    );
    console.log(
      `| documents downloaded | ${estimate.source.downloads.reduce((n, d) => n + d.count, 0)} | ${measured.downloads} (${Math.round(measured.bytes / 1e6)} MB) |`,
    );
    console.log(
      `| extraction time | ${estimate.source.seconds.toFixed(2)} s | ${measured.seconds.toFixed(2)} s (${(error * 100).toFixed(1)} %) |`,
    );
    console.log(`| throttled (429) | 0 | ${measured.stats.outcomes.throttled} |`);
    console.log('');
    console.log(
      `  Dataverse: ${estimate.load.requests} requests, ${estimate.load.operations} record operations, at least ${duration(estimate.load.min_seconds)}`,
    );
    console.log(
      `  at the real limit (1 request/s) the same extraction would take ${duration(pacedSeconds(estimate.source.requests, 1, estimate.source.latency_seconds, 0))}`,
    );
  } finally {
    child.send('stop');
  }
}

if (process.argv[2] === '--child') {
  await serve(Number(process.argv[3]), Number(process.argv[4]));
} else {
  await bench(option('scale', 1), option('rate', 20), option('sample-pages', 2));
}
