import type { GeneratedModule, SourceRecord } from '../mapping/index.ts';
import type { PracticeHubClient } from '../practicehub/index.ts';
import { spreadRank } from '../sample/pick.ts';

/** What reconcile read of one resource: its total now, and the records it checks. */
export interface SourceRead {
  readonly resource: string;
  /** total_entries now. */
  readonly total: number;
  /** Records read for field checksums, in source order. */
  readonly records: readonly SourceRecord[];
  /** Whether `records` is the whole resource (or a block of pages of it). */
  readonly whole: boolean;
  /** The pages read (first and last), for the report. */
  readonly pages: readonly [number, number] | null;
  /**
   * Besides a block of pages: the records PracticeHub lists as created, changed or deleted (with
   * deleted_at) since `since`, wherever they are, and the pages that took. Empty for a whole read.
   */
  readonly changed: readonly SourceRecord[];
  readonly changedPages: number;
}

/** Where a block of `count` pages starts in a resource of `pages` pages: spread by resource and seed. */
export function blockStart(resource: string, seed: number, pages: number, count: number): number {
  const room = Math.max(1, pages - count + 1);
  return 1 + (spreadRank(resource, String(seed)) % room);
}

/**
 * Reads each resource the spec maps: whole (`checksums: all`; its first page gives total_entries), or
 * its total (one request), one block of consecutive pages holding about `sampleSize` records from a
 * start spread by `seed`, and the records changed since `since` (`checksums: sample`): a record
 * created and one deleted outside the block leave the total as it was, and only those tell them.
 */
export async function readSource(
  module: GeneratedModule,
  client: PracticeHubClient,
  mode: 'all' | 'sample',
  sampleSize: number,
  seed: number,
  since: string,
): Promise<SourceRead[]> {
  const resources = [...new Set(module.LOAD_ORDER.map((n) => module.MAPPINGS[n]!.source))];
  const pageSize = module.MIGRATION.pageSize;
  const out: SourceRead[] = [];
  for (const resource of resources) {
    const fields = module.RESOURCES[resource]?.used;
    const records: SourceRecord[] = [];
    if (mode === 'all') {
      let total = 0;
      let last = 0;
      for await (const page of client.pages(resource, fields ? { fields } : {})) {
        total = page.totalEntries;
        last = page.page;
        records.push(...page.records);
      }
      out.push({
        resource,
        total,
        records,
        whole: true,
        pages: last > 0 ? [1, last] : null,
        changed: [],
        changedPages: 0,
      });
      continue;
    }
    const total = await client.count(resource);
    const pages = Math.max(1, Math.ceil(total / pageSize));
    const count = Math.min(pages, Math.max(1, Math.ceil(sampleSize / pageSize)));
    const start = blockStart(resource, seed, pages, count);
    let last = start - 1;
    if (total > 0)
      for await (const page of client.pages(resource, { fromPage: start, ...(fields ? { fields } : {}) })) {
        records.push(...page.records);
        last = page.page;
        if (page.page >= start + count - 1) break;
      }
    const whole = count >= pages;
    const changed: SourceRecord[] = [];
    let changedPages = 0;
    if (!whole)
      for await (const page of client.pages(resource, {
        updatedSince: since,
        ...(fields ? { fields } : {}),
      })) {
        changed.push(...page.records);
        changedPages++;
      }
    out.push({
      resource,
      total,
      records,
      whole,
      pages: last >= start ? [start, last] : null,
      changed,
      changedPages,
    });
  }
  return out;
}
