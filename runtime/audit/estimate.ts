import type { Ir } from '../../compiler/ir/types.ts';
import type { SourceModel } from '../../compiler/model/spec.ts';
import type { PracticeHubRecord } from '../practicehub/index.ts';
import { valueAt } from './records.ts';

/** One list a full run reads: a resource, page by page, projected to the fields the spec uses. */
export interface PlannedList {
  readonly resource: string;
  readonly total: number;
  /** max(1, ceil(total / page size)): an empty resource still costs one request. */
  readonly pages: number;
  readonly fields: readonly string[];
  readonly why: string;
}

/** Files a mapping attaches (`document:`): one download per record whose file field is set. */
export interface PlannedDownloads {
  readonly mapping: string;
  /** The resource whose records name the files, and the field holding the file id. */
  readonly resource: string;
  readonly field: string;
  /** The resource serving the file records (their download links). */
  readonly files: string;
  /** Records of `resource` times the share of sampled ones whose `field` is set (all, without a sample). */
  readonly count: number;
  /** How `count` was reached, in words. */
  readonly basis: string;
}

/** The source requests of a full run, and the time they take at the account's limit. */
export interface SourceEstimate {
  readonly requests_per_second: number;
  readonly page_size: number;
  /** The pacer's safety gap (runtime/practicehub/pacer.ts): 2 %. */
  readonly pace_margin: number;
  readonly lists: readonly PlannedList[];
  /** Probe requests of a full extraction: none (`fields=` is sent without one). */
  readonly probes: number;
  readonly downloads: readonly PlannedDownloads[];
  readonly requests: number;
  /** Median answer time of a full page in the audit, seconds. */
  readonly latency_seconds: number;
  /** Expected seconds of one attached download, on average (page latency plus its bytes at the timed bandwidth). */
  readonly download_seconds: number;
  readonly seconds: number;
}

/** Default pacing margin of the PracticeHub client (PracticeHubClientOptions.paceMargin). */
export const PACE_MARGIN = 0.02;

/**
 * Wall time of `requests` sent through the client's pacer (runtime/practicehub/pacer.ts): one request
 * per (1 + margin) / rate seconds. The first request leaves at once and the last one's answer ends the
 * run, so n requests take n − 1 intervals plus one answer. At under 2 requests per second the pacer
 * restarts its plan from the answer to a request sent from idle (the first), which adds that answer's
 * time once. Where a request can only leave after an earlier answer (a resource's first page after
 * its probe, its next pages after the first, a download after the one before), an answer slower than
 * the interval holds the schedule up by the difference. `downloads` are the expected durations of
 * the downloads (a sample of them, standing for `downloadCount`); they come last.
 */
export function pacedSeconds(
  requests: number,
  requestsPerSecond: number,
  latencySeconds: number,
  dependentRequests: number,
  margin = PACE_MARGIN,
  downloads: readonly number[] = [],
  downloadCount = 0,
): number {
  if (requests <= 0) return 0;
  const interval = (1 + margin) / requestsPerSecond;
  const window = Math.max(1, Math.floor(requestsPerSecond));
  const idleRestart = window === 1 ? latencySeconds : 0;
  const stall = (answer: number) => Math.max(0, answer - interval);
  let stalls = dependentRequests * stall(latencySeconds);
  let last = latencySeconds;
  if (downloadCount > 0 && downloads.length > 0) {
    const mean = (f: (d: number) => number) => downloads.reduce((n, d) => n + f(d), 0) / downloads.length;
    stalls += downloadCount * mean(stall);
    last = mean((d) => d);
  }
  return (requests - 1) * interval + last + idleRestart + stalls;
}

/** What the estimate takes from the inventory. */
export interface SourceFacts {
  readonly totals: ReadonlyMap<string, number>;
  /** Median answer time of a full page, seconds. */
  readonly latencySeconds: number;
  /** Sizes of sampled attached files by `resource.field`. */
  readonly attachedSizes: Readonly<Record<string, readonly number[]>>;
  /** One timed download: its bytes and seconds. */
  readonly download?: { readonly bytes: number; readonly seconds: number };
  /** The records the audit sampled, by resource: how many name a file. */
  readonly samples?: ReadonlyMap<string, readonly PracticeHubRecord[]>;
}

/**
 * Expected seconds of each sampled download: the page latency plus the bytes at the bandwidth the
 * timed download showed (none timed: latency alone).
 */
export function downloadSeconds(sizes: readonly number[], facts: SourceFacts): number[] {
  const timed = facts.download;
  const transfer = timed ? Math.max(0, timed.seconds - facts.latencySeconds) : 0;
  const perByte = timed && timed.bytes > 0 ? transfer / timed.bytes : 0;
  return sizes.map((size) => facts.latencySeconds + size * perByte);
}

function referencedResource(model: SourceModel | undefined, resource: string, field: string): string {
  return model?.resources.get(resource)?.fields.get(field)?.references ?? 'files';
}

/** The documents the spec attaches: which field of which resource names files of which resource. */
export function attachmentsOf(
  ir: Ir,
  model: SourceModel | undefined,
): { resource: string; field: string; files: string }[] {
  return ir.mappings.flatMap((m) => {
    if (!m.document) return [];
    const field = m.document.path[0]!;
    return [{ resource: m.source, field, files: referencedResource(model, m.source, field) }];
  });
}

/**
 * Files a full run downloads for `field` of `resource`: its records times the share of sampled
 * records that name a file (a sparse field downloads fewer), with the reckoning in words.
 */
function plannedFiles(
  resource: string,
  field: string,
  total: number,
  sample: readonly PracticeHubRecord[],
): { count: number; basis: string } {
  if (sample.length === 0) return { count: total, basis: `no ${resource} sampled: one file per record` };
  const filled = filledCount(sample, [field]);
  const count = Math.round((total * filled) / sample.length);
  const share = `${field} set in ${filled} of ${sample.length} sampled ${resource}`;
  if (sample.length >= total) return { count, basis: `${share} (all of them)` };
  const percent = Math.round((1000 * filled) / sample.length) / 10;
  return { count, basis: `${share} (${percent} %) × ${total} records` };
}

/**
 * The source side of a full run of `ir`: every resource a mapping reads (plus the staff resource),
 * listed once with the largest page; for mappings that attach documents, the file records are listed
 * too (their download links) and each attached file is downloaded once, one per record whose file
 * field the sample shows set. Records filtered by `where` still have to be read, so totals are whole
 * resources.
 */
export function estimateSource(
  ir: Ir,
  model: SourceModel | undefined,
  facts: SourceFacts,
  margin = PACE_MARGIN,
): SourceEstimate {
  const { totals, latencySeconds } = facts;
  const { requestsPerSecond: rate, pageSize } = ir.migration;
  const pagesOf = (total: number) => Math.max(1, Math.ceil(total / pageSize));
  const lists: PlannedList[] = ir.resources.map((r) => ({
    resource: r.name,
    total: totals.get(r.name) ?? 0,
    pages: pagesOf(totals.get(r.name) ?? 0),
    fields: r.used,
    why: `read by ${r.mappings.length > 0 ? r.mappings.join(', ') : 'owners.staff'}`,
  }));
  const downloads: PlannedDownloads[] = ir.mappings.flatMap((m) =>
    attachmentsOf({ ...ir, mappings: [m] }, model).map((a) => ({
      mapping: m.name,
      ...a,
      ...plannedFiles(a.resource, a.field, totals.get(m.source) ?? 0, facts.samples?.get(a.resource) ?? []),
    })),
  );
  for (const files of new Set(downloads.map((d) => d.files))) {
    if (lists.some((l) => l.resource === files)) continue;
    const total = totals.get(files) ?? 0;
    lists.push({
      resource: files,
      total,
      pages: pagesOf(total),
      fields: ['id', 'download_url'],
      why: `download links of the files ${downloads.map((d) => d.mapping).join(', ')} attach`,
    });
  }
  const pages = lists.reduce((n, l) => n + l.pages, 0);
  const fileCount = downloads.reduce((n, d) => n + d.count, 0);
  const probes = 0;
  const requests = pages + probes + fileCount;
  const dependent = lists.reduce((n, l) => n + 2 + (l.pages > 1 ? 1 : 0), 0);
  const durations = downloads.flatMap((d) =>
    downloadSeconds(facts.attachedSizes[`${d.resource}.${d.field}`] ?? [], facts),
  );
  const perDownload =
    durations.length > 0 ? durations.reduce((a, b) => a + b, 0) / durations.length : latencySeconds;
  return {
    requests_per_second: rate,
    page_size: pageSize,
    pace_margin: margin,
    lists,
    probes,
    downloads,
    requests,
    latency_seconds: latencySeconds,
    download_seconds: perDownload,
    seconds: pacedSeconds(
      requests,
      rate,
      latencySeconds,
      dependent,
      margin,
      durations.length > 0 ? durations : fileCount > 0 ? [latencySeconds] : [],
      fileCount,
    ),
  };
}

/** Sampled records whose value at `path` is present (not null, empty text or empty list). */
function filledCount(records: readonly PracticeHubRecord[], path: readonly string[]): number {
  return records.filter((r) => {
    const v = valueAt(r, path);
    return v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0);
  }).length;
}

/** Share of sampled records whose value at `path` is present (not null, empty text or empty list). */
export function filledShare(records: readonly PracticeHubRecord[], path: readonly string[]): number {
  return records.length === 0 ? 1 : filledCount(records, path) / records.length;
}
