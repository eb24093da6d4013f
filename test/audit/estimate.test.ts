import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AuditReport,
  attachmentsOf,
  auditMarkdown,
  buildReport,
  downloadSeconds,
  md,
  measureExtraction,
  pacedSeconds,
  type RunEstimate,
  takeInventory,
} from '../../runtime/audit/index.ts';
import { type Sandboxes, startSandboxes } from '../../sandbox/index.ts';
import { flitstack, journalPath, sandboxes } from '../support/migration.ts';
import { APP_DETAILS, cli, clientOptions, loadSpec, setRate, specCopy } from './helpers.ts';

describe('the pacing formula', () => {
  it('is n − 1 intervals (2 % margin) plus one answer, and the idle restart at under 2 requests/s', () => {
    expect(pacedSeconds(1, 20, 0.01, 0)).toBeCloseTo(0.01, 9);
    expect(pacedSeconds(101, 20, 0.01, 0)).toBeCloseTo(100 * 0.051 + 0.01, 9);
    expect(pacedSeconds(3, 1, 0.2, 0)).toBeCloseTo(2 * 1.02 + 0.2 + 0.2, 9);
    expect(pacedSeconds(0, 1, 0.2, 5)).toBe(0);
  });

  it('adds the part of a slow answer beyond the interval wherever a request waits for one', () => {
    expect(pacedSeconds(10, 20, 0.1, 4)).toBeCloseTo(9 * 0.051 + 0.1 + 4 * (0.1 - 0.051), 9);
    expect(pacedSeconds(10, 20, 0.01, 4)).toBeCloseTo(9 * 0.051 + 0.01, 9);
    // Downloads come last: their mean stall per file, and the mean download time as the last answer.
    expect(pacedSeconds(10, 20, 0.01, 0, 0.02, [0.2, 0.02], 4)).toBeCloseTo(
      9 * 0.051 + (0.2 + 0.02) / 2 + 4 * ((0.2 - 0.051 + 0) / 2),
      9,
    );
  });

  it('times downloads from the page latency and the bandwidth of the timed file', () => {
    const facts = {
      totals: new Map(),
      latencySeconds: 0.01,
      attachedSizes: {},
      download: { bytes: 1e6, seconds: 0.11 },
    };
    expect(downloadSeconds([2e6, 0], facts)).toEqual([0.01 + 0.2, 0.01]);
    expect(downloadSeconds([5e6], { ...facts, download: undefined })).toEqual([0.01]);
  });
});

/** The audit (2 sample pages) of the sandbox's account with the shipped spec at 20 requests/s. */
async function auditAtRate20(sb: Sandboxes): Promise<{ report: AuditReport; estimate: RunEstimate }> {
  const { context, ir } = loadSpec(specCopy((spec) => setRate(spec, 20)));
  expect(ir.migration.requestsPerSecond).toBe(20);
  const inventory = await takeInventory({
    client: clientOptions(sb, 20),
    model: context.source,
    samplePages: 2,
    attachments: attachmentsOf(ir, context.source),
  });
  const report = buildReport(inventory, {
    auditedAt: new Date(),
    account: 'demo',
    region: 'eu',
    baseUrl: sb.practicehub.baseUrl,
    requestsPerSecond: 20,
    pageSize: 100,
    samplePages: 2,
    model: context.source,
    ir,
  });
  return { report, estimate: report.estimate as RunEstimate };
}

describe('the estimate against a real extraction (rate 20, scale 0.2)', () => {
  let sb: Sandboxes;
  beforeAll(async () => {
    sb = await startSandboxes({ rate: 20, scale: 0.2 });
  });
  afterAll(async () => sb.close());

  it('predicts the requests exactly, and no faster extraction than the rate allows', async () => {
    const { estimate } = await auditAtRate20(sb);
    const counts = sb.practicehub.counts();
    const pages = estimate.source.lists.reduce((n, l) => n + l.pages, 0);
    expect(pages).toBe(
      estimate.source.lists.reduce(
        (n, l) => n + Math.max(1, Math.ceil(counts[l.resource as 'files'] / 100)),
        0,
      ),
    );
    expect(estimate.source.downloads).toEqual([
      expect.objectContaining({ mapping: 'policy-document', files: 'files', count: counts.policy_documents }),
    ]);
    // The server's window still holds the audit's last second of requests.
    await sleep(1_100);
    const measured = await measureExtraction(estimate.source, {
      baseUrl: sb.practicehub.baseUrl,
      apiKey: sb.practicehub.apiKey,
      appDetails: APP_DETAILS,
    });
    expect(measured.stats.outcomes.throttled).toBe(0);
    expect(measured.requests).toBe(estimate.source.requests);
    expect(measured.downloads).toBe(counts.policy_documents);
    // The pace holds the extraction to the rate: the first request leaves at once, each later one no
    // sooner than 1/rate after the one before. How close the estimate (which adds the latency the audit
    // measured) lands is measured by bench/audit.ts, not asserted on a shared machine, where a busy
    // spell during the audit inflates the latency it measures.
    // The list pages alone take that long (downloads aside).
    expect(measured.seconds, `estimated ${estimate.source.seconds} s`).toBeGreaterThanOrEqual(
      (pages - 1) / 20,
    );
    expect(estimate.wall_seconds).toBeGreaterThanOrEqual(estimate.source.seconds);
    // appointment: one $batch per 500 rows, then the state pass; payment: UpsertMultiple (a custom table).
    const passes = estimate.load.passes.filter((p) => p.mapping === 'appointment');
    expect(passes.map((p) => [p.pass, p.rows, p.method, p.requests])).toEqual([
      ['rows', counts.appointments, '$batch', Math.ceil(counts.appointments / 500)],
      ['state', counts.appointments, '$batch', Math.ceil(counts.appointments / 500)],
    ]);
    expect(estimate.load.passes.find((p) => p.mapping === 'payment')).toMatchObject({
      rows: counts.payments,
      method: 'UpsertMultiple',
    });
  });
});

describe('the download estimate of a sparse file field (rate 20, scale 0.2)', () => {
  let sb: Sandboxes;
  beforeAll(async () => {
    sb = await startSandboxes({ rate: 20, scale: 0.2 });
  });
  afterAll(async () => sb.close());

  it('counts only the records whose file field is set, says so, and matches a real extraction', async () => {
    // Every policy document names its file in the generated data; take the file away from all but
    // every fifth one, so the field is filled in about 20 % of the records.
    const ids = [...sb.practicehub.records('policy_documents')].map((r) => r.id as string);
    const cleared = ids.filter((_, i) => i % 5 !== 0);
    sb.practicehub.mutate({
      resource: 'policy_documents',
      action: 'update',
      ids: cleared,
      patch: { file_id: null },
    });
    const withFile = ids.length - cleared.length;
    expect(withFile).toBeGreaterThan(0);
    expect(cleared.length).toBeGreaterThan(withFile);
    const { report, estimate } = await auditAtRate20(sb);
    const basis = `file_id set in ${withFile} of ${ids.length} sampled policy_documents (all of them)`;
    expect(estimate.source.downloads).toEqual([
      expect.objectContaining({ mapping: 'policy-document', field: 'file_id', count: withFile, basis }),
    ]);
    expect(auditMarkdown(report)).toContain(
      `| ${md('policy-document')} | ${md('policy_documents.file_id')} | ${withFile} | ${md(basis)} |`,
    );
    await sleep(1_100);
    const measured = await measureExtraction(estimate.source, {
      baseUrl: sb.practicehub.baseUrl,
      apiKey: sb.practicehub.apiKey,
      appDetails: APP_DETAILS,
    });
    expect(measured.downloads).toBe(withFile);
    expect(measured.requests).toBe(estimate.source.requests);
  });
});

describe('the Dataverse estimate against a real first run on the same data (scale 0.2)', () => {
  let sb: Sandboxes;
  beforeAll(async () => {
    sb = await sandboxes({ scale: 0.2 });
  });
  afterAll(async () => sb?.close());

  it('counts the writes, the GETs and the metadata reads the run sends, within stated margins', async () => {
    const dir = specCopy((spec) => setRate(spec, 1000));
    const audited = await cli(dir, sb.env, 'audit', '--sample-pages', '2', '--format', 'json');
    expect(audited.code).toBe(0);
    const estimate = (JSON.parse(audited.out) as AuditReport).estimate as RunEstimate;
    expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
    const before = sb.dataverse.stats().requests;
    const run = await flitstack(sb, 'run', '--journal', journalPath(), '--rate', '1000');
    expect(run.code, run.err).toBe(0);
    const after = sb.dataverse.stats().requests;
    const sent = (kind: keyof typeof after) => after[kind] - before[kind];
    const writes = sent('batch') + sent('bulk');
    const gets = sent('data');
    const metadata = sent('metadata');
    const load = estimate.load;
    // Reads sent as the GET parts of a $batch count among the $batch requests.
    const batchedReads = load.reads.gets.filter((g) => g.batch).reduce((n, g) => n + g.requests, 0);
    const estimatedGets = load.reads.requests - load.reads.metadata - batchedReads;
    const report = `estimated ${load.write_requests} writes, ${estimatedGets} GETs, ${load.reads.metadata} metadata reads; the run sent ${writes}, ${gets}, ${metadata}`;
    // Writes and GETs scale with the data: within 10 %. Metadata reads are a fixed cost per table; the
    // estimate counts the option columns the snapshot and the spec know, a floor within 20 %.
    expect(Math.abs(load.write_requests + batchedReads - writes) / writes, report).toBeLessThanOrEqual(0.1);
    expect(Math.abs(estimatedGets - gets) / gets, report).toBeLessThanOrEqual(0.1);
    expect(load.reads.metadata, report).toBeLessThanOrEqual(metadata);
    expect(load.reads.metadata / metadata, report).toBeGreaterThanOrEqual(0.8);
    const total = writes + gets + metadata;
    expect(load.requests, report).toBe(load.write_requests + load.reads.requests);
    expect(Math.abs(load.requests - total) / total, report).toBeLessThanOrEqual(0.15);
  }, 120_000);
});
