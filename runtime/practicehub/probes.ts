import { fetchList, listUrl } from './list.ts';
import type { Transport } from './transport.ts';

/**
 * A moment no record can have been updated at or after: `updated=gte:<this>` must match nothing. Year
 * 2999 rather than 9999 so a server that validates dates strictly still reads it as a date.
 */
export const FAR_FUTURE = '2999-12-31T00:00:00Z';

/** Result of the filter probe. */
export type FilterProbe = 'applied' | 'ignored';

/**
 * Checks that the API applies `updated=` on a resource. It ignores unknown filters silently (reference
 * practicehub.md, Documented: filters), so a filter it does not know returns everything and a delta
 * would reload the whole resource, or worse, a typo would pass unnoticed. A filter that must match
 * nothing tells: total_entries 0 means applied.
 */
export async function probeUpdatedFilter(
  transport: Transport,
  baseUrl: string,
  resource: string,
): Promise<{ result: FilterProbe; totalEntries: number; url: URL }> {
  const url = listUrl(baseUrl, resource, { page: '1', page_size: '1', updated: `gte:${FAR_FUTURE}` });
  const body = await fetchList(transport, url, { probe: true });
  return { result: body.totalEntries === 0 ? 'applied' : 'ignored', totalEntries: body.totalEntries, url };
}

/** Result of the projection probe. */
export type ProjectionProbe = 'supported' | 'unsupported';

/**
 * Checks that the API projects with `fields=` on a resource (an undocumented extension, reference
 * practicehub.md: "no field projection is documented"): ask for `fields=id` and see whether the record
 * comes back with id alone. An empty resource cannot tell, and counts as unsupported. The audit reports
 * it; extraction does not need it (it sends `fields=` and cuts records locally either way).
 */
export async function probeProjection(
  transport: Transport,
  baseUrl: string,
  resource: string,
): Promise<ProjectionProbe> {
  const url = listUrl(baseUrl, resource, { page: '1', page_size: '1', fields: 'id' });
  const body = await fetchList(transport, url, { probe: true });
  const first = body.data[0];
  return first && Object.keys(first).every((k) => k === 'id') ? 'supported' : 'unsupported';
}
