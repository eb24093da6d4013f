import type { ResourceName } from './data/context.ts';
import { type Filter, filterTargets, parseFilter } from './filters.ts';

/** Default and maximum page size (reference, Documented: paging). */
export const MAX_PAGE_SIZE = 100;

/** A parsed list request. */
export interface ListQuery {
  readonly page: number;
  readonly pageSize: number;
  readonly filters: readonly Filter[];
  /** Projected fields (`fields=`), or null for whole records. */
  readonly fields: ReadonlySet<string> | null;
  /** True when an `updated=` filter is present: deleted records are then listed (with deleted_at). */
  readonly includeDeleted: boolean;
}

/** Raw query segments `[name, value, raw]`, decoded as forms are ('+' is a space). */
export function splitQuery(rawQuery: string): [string, string, string][] | string {
  const out: [string, string, string][] = [];
  for (const raw of rawQuery.split('&')) {
    if (!raw) continue;
    const eq = raw.indexOf('=');
    const decode = (s: string): string => decodeURIComponent(s.replace(/\+/g, ' '));
    try {
      out.push([decode(eq < 0 ? raw : raw.slice(0, eq)), eq < 0 ? '' : decode(raw.slice(eq + 1)), raw]);
    } catch {
      return `malformed query parameter '${raw}'`;
    }
  }
  return out;
}

function positiveInt(text: string | undefined, fallback: number): number | undefined {
  if (text === undefined) return fallback;
  return /^\d{1,9}$/.test(text) && Number(text) >= 1 ? Number(text) : undefined;
}

/**
 * Parses a list query. Unknown parameters, unknown filters, and `fields` when projection is off are
 * silently ignored, as the documentation warns ("an unknown filter is silently ignored (so a typo
 * returns everything)"). A page_size over 100 is silently capped (Documented: paging). A malformed
 * page, page_size, or value of a known filter answers 400 (undocumented; the stricter choice).
 */
export function parseListQuery(
  rawQuery: string,
  resource: ResourceName,
  projection: boolean,
): ListQuery | string {
  const params = splitQuery(rawQuery);
  if (typeof params === 'string') return params;
  const last = (name: string): string | undefined => params.findLast(([k]) => k === name)?.[1];
  const page = positiveInt(last('page'), 1);
  if (page === undefined) return `page must be a whole number from 1, got '${last('page')}'`;
  const size = positiveInt(last('page_size'), MAX_PAGE_SIZE);
  if (size === undefined) return `page_size must be a whole number from 1, got '${last('page_size')}'`;
  const targets = filterTargets(resource);
  const filters: Filter[] = [];
  for (const [name, value] of params) {
    const target = Object.hasOwn(targets, name) ? targets[name] : undefined;
    if (!target) continue;
    const filter = parseFilter(name, target, value);
    if (typeof filter === 'string') return filter;
    filters.push(filter);
  }
  const fieldsText = last('fields');
  const fields =
    projection && fieldsText !== undefined
      ? new Set([
          'id',
          ...fieldsText
            .split(',')
            .map((f) => f.trim())
            .filter(Boolean),
        ])
      : null;
  return {
    page,
    pageSize: Math.min(size, MAX_PAGE_SIZE),
    filters,
    fields,
    includeDeleted: filters.some((f) => f.name === 'updated'),
  };
}

/**
 * The same request with another page: every other parameter kept byte for byte, so links preserve
 * filters and fields (reference, Documented: list response links).
 */
export function pageUrl(base: string, rawQuery: string, page: number): string {
  const segments = rawQuery.split('&').filter(Boolean);
  const isPage = (raw: string): boolean => raw.split('=', 1)[0] === 'page';
  const at = segments.findIndex(isPage);
  const kept = segments.filter((raw, i) => i === at || !isPage(raw));
  if (at < 0) kept.push(`page=${page}`);
  else kept[kept.findIndex(isPage)] = `page=${page}`;
  return `${base}?${kept.join('&')}`;
}
