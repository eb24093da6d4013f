import type { ListBody, PracticeHubRecord } from './types.ts';

/** A fetched page with its number and whether another follows. */
export interface RawPage {
  readonly page: number;
  readonly body: ListBody;
  readonly hasNext: boolean;
}

/** How pageStream fetches. */
export interface PageSource {
  /** Fetches one page; `signal` aborts it when the consumer has gone. */
  fetch(page: number, signal: AbortSignal): Promise<ListBody>;
  readonly pageSize: number;
  /** Pages fetched ahead of the consumer (0: none). */
  readonly lookahead: number;
}

/** What a resumed walk had read before it stopped: the total its last page gave, and the ids of its last pages (oldest first). */
export interface EarlierWalk {
  readonly total: number;
  readonly recent: readonly ReadonlySet<string>[];
  /** The ids it read from an earlier page than `recent` holds (from the journal), for a look further back. */
  readonly idsOf?: (page: number) => ReadonlySet<string>;
}

/**
 * Pages from `fromPage` to the last one, by page number: the number, not `links.next`, drives the walk,
 * so an interrupted extraction resumes at any page. The end comes from `total_entries` (a page past
 * ceil(total / pageSize) is never requested), so a full walk costs exactly ceil(total / pageSize)
 * requests, the minimum, unless records are deleted while it goes on (see recover).
 *
 * While the consumer works on page n, pages up to n + lookahead are already on their way: the pacer
 * keeps sending at the account's limit instead of idling while the load side is busy. When the consumer
 * stops early, requests not yet sent are cancelled.
 *
 * A walk resumed at `fromPage` after an interruption goes on from what it had read (`earlier`): records
 * deleted from the pages it read while it was stopped moved as many records back into those pages,
 * and whether or not records created meanwhile kept the total where it was, the last page it read is
 * read again, and the pages before it while each is all moved records (see lookBack): one request
 * when nothing moved.
 */
export async function* pageStream(
  source: PageSource,
  fromPage: number,
  parent: AbortSignal | undefined,
  earlier?: EarlierWalk,
): AsyncGenerator<RawPage> {
  const inner = new AbortController();
  const stop = (): void => inner.abort(parent?.reason);
  parent?.addEventListener('abort', stop, { once: true });
  const inflight = new Map<number, Promise<ListBody>>();
  const launch = (page: number): void => {
    if (inflight.has(page)) return;
    const pending = source.fetch(page, inner.signal);
    // Awaited later, or dropped when the consumer stops; never an unhandled rejection.
    pending.catch(() => undefined);
    inflight.set(page, pending);
  };
  // Ids yielded from the last RECENT_PAGES pages, for recover() and withoutRepeats().
  const recent: ReadonlySet<string>[] = earlier ? earlier.recent.slice(-RECENT_PAGES) : [];
  let previousTotal: number | undefined = earlier?.total;
  try {
    for (let page = fromPage; ; page += 1) {
      launch(page);
      let body = await inflight.get(page)!;
      inflight.delete(page);
      const last = Math.ceil(body.totalEntries / source.pageSize);
      for (let ahead = page + 1; ahead <= Math.min(last, page + source.lookahead); ahead += 1) launch(ahead);
      const resumed = earlier !== undefined && page === fromPage && page > 1;
      if (resumed || (previousTotal !== undefined && body.totalEntries < previousTotal)) {
        const behind = resumed
          ? await lookBack(source, page, recent, earlier.idsOf, inner.signal)
          : await recover(source, page, previousTotal! - body.totalEntries, recent, inner.signal);
        if (behind.length > 0) body = { ...body, data: [...behind, ...body.data] };
      }
      previousTotal = body.totalEntries;
      // A page whose records all came before still means the list goes on.
      const listed = body.data.length;
      body = withoutRepeats(body, recent);
      recent.push(new Set(body.data.map((r) => String(r.id))));
      if (recent.length > RECENT_PAGES) recent.shift();
      const hasNext = listed > 0 && page < last;
      yield { page, body, hasNext };
      if (!hasNext) return;
    }
  } finally {
    parent?.removeEventListener('abort', stop);
    if (inflight.size > 0) inner.abort(new Error('the consumer stopped reading pages'));
  }
}

/**
 * The page without the records already yielded from the last RECENT_PAGES pages. Records that enter
 * the list ahead of the cursor while a walk goes on (in a delta, a record changed since the watermark
 * enters it at its id's place) move the records after them one place on, so the last records of a
 * page come again at the start of the next. Each record is yielded once; the entering record itself is
 * newer than the walk's start, so the next delta picks it up. A record a page lists twice (the same id)
 * is yielded once too, as first listed: read twice, it would be counted as two records extracted and
 * journaled as one, and the run would end unbalanced, as failed.
 */
function withoutRepeats(body: ListBody, recent: readonly ReadonlySet<string>[]): ListBody {
  const page = new Set<string>();
  const fresh = body.data.filter((r) => {
    const id = String(r.id);
    if (page.has(id) || recent.some((ids) => ids.has(id))) return false;
    page.add(id);
    return true;
  });
  return fresh.length === body.data.length ? body : { ...body, data: fresh };
}

/** How far back pages are read again after records were deleted during a walk (see recover). */
export const RECENT_PAGES = 10;

/**
 * The records a stopped walk would pass by when it resumes at `page`: deletions from the pages it had
 * read, made while it was stopped, moved as many records back into them. The total cannot tell (records
 * created meanwhile may keep it as it was), so the last page read is read again: the records it holds
 * that the walk has not yielded (`recent`, and further back `idsOf`) are the moved ones, at its end.
 * When the whole page is such records, as many or more moved back than a page holds, and the page
 * before is read too, and so on. Records that entered the list at their place (a delta's changed
 * records) push the rest on instead: those of the page before, known to the walk, are not yielded
 * again. Returns the records found, oldest first, to be yielded with `page`.
 */
async function lookBack(
  source: PageSource,
  page: number,
  recent: readonly ReadonlySet<string>[],
  idsOf: ((page: number) => ReadonlySet<string>) | undefined,
  signal: AbortSignal,
): Promise<PracticeHubRecord[]> {
  const seen = new Set(recent.flatMap((ids) => [...ids]));
  // The ids the walk read from page `p`, from `recent` or the journal; undefined when unknown.
  const known = (p: number): ReadonlySet<string> | undefined =>
    p >= page - recent.length ? recent[recent.length - (page - p)] : idsOf?.(p);
  const found: PracticeHubRecord[][] = [];
  for (let p = page - 1; p >= 1; p -= 1) {
    for (const id of known(p - 1) ?? []) seen.add(id);
    const again = await source.fetch(p, signal);
    const fresh = again.data.filter((r) => !seen.has(String(r.id)));
    for (const r of fresh) seen.add(String(r.id));
    found.unshift(fresh);
    // Records moved back fill a page from its end: a page not all moved ones is as far as they go.
    if (fresh.length === 0 || fresh.length < again.data.length || known(p - 1) === undefined) break;
  }
  return found.flat();
}

/**
 * Pages are positions in the current list: when `dropped` records are deleted from pages already read
 * while a walk goes on, as many records move back from the page about to be read into those pages, and
 * the walk would pass them by. The pages that may hold them (up to RECENT_PAGES back) are read again,
 * and what they hold that was not yielded from them is returned, to be yielded with `page`. A drop of
 * the total also comes from deletions further on, which moved nothing: then the extra requests find
 * nothing new.
 */
async function recover(
  source: PageSource,
  page: number,
  dropped: number,
  recent: readonly ReadonlySet<string>[],
  signal: AbortSignal,
): Promise<PracticeHubRecord[]> {
  const back = Math.min(Math.ceil(dropped / source.pageSize), recent.length);
  const seen = new Set(recent.flatMap((ids) => [...ids]));
  const found: PracticeHubRecord[] = [];
  for (let p = page - back; p < page; p += 1) {
    const again = await source.fetch(p, signal);
    for (const r of again.data) {
      const id = String(r.id);
      if (!seen.has(id)) {
        seen.add(id);
        found.push(r);
      }
    }
  }
  return found;
}
