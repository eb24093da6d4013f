/** Rows read per query by the journal's iterators: bounds their memory whatever the run's size. */
export const DEFAULT_CHUNK_SIZE = 500;

/**
 * Iterates a query in chunks, each chunk starting after the last row of the previous one (keyset
 * paging). No SQLite statement stays open between chunks, so the consumer may write to the journal
 * while it iterates (better-sqlite3 refuses writes while a `.iterate()` cursor is open), and only one
 * chunk is in memory at a time.
 */
export function* keyset<R, C>(
  first: C,
  fetch: (after: C, limit: number) => readonly R[],
  cursorOf: (row: R) => C,
  chunkSize: number = DEFAULT_CHUNK_SIZE,
): Generator<R, void, undefined> {
  let cursor = first;
  for (;;) {
    const rows = fetch(cursor, chunkSize);
    for (const row of rows) yield row;
    if (rows.length < chunkSize) return;
    cursor = cursorOf(rows[rows.length - 1]!);
  }
}

/** JSON text of a value, or null for null/undefined (SQLite NULL). */
export function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/** Parses a JSON column that may be NULL. */
export function parseOrNull<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}
