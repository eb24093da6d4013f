import type { SourceModel } from '../../compiler/model/spec.ts';
import {
  PracticeHubClient,
  type PracticeHubClientOptions,
  PracticeHubConfigError,
  type PracticeHubEvent,
  type PracticeHubPage,
  type PracticeHubRecord,
  PracticeHubRequestError,
} from '../practicehub/index.ts';
import {
  type Attachment,
  attachedFileSizes,
  type BinaryVolume,
  binaryVolume,
  type DownloadTiming,
  pathOf,
  timeDownload,
} from './files.ts';
import { childSummaries, type FieldSummary } from './infer.ts';
import { addRecords, newResourceProfile } from './profile.ts';

/**
 * Resources the PracticeHub documentation lists (reference practicehub.md, Documented: "resources
 * seen"), in the API's path style. The API has no index of its resources, so these names, plus
 * `<name>_id` fields that point nowhere the model knows, are how the audit finds resources the model
 * lacks: one page_size=1 request each, and a 404 says the account does not serve it.
 */
export const DOCUMENTED_RESOURCES = [
  'patients',
  'practitioners',
  'appointments',
  'appointment_types',
  'invoices',
  'payments',
  'payment_methods',
  'patient_packages',
  'care_plans',
  'clinical_notes',
  'custom_form_responses',
  'patient_logs',
  'files',
] as const;

/** What the audit learnt of one resource. */
export interface ResourceAudit {
  readonly resource: string;
  readonly in_model: boolean;
  /** False when the API answered 404 for it. */
  readonly served: boolean;
  readonly total: number;
  readonly pages_sampled: number;
  readonly sampled: number;
  readonly fields: readonly FieldSummary[];
  readonly binary?: BinaryVolume;
}

/** The inventory and what it cost. Sampled records stay in memory only (they may hold PHI). */
export interface Inventory {
  readonly resources: readonly ResourceAudit[];
  readonly samples: ReadonlyMap<string, readonly PracticeHubRecord[]>;
  readonly projection: 'supported' | 'unsupported' | 'unknown';
  /** Median time to the status line of a full page, seconds (0 when no full page was read). */
  readonly latency_seconds: number;
  /** Sizes of the sampled files that attachments point at, by `resource.field`. */
  readonly attached_sizes: Readonly<Record<string, readonly number[]>>;
  /** The timed download (of the largest sampled attached file up to 8 MB), if there was one. */
  readonly download?: DownloadTiming;
  readonly requests: {
    readonly made: number;
    /** What the inventory needs at the least: one request per page sampled (or count), per probe. */
    readonly minimum: number;
    readonly probes: number;
    readonly throttled: number;
    readonly retried: number;
    readonly seconds: number;
  };
}

/** Options of takeInventory. */
export interface InventoryOptions {
  /** How to reach the API; the inventory owns its client (pages one at a time, no read-ahead). */
  readonly client: PracticeHubClientOptions;
  readonly model: SourceModel | undefined;
  /** Pages sampled per resource (0: counts only, one page_size=1 request each). */
  readonly samplePages: number;
  /** Resource names to try beyond the model (default DOCUMENTED_RESOURCES). */
  readonly candidates?: readonly string[];
  /** Documents the spec attaches: the audit times one download of them. */
  readonly attachments?: readonly Attachment[];
  /** Resources sampled at once; they share the client's pacer (default 4). */
  readonly concurrency?: number;
  readonly onProgress?: (line: string) => void;
}

async function pool<T, R>(items: readonly T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await run(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(size, items.length)) }, worker));
  return out;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function pageSizeOf(url: string): number | undefined {
  try {
    return Number(new URL(url).searchParams.get('page_size') ?? Number.NaN);
  } catch {
    return undefined;
  }
}

/** Resources named by `<name>_id` fields the model does not point anywhere. */
function referencedCandidates(resources: readonly ResourceAudit[]): string[] {
  const names = new Set<string>();
  for (const r of resources)
    for (const f of r.fields) {
      const m = /^([a-z][a-z0-9_]*)_id$/.exec(f.name);
      if (m && !f.in_model && f.present > 0) names.add(`${m[1]}s`);
    }
  return [...names];
}

/**
 * The pages sampled out of `count`: `wanted` of them spread evenly from the first to the last, so that
 * the sample holds records from all through the resource, not only those the first pages hold (the
 * oldest, in the sandbox's order by id; the API documents no order), which may lack fields and values
 * newer records have. Ascending, each once; all pages when `wanted` covers them.
 */
export function spreadPages(wanted: number, count: number): number[] {
  if (wanted >= count) return Array.from({ length: count }, (_, i) => i + 1);
  if (wanted <= 1) return [1];
  // Steps of at least one page: rounding keeps the pages distinct.
  const step = (count - 1) / (wanted - 1);
  return Array.from({ length: wanted }, (_, i) => 1 + Math.round(i * step));
}

/** Page `n` of a resource (one request: the inventory's client reads no page ahead). */
async function onePage(client: PracticeHubClient, resource: string, n: number): Promise<PracticeHubPage> {
  for await (const page of client.pages(resource, { fromPage: n })) return page;
  throw new Error(
    `PracticeHub answered no page ${n} of ${resource} (GET ${resource}?page=${n}), which its first page counts: run the audit again`,
  );
}

/**
 * Counts and samples every resource of the model, then tries the candidate names the model lacks.
 * Counts come from `total_entries`: of the first page, or of a page_size=1 request when no page is
 * sampled, so each resource costs max(1, pages sampled) requests. The pages after the first are
 * spread over the resource (spreadPages).
 */
export async function takeInventory(options: InventoryOptions): Promise<Inventory> {
  const latencies: number[] = [];
  const pageSize = options.client.pageSize ?? 100;
  const outer = options.client.onEvent;
  const sentAt = new Map<string, number>();
  const onEvent = (e: PracticeHubEvent) => {
    if (e.type === 'request' && !e.url.includes('/api/')) sentAt.set(pathOf(e.url), e.at);
    if (e.type === 'response' && e.status === 200 && pageSize > 1 && pageSizeOf(e.url) === pageSize)
      latencies.push(e.ms / 1000);
    outer?.(e);
  };
  const client = new PracticeHubClient({ ...options.client, prefetchPages: 0, onEvent });
  const started = performance.now();
  const samples = new Map<string, PracticeHubRecord[]>();
  let minimum = 0;
  const model = options.model;
  const audit = async (resource: string): Promise<ResourceAudit> => {
    const profile = newResourceProfile();
    const records: PracticeHubRecord[] = [];
    let total = 0;
    let pages = 0;
    try {
      if (options.samplePages === 0) {
        total = await client.count(resource);
        minimum += 1;
      } else {
        const take = (page: PracticeHubPage) => {
          pages += 1;
          addRecords(profile, page.records);
          records.push(...page.records);
        };
        const first = await onePage(client, resource, 1);
        take(first);
        total = first.totalEntries;
        // A full first page with more after it gives the page size the API keeps to (it caps it).
        const count = first.hasNext ? Math.ceil(total / Math.max(1, first.records.length)) : 1;
        for (const n of spreadPages(options.samplePages, count).slice(1))
          take(await onePage(client, resource, n));
        minimum += pages;
      }
    } catch (error) {
      if (!(error instanceof PracticeHubRequestError) || error.status !== 404) throw error;
      minimum += 1;
      options.onProgress?.(`${resource}: not served (404)`);
      const inModel = model?.resources.has(resource) ?? false;
      return {
        resource,
        in_model: inModel,
        served: false,
        total: 0,
        pages_sampled: 0,
        sampled: 0,
        fields: [],
      };
    }
    samples.set(resource, records);
    const modelFields = model?.resources.get(resource)?.fields;
    options.onProgress?.(
      `${resource}: ${total} records${pages > 0 ? `, ${records.length} sampled from ${pages} page${pages === 1 ? '' : 's'}` : ''}`,
    );
    const binary = binaryVolume(records, total);
    return {
      resource,
      in_model: modelFields !== undefined,
      served: true,
      total,
      pages_sampled: pages,
      sampled: records.length,
      fields: childSummaries(profile.fields, modelFields, profile.records, ''),
      ...(binary ? { binary } : {}),
    };
  };
  try {
    const concurrency = options.concurrency ?? 4;
    const modelNames = [...(model?.resources.keys() ?? [])];
    const known = await pool(modelNames, concurrency, audit);
    const tried = new Set(modelNames);
    const candidates = [...(options.candidates ?? DOCUMENTED_RESOURCES), ...referencedCandidates(known)]
      .filter((n) => !tried.has(n) && /^[a-z][a-z0-9_]*$/.test(n))
      .filter((n, i, all) => all.indexOf(n) === i);
    const found = (await pool(candidates, concurrency, audit)).filter((r) => r.served);
    const asked = modelNames.length + candidates.length;
    if (asked > 0 && found.length === 0 && known.every((r) => !r.served))
      throw new PracticeHubConfigError(
        `PracticeHub answered 404 for every resource (${asked} tried, e.g. GET ${options.client.baseUrl.replace(/\/+$/, '')}/${modelNames[0] ?? candidates[0]}): ` +
          'the base URL does not lead to the API. Check PRACTICEHUB_BASE_URL (unset, it is built from source.account and ' +
          'region in migration.yaml): it ends in /api, as the documented https://{account}.neptune.practicehub.io/api ' +
          'or the one `flitstack sandbox` prints',
      );
    const probeOn = known.find((r) => r.served && r.total > 0)?.resource;
    let projection: Inventory['projection'] = 'unknown';
    if (probeOn) {
      projection = (await client.supportsProjection(probeOn)) ? 'supported' : 'unsupported';
      minimum += 1;
    }
    const attachedSizes = attachedFileSizes(options.attachments ?? [], samples);
    const download = await timeDownload(client, attachedSizes.files, sentAt, options.client.now ?? Date.now);
    if (download) minimum += 1;
    const stats = client.stats();
    return {
      resources: [...known, ...found],
      samples,
      projection,
      latency_seconds: median(latencies),
      attached_sizes: attachedSizes.sizes,
      ...(download ? { download } : {}),
      requests: {
        made: stats.requests,
        minimum,
        probes: stats.probes,
        throttled: stats.outcomes.throttled,
        retried: stats.retried,
        seconds: Math.round(performance.now() - started) / 1000,
      },
    };
  } finally {
    await client.close();
  }
}
