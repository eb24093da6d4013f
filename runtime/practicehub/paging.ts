import type { ListBody } from './types.ts';

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

/**
 * Pages from `fromPage` to the last one, by page number: the number, not `links.next`, drives the walk,
 * so an interrupted extraction resumes at any page. The end comes from `total_entries` (a page past
 * ceil(total / pageSize) is never requested), so a full walk costs exactly ceil(total / pageSize)
 * requests, the minimum.
 *
 * While the consumer works on page n, pages up to n + lookahead are already on their way: the pacer
 * keeps sending at the account's limit instead of idling while the load side is busy. When the consumer
 * stops early, requests not yet sent are cancelled.
 */
export async function* pageStream(
  source: PageSource,
  fromPage: number,
  parent: AbortSignal | undefined,
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
  try {
    for (let page = fromPage; ; page += 1) {
      launch(page);
      const body = await inflight.get(page)!;
      inflight.delete(page);
      const last = Math.ceil(body.totalEntries / source.pageSize);
      for (let ahead = page + 1; ahead <= Math.min(last, page + source.lookahead); ahead += 1) launch(ahead);
      const hasNext = body.data.length > 0 && page < last;
      yield { page, body, hasNext };
      if (!hasNext) return;
    }
  } finally {
    parent?.removeEventListener('abort', stop);
    if (inflight.size > 0) inner.abort(new Error('the consumer stopped reading pages'));
  }
}
