import { Errors } from '../errors.ts';
import { compileFilter, type Member, type MemberResolver, normalize } from './evaluate.ts';
import { parseFilter } from './filter.ts';

/** System query options of one request. */
export interface QueryOptions {
  readonly select?: readonly string[];
  readonly filter?: string;
  readonly orderby?: string;
  readonly top?: number;
  readonly count: boolean;
  readonly skiptoken?: string;
  readonly expand?: string;
}

/** Dataverse's default and maximum page size (PA`webapi/query/page-results`). */
export const MAX_PAGE_SIZE = 5000;

const SUPPORTED = new Set(['$select', '$filter', '$orderby', '$top', '$count', '$skiptoken', '$expand']);

/**
 * Reads the `$` options. Dataverse does not support `$skip` (paging uses `@odata.nextLink`), and an
 * unknown `$` option is an error; options without `$` are custom options and ignored.
 */
export function parseQueryOptions(params: URLSearchParams): QueryOptions {
  for (const name of params.keys()) {
    if (name.startsWith('$') && !SUPPORTED.has(name))
      throw Errors.querySyntax(`The query parameter ${name} is not supported`);
  }
  const topText = params.get('$top');
  let top: number | undefined;
  if (topText !== null) {
    if (!/^\d+$/.test(topText)) {
      throw Errors.querySyntax(
        `Invalid value '${topText}' for $top query option found. The $top query option requires a non-negative integer value.`,
      );
    }
    top = Number(topText);
  }
  const countText = params.get('$count');
  if (countText !== null && countText !== 'true' && countText !== 'false') {
    throw Errors.querySyntax(`'${countText}' is not a valid count option.`);
  }
  const select = params.get('$select');
  return {
    ...(select !== null
      ? {
          select: select
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        }
      : {}),
    ...(params.get('$filter') !== null ? { filter: params.get('$filter')! } : {}),
    ...(params.get('$orderby') !== null ? { orderby: params.get('$orderby')! } : {}),
    ...(top !== undefined ? { top } : {}),
    count: countText === 'true',
    ...(params.get('$skiptoken') !== null ? { skiptoken: params.get('$skiptoken')! } : {}),
    ...(params.get('$expand') !== null ? { expand: params.get('$expand')! } : {}),
  };
}

/** One page of a collection query. */
export interface Page<R> {
  readonly rows: R[];
  /** Opaque `$skiptoken` for the next page, when there is one. */
  readonly nextToken?: string;
  /** Matching rows, capped at 5,000 as Dataverse reports `@odata.count`. */
  readonly count: number;
  /** Matching rows, uncapped. */
  readonly total: number;
}

interface Cursor {
  readonly k: unknown[];
}

function decodeCursor(token: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Cursor;
    if (!Array.isArray(c.k)) throw new Error('bad');
    return c;
  } catch {
    throw Errors.querySyntax(`The $skiptoken value '${token}' is not valid.`);
  }
}

function compareValues(a: unknown, b: unknown): number {
  // NULL sorts first in ascending order, as in SQL Server.
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  return (a as number) < (b as number) ? -1 : 1;
}

/**
 * Filters, sorts and pages rows. Pages are keyset-based: the token carries the sort values and id of the
 * last row, so records inserted between pages neither repeat nor shift the next page. `paged` false means
 * `$top` without `odata.maxpagesize`: one page of `pageSize` rows and no next link (page-results doc).
 */
export function runQuery<R>(
  rows: Iterable<R>,
  options: QueryOptions,
  resolve: MemberResolver<R>,
  idOf: (row: R) => string,
  pageSize: number,
  paged = true,
): Page<R> {
  const predicate =
    options.filter !== undefined ? compileFilter(parseFilter(options.filter), resolve) : undefined;
  const order: { m: Member<R>; desc: boolean }[] = [];
  for (const part of (options.orderby ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([\w./]+)(?:\s+(asc|desc))?$/.exec(part);
    if (!m) throw Errors.querySyntax(`Syntax error at position 0 in '${options.orderby}'.`);
    order.push({ m: resolve(m[1]!.split('/')), desc: m[2] === 'desc' });
  }
  const keyOf = (row: R): unknown[] => [
    ...order.map((o) => normalize(o.m.kind, o.m.get(row))),
    idOf(row).toLowerCase(),
  ];
  const compareKeys = (a: unknown[], b: unknown[]) => {
    for (let i = 0; i < a.length; i += 1) {
      const c = compareValues(a[i], b[i]);
      if (c !== 0) return i < order.length && order[i]!.desc ? -c : c;
    }
    return 0;
  };
  const matching: { row: R; key: unknown[] }[] = [];
  for (const row of rows) if (!predicate || predicate(row)) matching.push({ row, key: keyOf(row) });
  matching.sort((a, b) => compareKeys(a.key, b.key));
  const count = Math.min(matching.length, MAX_PAGE_SIZE);

  let start = 0;
  if (options.skiptoken !== undefined) {
    const cursor = decodeCursor(options.skiptoken);
    start = matching.findIndex((m) => compareKeys(m.key, cursor.k) > 0);
    if (start === -1) start = matching.length;
  }
  const page = matching.slice(start, start + pageSize);
  const last = page[page.length - 1];
  const more = paged && start + page.length < matching.length;
  const nextToken =
    more && last ? Buffer.from(JSON.stringify({ k: last.key })).toString('base64url') : undefined;
  return { rows: page.map((m) => m.row), count, total: matching.length, ...(nextToken ? { nextToken } : {}) };
}
