import type { ClientContext } from './context.ts';
import { type QueryOptions, queryString } from './odata.ts';

type Json = Record<string, unknown>;

/** "You can't request a page size larger than 5,000" (PA`webapi/query/page-results`). */
export const MAX_PAGE_SIZE = 5000;

/** Options of `query`: the system query options plus the page size. */
export interface QueryPagesOptions extends Omit<QueryOptions, 'count'> {
  /** Rows per page, 1 to 5,000, sent as `Prefer: odata.maxpagesize`. */
  readonly maxPageSize?: number;
  /** Extra headers, e.g. `Consistency: Strong` right after a schema change. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The pages of a collection query, following `@odata.nextLink` as given (page-results: use the link as is
 * and send the same Prefer header again). `$top` alone returns one page; with a page size the client
 * never sends `$top` too, and stops after `top` rows itself, so the two limits cannot conflict.
 */
export async function* queryPages<T = Json>(
  ctx: ClientContext,
  entitySet: string,
  options: QueryPagesOptions = {},
): AsyncGenerator<T[]> {
  const { maxPageSize, headers, top, ...rest } = options;
  if (
    maxPageSize !== undefined &&
    (!Number.isInteger(maxPageSize) || maxPageSize < 1 || maxPageSize > MAX_PAGE_SIZE)
  ) {
    throw new RangeError(`maxPageSize must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${maxPageSize}`);
  }
  const paged = maxPageSize !== undefined || top === undefined;
  const pageSize =
    maxPageSize !== undefined && top !== undefined ? Math.max(1, Math.min(maxPageSize, top)) : maxPageSize;
  const prefer: Record<string, string> = { ...headers };
  if (pageSize !== undefined) prefer.Prefer = `odata.maxpagesize=${pageSize}`;
  let path: string | undefined = `${entitySet}${queryString({ ...rest, ...(paged ? {} : { top }) })}`;
  let left = top ?? Number.POSITIVE_INFINITY;
  while (path !== undefined && left > 0) {
    const res = await ctx.transport.send({
      method: 'GET',
      path,
      kind: 'data',
      headers: prefer,
      operation: `query ${entitySet}`,
    });
    const body = res.body as { value?: T[]; '@odata.nextLink'?: string };
    const rows = (body.value ?? []).slice(0, left);
    left -= rows.length;
    if (rows.length > 0) yield rows;
    path = paged ? nextPath(ctx, body['@odata.nextLink']) : undefined;
  }
}

/** The records of a collection query, one by one (see `queryPages`). */
export async function* query<T = Json>(
  ctx: ClientContext,
  entitySet: string,
  options: QueryPagesOptions = {},
): AsyncGenerator<T> {
  for await (const page of queryPages<T>(ctx, entitySet, options)) yield* page;
}

/**
 * The next page's path below the API base. Only links to the same origin and API path are followed: the
 * bearer token goes with the request, so a link elsewhere is refused rather than sent the token.
 */
function nextPath(ctx: ClientContext, link: string | undefined): string | undefined {
  if (link === undefined) return undefined;
  const base = new URL(ctx.transport.apiUrl);
  const next = new URL(link, base);
  if (next.origin !== base.origin || !next.pathname.startsWith(base.pathname)) {
    throw new Error(`the service returned an @odata.nextLink outside ${base.href}; refusing to follow it`);
  }
  return `${next.pathname.slice(base.pathname.length)}${next.search}`;
}

/**
 * The number of matching rows. `GET {set}/$count` answers at most 5,000 (PA`webapi/query/count-rows`),
 * so at that cap the rows are counted by paging over their primary keys.
 */
export async function count(ctx: ClientContext, entitySet: string, filter?: string): Promise<number> {
  const res = await ctx.transport.send({
    method: 'GET',
    path: `${entitySet}/$count${queryString(filter ? { filter } : {})}`,
    kind: 'data',
    operation: `count ${entitySet}`,
  });
  // $count answers text/plain, possibly with a byte order mark.
  const n = Number(res.text.replace(/^\uFEFF/, '').trim());
  if (!Number.isInteger(n))
    throw new Error(`count ${entitySet}: the answer '${res.text.slice(0, 40)}' is not a number`);
  if (n < MAX_PAGE_SIZE) return n;
  const table = await ctx.tables.bySet(entitySet);
  let total = 0;
  const pages = queryPages(ctx, entitySet, {
    select: [table.primaryIdAttribute],
    ...(filter ? { filter } : {}),
    maxPageSize: MAX_PAGE_SIZE,
  });
  for await (const page of pages) total += page.length;
  return total;
}
