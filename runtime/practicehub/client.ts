import { Agent, type Dispatcher } from 'undici';
import { Backoff, type BackoffOptions } from '../shared/backoff.ts';
import { type Clock, systemClock } from './clock.ts';
import { PracticeHubConfigError, PracticeHubIgnoredFilterError, redactUrl } from './errors.ts';
import type { PracticeHubEventListener } from './events.ts';
import {
  type DownloadedFile,
  downloadFile,
  downloadToFile,
  type FileContext,
  type SavedFile,
} from './files.ts';
import { fetchList, fetchRecord, listUrl, MAX_PAGE_SIZE, recordUrl } from './list.ts';
import { Pacer } from './pacer.ts';
import { type EarlierWalk, pageStream } from './paging.ts';
import { type FilterProbe, probeProjection, probeUpdatedFilter } from './probes.ts';
import { isUpdatedSince, projectionFields, projectRecord } from './records.ts';
import { type PracticeHubClientStats, StatsRecorder } from './stats.ts';
import { Transport } from './transport.ts';
import type { FileRef, PracticeHubPage, PracticeHubRecord } from './types.ts';

/** Options of PracticeHubClient. */
export interface PracticeHubClientOptions {
  /** API base URL, from resolveBaseUrl (e.g. `https://demo.neptune.practicehub.io/api`). */
  readonly baseUrl: string;
  readonly apiKey: string;
  /** `x-app-details`: `<app name>=<contact email>`, e.g. `flitstack=ops@clinic.example`. */
  readonly appDetails: string;
  /** The account's limit (1 by default: reference practicehub.md, Documented: rate limit). */
  readonly requestsPerSecond?: number;
  /** Records per page, at most 100 (default 100). */
  readonly pageSize?: number;
  /** Retries after transient failures (5xx, resets, timeouts) per call (default 8). 429s do not count. */
  readonly maxRetries?: number;
  /** 429s in a row one call accepts before giving up (default 100). */
  readonly maxThrottled?: number;
  /** Backoff before retries (default 500 ms doubling up to 30 s, full jitter). */
  readonly backoff?: BackoffOptions;
  /** Seed of the backoff jitter (default 1). */
  readonly seed?: number;
  /** Share of the request interval kept as a safety gap (default 0.02). */
  readonly paceMargin?: number;
  /** Milliseconds to wait for a status line (default 30 s) and between body chunks (default 60 s). */
  readonly timeoutMs?: number;
  readonly bodyTimeoutMs?: number;
  /** Pages fetched ahead of the consumer (default 2: one in flight, one waiting for its slot). */
  readonly prefetchPages?: number;
  /** When `updated=` turns out to be ignored: throw (default) or scan everything and filter here. */
  readonly onIgnoredFilter?: 'error' | 'scan';
  /** undici dispatcher (default: an Agent owned by the client, closed by close()). */
  readonly dispatcher?: Dispatcher;
  /** Aborts every request of this client. */
  readonly signal?: AbortSignal;
  /** Injectable time, for tests. */
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Progress events (no secrets, no record data). */
  readonly onEvent?: PracticeHubEventListener;
}

/** Options of pages(). */
export interface PagesOptions {
  /** Only records updated at or after this ISO 8601 instant (`updated=gte:`), deleted ones with deleted_at. */
  readonly updatedSince?: string;
  /** Fields to keep; id, updated_at and deleted_at are always kept. Always sent as `fields=`; records are cut here too. */
  readonly fields?: readonly string[];
  /** First page to fetch (default 1): resumes an interrupted extraction. */
  readonly fromPage?: number;
  /** What the interrupted extraction had read before `fromPage` (see pageStream). */
  readonly earlier?: EarlierWalk;
}

/** Gives a fresh download link of the file with this id, after its link expired. */
export type LinkRefresh = (id: string) => Promise<FileRef>;

const APP_DETAILS = /^[^=\s][^=]*=\s*[^@\s]+@[^@\s]+\s*$/;

/**
 * Client of the PracticeHub API: paced to the account's limit, retrying what is transient, guarding
 * against filters the API ignores, paging by number so extractions resume.
 */
export class PracticeHubClient {
  private readonly baseUrl: string;
  private readonly transport: Transport;
  private readonly recorder = new StatsRecorder();
  private readonly emit: PracticeHubEventListener;
  private readonly pageSize: number;
  private readonly prefetch: number;
  private readonly onIgnoredFilter: 'error' | 'scan';
  private readonly ownAgent: Agent | undefined;
  private readonly signal: AbortSignal | undefined;
  private readonly filterProbes = new Map<string, Promise<FilterProbe>>();
  private readonly files: FileContext;

  constructor(options: PracticeHubClientOptions) {
    this.baseUrl = checkedBaseUrl(options.baseUrl);
    if (!options.apiKey) throw new PracticeHubConfigError('no API key: set PRACTICEHUB_API_KEY');
    if (!APP_DETAILS.test(options.appDetails)) {
      throw new PracticeHubConfigError(
        `appDetails must read '<app name>=<contact email>' (the documented x-app-details header), e.g. ` +
          `'flitstack=ops@clinic.example'`,
      );
    }
    this.pageSize = options.pageSize ?? MAX_PAGE_SIZE;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1 || this.pageSize > MAX_PAGE_SIZE) {
      // A larger page_size is silently capped at 100 (reference practicehub.md, Documented: paging),
      // which would make page numbers skip records: refuse it here.
      throw new PracticeHubConfigError(`pageSize must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
    }
    this.prefetch = options.prefetchPages ?? 2;
    this.onIgnoredFilter = options.onIgnoredFilter ?? 'error';
    this.signal = options.signal;
    this.emit = options.onEvent ?? (() => undefined);
    const clock: Clock = {
      now: options.now ?? systemClock.now,
      sleep: options.sleep ?? systemClock.sleep,
    };
    this.ownAgent = options.dispatcher ? undefined : new Agent({ keepAliveTimeout: 10_000 });
    this.transport = new Transport({
      apiKey: options.apiKey,
      appDetails: options.appDetails,
      origin: new URL(this.baseUrl).origin,
      dispatcher: options.dispatcher ?? this.ownAgent!,
      signal: options.signal,
      clock,
      pacer: new Pacer(options.requestsPerSecond ?? 1, clock, options.paceMargin ?? 0.02),
      backoff: new Backoff(options.backoff ?? { baseMs: 500, maxMs: 30_000 }, options.seed ?? 1),
      maxRetries: options.maxRetries ?? 8,
      maxThrottled: options.maxThrottled ?? 100,
      timeoutMs: options.timeoutMs ?? 30_000,
      bodyTimeoutMs: options.bodyTimeoutMs ?? 60_000,
      stats: this.recorder,
      emit: this.emit,
    });
    this.files = {
      transport: this.transport,
      stats: this.recorder,
      emit: this.emit,
      apiKey: options.apiKey,
      refresh: (id) => this.get('files', id) as Promise<PracticeHubRecord & FileRef>,
    };
  }

  /** Every page of a resource from `fromPage`, filtered and projected as asked. */
  async *pages(resource: string, options: PagesOptions = {}): AsyncGenerator<PracticeHubPage> {
    const fromPage = options.fromPage ?? 1;
    if (!Number.isInteger(fromPage) || fromPage < 1) {
      throw new PracticeHubConfigError(`fromPage must be a whole number from 1, got ${fromPage}`);
    }
    const since = options.updatedSince;
    if (since !== undefined) checkInstant(since);
    const scan = since !== undefined && !(await this.filterApplies(resource));
    const fields = options.fields ? projectionFields(options.fields) : undefined;
    const params: Record<string, string> = { page_size: String(this.pageSize) };
    if (since !== undefined && !scan) params.updated = `gte:${since}`;
    // Sent without a probe: a server without projection ignores unknown parameters (reference
    // practicehub.md, Documented: filters) and the records are cut here either way, so the answer is
    // the same and only the bytes differ.
    if (fields) params.fields = fields.join(',');
    const source = {
      pageSize: this.pageSize,
      lookahead: this.prefetch,
      fetch: (page: number, signal: AbortSignal) =>
        fetchList(this.transport, listUrl(this.baseUrl, resource, { page: String(page), ...params }), {
          signal,
        }),
    };
    for await (const { page, body, hasNext } of pageStream(source, fromPage, this.signal, options.earlier)) {
      let records = body.data;
      if (scan) records = records.filter((r) => isUpdatedSince(r, since!));
      if (fields) records = records.map((r) => projectRecord(r, fields));
      this.recorder.page(records.length);
      const totalEntries = body.totalEntries;
      this.emit({ type: 'page', resource, page, records: records.length, totalEntries, hasNext });
      yield { page, totalEntries, records, hasNext, clientFiltered: scan };
    }
  }

  /** Records matching the filter: one request with page_size=1 (a full scan when updated= is ignored). */
  async count(resource: string, filter: { readonly updatedSince?: string } = {}): Promise<number> {
    const since = filter.updatedSince;
    if (since === undefined) return this.total(resource, {});
    checkInstant(since);
    if (await this.filterApplies(resource)) return this.total(resource, { updated: `gte:${since}` });
    let n = 0;
    for await (const page of this.pages(resource, { updatedSince: since })) {
      n += page.records.length;
    }
    return n;
  }

  /** One record by id. */
  async get(resource: string, id: string): Promise<PracticeHubRecord> {
    return fetchRecord(this.transport, recordUrl(this.baseUrl, resource, id));
  }

  /**
   * A file's body in memory; an expired link is refreshed once, by `refresh` when given (a caller
   * holding many links may renew them all at once), else by reading the file record again.
   */
  download(file: FileRef, refresh?: LinkRefresh): Promise<DownloadedFile> {
    return downloadFile(this.fileContext(refresh), file);
  }

  /** A file streamed to `path` (via `<path>.part`); an expired link is refreshed once, as download does. */
  downloadTo(file: FileRef, path: string, refresh?: LinkRefresh): Promise<SavedFile> {
    return downloadToFile(this.fileContext(refresh), file, path);
  }

  /** Whether `fields=` projects on this resource: one probe request, for the audit's report. */
  async supportsProjection(resource: string): Promise<boolean> {
    const result = await probeProjection(this.transport, this.baseUrl, resource);
    this.emit({ type: 'probe', resource, kind: 'projection', result });
    return result === 'supported';
  }

  /**
   * Whether `updated=` filters on this resource (probed once per client, cached). When it does not and
   * onIgnoredFilter is 'error', throws PracticeHubIgnoredFilterError.
   */
  async filterApplies(resource: string): Promise<boolean> {
    const result = await this.cachedProbe(this.filterProbes, resource, async () => {
      const probe = await probeUpdatedFilter(this.transport, this.baseUrl, resource);
      this.emit({ type: 'probe', resource, kind: 'filter', result: probe.result });
      if (probe.result === 'ignored' && this.onIgnoredFilter === 'error') {
        throw new PracticeHubIgnoredFilterError(
          resource,
          'updated',
          redactUrl(probe.url),
          probe.totalEntries,
        );
      }
      return probe.result;
    });
    return result === 'applied';
  }

  /** Counters so far (requests by outcome, waits, bytes). */
  stats(): PracticeHubClientStats {
    return this.recorder.snapshot();
  }

  /** Closes the client's own connection pool (not a dispatcher passed in). */
  async close(): Promise<void> {
    await this.ownAgent?.close();
  }

  private fileContext(refresh: LinkRefresh | undefined): FileContext {
    return refresh ? { ...this.files, refresh } : this.files;
  }

  private async total(resource: string, filter: Record<string, string>): Promise<number> {
    const params = { page: '1', page_size: '1', ...filter, fields: 'id' };
    return (await fetchList(this.transport, listUrl(this.baseUrl, resource, params))).totalEntries;
  }

  private cachedProbe<T>(
    cache: Map<string, Promise<T>>,
    resource: string,
    run: () => Promise<T>,
  ): Promise<T> {
    let pending = cache.get(resource);
    if (!pending) {
      pending = run();
      cache.set(resource, pending);
      // A probe that failed on the network is not a result: the next caller probes again.
      pending.catch((error: unknown) => {
        if (!(error instanceof PracticeHubIgnoredFilterError)) cache.delete(resource);
      });
    }
    return pending;
  }
}

function checkedBaseUrl(baseUrl: string): string {
  try {
    const url = new URL(baseUrl);
    if (url.search || url.hash) throw new Error('query');
    return url.toString().replace(/\/+$/, '');
  } catch {
    throw new PracticeHubConfigError(
      'baseUrl must be an absolute http(s) URL without query, e.g. https://demo.neptune.practicehub.io/api ' +
        '(use resolveBaseUrl)',
    );
  }
}

function checkInstant(text: string): void {
  const day = text.slice(0, 10);
  // Date.parse rolls 2024-02-30 over to March; a day that does not exist is refused here, not by a 400.
  const real =
    !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) &&
    new Date(`${day}T00:00:00Z`).toISOString().startsWith(day);
  if (
    !/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text) ||
    Number.isNaN(Date.parse(text)) ||
    !real
  ) {
    throw new PracticeHubConfigError(
      `updatedSince '${text}' is not an ISO 8601 instant: write e.g. 2024-01-31T00:00:00Z`,
    );
  }
}
