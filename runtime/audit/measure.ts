import {
  type FileRef,
  PracticeHubClient,
  type PracticeHubClientOptions,
  type PracticeHubClientStats,
} from '../practicehub/index.ts';
import { groupBy } from '../shared/group.ts';
import type { SourceEstimate } from './estimate.ts';

/** What replaying a source estimate's plan cost. */
export interface Measurement {
  readonly seconds: number;
  readonly requests: number;
  readonly records: number;
  readonly downloads: number;
  readonly bytes: number;
  readonly stats: PracticeHubClientStats;
}

/**
 * Performs the source side of a full run as the estimate plans it, through a PracticeHubClient with
 * the estimate's rate and page size: each resource listed with `fields=` cut to its fields, then every attached file downloaded once. The load side is not
 * involved; this is what the estimate's source requests and seconds predict, so the two can be
 * compared (the audit's tests and bench/audit.ts do).
 */
export async function measureExtraction(
  plan: SourceEstimate,
  client: Omit<PracticeHubClientOptions, 'requestsPerSecond' | 'pageSize' | 'paceMargin'>,
): Promise<Measurement> {
  const phc = new PracticeHubClient({
    ...client,
    requestsPerSecond: plan.requests_per_second,
    pageSize: plan.page_size,
    paceMargin: plan.pace_margin,
  });
  const started = performance.now();
  let records = 0;
  let downloads = 0;
  let bytes = 0;
  try {
    const wanted = new Map<string, Set<string>>();
    for (const d of plan.downloads) wanted.set(d.files, wanted.get(d.files) ?? new Set());
    const attach = groupBy(plan.downloads, (d) => d.resource);
    const links = new Map<string, FileRef>();
    for (const list of plan.lists) {
      for await (const page of phc.pages(list.resource, { fields: list.fields })) {
        records += page.records.length;
        for (const r of page.records) {
          for (const d of attach.get(list.resource) ?? []) {
            const id = r[d.field];
            if (typeof id === 'string' && id) wanted.get(d.files)!.add(id);
          }
          if (wanted.has(list.resource) && typeof r.download_url === 'string')
            links.set(`${list.resource}/${r.id}`, { id: r.id, download_url: r.download_url });
        }
      }
    }
    for (const [files, ids] of wanted) {
      for (const id of ids) {
        const ref = links.get(`${files}/${id}`);
        if (!ref) continue;
        const file = await phc.download(ref);
        downloads += 1;
        bytes += file.size;
      }
    }
    const stats = phc.stats();
    return {
      seconds: (performance.now() - started) / 1000,
      requests: stats.requests,
      records,
      downloads,
      bytes,
      stats,
    };
  } finally {
    await phc.close();
  }
}
