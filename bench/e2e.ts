/**
 * Bench: a whole `flitstack run` (a child process, as a user runs it) against both sandboxes (in this
 * process) at a raised PracticeHub rate, at two sizes. Reports, from one run each:
 *   - PracticeHub requests / the minimum possible (every page of every resource read once, at the
 *     largest page size, plus one download per attached document), target ≤ 1.02;
 *   - achieved PracticeHub request rate / the limit, target ≥ 0.95: over the extraction (first to last
 *     request the sandbox served: the pacing itself) and over the whole wall time (start-up, the
 *     second pass and the last writes included);
 *   - wall time / the rate-limit bound (minimum requests / rate), target ≤ 1.15;
 *   - Dataverse requests per record written to tables with bulk messages, target ≤ 0.01;
 *   - peak RSS of the run at the large size / at the small one, target ≤ 1.3.
 * Run: npx tsx bench/e2e.ts [--small 10000] [--large 100000] [--rate 10]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bufferIo } from '../cli/io.ts';
import { run as cli } from '../cli/main.ts';
import * as generatedModule from '../generated/transformer.ts';
import type { GeneratedModule } from '../runtime/mapping/index.ts';
import { startSandboxes } from '../sandbox/index.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const generated: GeneratedModule = generatedModule;
/** Records at scale 1 (sandbox/practicehub data), to pick the scale for a record count. */
const RECORDS_AT_SCALE_1 = 26_860;

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Peak resident set of a process so far (VmHWM), in bytes; 0 once it is gone. */
function peakRss(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

interface Measured {
  readonly records: number;
  readonly seconds: number;
  /** Seconds from the first to the last PracticeHub request served, and how many were served. */
  readonly phWindow: number;
  readonly phServed: number;
  readonly phRequests: number;
  readonly phMinimum: number;
  readonly phThrottled: number;
  readonly dvBulkRequests: number;
  readonly dvRequests: number;
  readonly bulkRows: number;
  readonly rows: number;
  readonly peakRss: number;
}

async function measure(records: number, rate: number): Promise<Measured> {
  const scale = records / RECORDS_AT_SCALE_1;
  const sb = await startSandboxes({
    scale,
    rate,
    extraUsers: [
      { email: generated.MIGRATION.fallbackOwner ?? '', firstName: 'Migration', lastName: 'Owner' },
    ],
  });
  const dir = mkdtempSync(join(tmpdir(), 'flitstack-bench-e2e-'));
  try {
    const io = bufferIo(ROOT, { ...process.env, ...sb.env });
    if ((await cli(['node', 'flitstack', 'schema', 'apply'], io)) !== 0) throw new Error(io.stderr());
    const dvBefore = sb.dataverse.stats();
    const bulkTables = Object.values(generated.TABLES)
      .filter((t) => t.bulkMessages)
      .map((t) => t.name);
    const rowsBefore = Object.values(sb.dataverse.snapshot(bulkTables).tables).reduce(
      (n, rows) => n + rows.length,
      0,
    );
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [
        join(ROOT, 'bin/flitstack.js'),
        'run',
        '--journal',
        join(dir, 'journal.db'),
        '--archive-dir',
        join(dir, 'archive'),
        '--rate',
        String(rate),
        '--format',
        'json',
      ],
      { cwd: ROOT, env: { ...process.env, ...sb.env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    let peak = 0;
    const poll = setInterval(() => {
      peak = Math.max(peak, peakRss(child.pid!));
    }, 100);
    const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
    clearInterval(poll);
    const seconds = (performance.now() - started) / 1000;
    if (code !== 0) throw new Error(`flitstack run exited ${code}:\n${err.slice(-2000)}`);
    const summary = JSON.parse(out) as {
      practicehub: { requests: number; outcomes: { throttled: number } };
      summary: Record<string, { extracted: number }>;
    };
    // The minimum: each resource the run reads, every page once at the largest page size, plus the
    // file list when documents are attached, plus one download per document uploaded as an attachment.
    const counts = sb.practicehub.counts() as Record<string, number>;
    const pageSize = generated.MIGRATION.pageSize;
    const resources = new Set(Object.values(generated.MAPPINGS).map((m) => m.source));
    if (Object.values(generated.MAPPINGS).some((m) => m.document)) resources.add('files');
    let minimum = 0;
    for (const r of resources) minimum += Math.max(1, Math.ceil((counts[r] ?? 0) / pageSize));
    const snapshot = sb.dataverse.snapshot().tables;
    minimum += (snapshot.annotation ?? []).filter((a) => a.isdocument === true).length;
    const bulkRows = bulkTables.reduce((n, t) => n + (snapshot[t] ?? []).length, 0) - rowsBefore;
    const served = Object.values(sb.practicehub.stats().requests)[0]!;
    const dv = sb.dataverse.stats();
    const delta = (k: keyof typeof dv.requests) => dv.requests[k] - dvBefore.requests[k];
    return {
      records: Object.entries(counts)
        .filter(([r]) => resources.has(r))
        .reduce((n, [, c]) => n + c, 0),
      seconds,
      phWindow: (served.lastServedAt - served.firstServedAt) / 1000,
      phServed: served.served,
      phRequests: summary.practicehub.requests,
      phMinimum: minimum,
      phThrottled: summary.practicehub.outcomes.throttled,
      dvBulkRequests: delta('bulk'),
      dvRequests: delta('data') + delta('bulk') + delta('batch'),
      bulkRows,
      rows: dv.recordsCreated - dvBefore.recordsCreated + dv.recordsUpdated - dvBefore.recordsUpdated,
      peakRss: peak,
    };
  } finally {
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const ratio = (a: number, b: number) => (b === 0 ? 'n/a' : (a / b).toFixed(3));

async function main(): Promise<void> {
  const rate = option('rate', 10);
  const small = await measure(option('small', 10_000), rate);
  const large = await measure(option('large', 100_000), rate);
  for (const [name, m] of [
    ['small', small],
    ['large', large],
  ] as const) {
    const bound = m.phMinimum / rate;
    console.log(
      `${name}: ${m.records} source records, ${m.seconds.toFixed(1)} s, PracticeHub ${m.phRequests} requests (minimum ${m.phMinimum}, ${m.phThrottled} throttled) at ${rate}/s, Dataverse ${m.dvRequests} requests for ${m.rows} rows (${m.dvBulkRequests} bulk requests for ${m.bulkRows} rows on bulk tables), peak RSS ${(m.peakRss / 2 ** 20).toFixed(0)} MiB`,
    );
    console.log(
      `  PracticeHub requests / minimum      ${ratio(m.phRequests, m.phMinimum)}   (target ≤ 1.02)`,
    );
    // N requests paced at exactly the limit span (N - 1) / rate seconds.
    console.log(
      `  achieved request rate / limit        ${ratio((m.phServed - 1) / m.phWindow, rate)}   (target ≥ 0.95; over the extraction, ${m.phWindow.toFixed(1)} s)`,
    );
    console.log(
      `  requests / wall time / limit         ${ratio(m.phRequests / m.seconds, rate)}   (over the whole run, start-up and last writes included)`,
    );
    console.log(`  wall time / rate-limit bound         ${ratio(m.seconds, bound)}   (target ≤ 1.15)`);
    console.log(
      `  Dataverse requests / row, bulk tables ${ratio(m.dvBulkRequests, m.bulkRows)}   (target ≤ 0.01)`,
    );
    console.log(`  Dataverse requests / row, all tables  ${ratio(m.dvRequests, m.rows)}`);
  }
  console.log(
    `peak RSS at ${large.records} / at ${small.records} records  ${ratio(large.peakRss, small.peakRss)}   (target ≤ 1.3)`,
  );
}

await main();
