/**
 * Bench: the PracticeHub sandbox at scale 50, run in a child process so its memory is measured alone.
 * Pages through patients and appointments (rate limit raised) and reports records/s and peak RSS.
 * Run: npx tsx bench/sandbox-practicehub.ts [--scale 50]
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startPracticeHubSandbox } from '../sandbox/practicehub/index.ts';

const RSS_TARGET_MB = 300;

interface Ready {
  readonly baseUrl: string;
  readonly apiKey: string;
}

/** The child: serve, and answer `peak` with the peak RSS in MB so far. */
async function serve(scale: number): Promise<void> {
  const sandbox = await startPracticeHubSandbox({ scale, rate: 1_000_000 });
  process.send?.({ baseUrl: sandbox.baseUrl, apiKey: sandbox.apiKey } satisfies Ready);
  process.on('message', async (message) => {
    if (message === 'peak') process.send?.({ peakMb: process.resourceUsage().maxRSS / 1024 });
    if (message === 'stop') {
      await sandbox.close();
      process.exit(0);
    }
  });
}

interface Row {
  readonly pass: string;
  readonly records: number;
  readonly pages: number;
  readonly seconds: number;
  readonly mb: number;
}

async function pageThrough(ready: Ready, pass: string, path: string): Promise<Row> {
  const headers = { 'x-practicehub-key': ready.apiKey, 'x-app-details': 'flitstack-bench=ops@example.com' };
  let next: string | null = `${ready.baseUrl}${path}`;
  let records = 0;
  let pages = 0;
  let bytes = 0;
  const t0 = performance.now();
  while (next) {
    const res = await fetch(next, { headers });
    if (res.status !== 200) throw new Error(`${next} answered ${res.status}`);
    const text = await res.text();
    bytes += text.length;
    const body = JSON.parse(text) as { data: unknown[]; links: { next: string | null } };
    records += body.data.length;
    pages += 1;
    next = body.links.next;
  }
  return { pass, records, pages, seconds: (performance.now() - t0) / 1000, mb: bytes / 1024 / 1024 };
}

function ask<T>(child: ReturnType<typeof fork>, message: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (reply) => resolve(reply as T));
    child.send(message);
  });
}

async function main(): Promise<void> {
  const scaleArg = process.argv.indexOf('--scale');
  const scale = scaleArg > 0 ? Number(process.argv[scaleArg + 1]) : 50;
  if (process.argv.includes('--serve')) return serve(scale);
  const child = fork(fileURLToPath(import.meta.url), ['--serve', '--scale', String(scale)]);
  const ready = await new Promise<Ready>((resolve) => child.once('message', (m) => resolve(m as Ready)));
  const rows: Row[] = [];
  rows.push(await pageThrough(ready, 'patients', '/patients'));
  rows.push(await pageThrough(ready, 'appointments', '/appointments'));
  rows.push(
    await pageThrough(
      ready,
      'appointments updated>=2026-01-01',
      '/appointments?updated=gte:2026-01-01T00:00:00Z',
    ),
  );
  const { peakMb } = await ask<{ peakMb: number }>(child, 'peak');
  child.send('stop');
  const out = (s: string): boolean => process.stdout.write(`${s}\n`);
  out(`PracticeHub sandbox bench, scale ${scale} (server in a child process)`);
  out('| pass | records | pages | seconds | records/s | MB of JSON |');
  out('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    out(
      `| ${r.pass} | ${r.records} | ${r.pages} | ${r.seconds.toFixed(1)} | ${Math.round(r.records / r.seconds)} | ${r.mb.toFixed(0)} |`,
    );
  }
  out(
    `peak server RSS: ${peakMb.toFixed(0)} MB (target < ${RSS_TARGET_MB} MB): ${peakMb < RSS_TARGET_MB ? 'ok' : 'OVER'}`,
  );
}

await main();
