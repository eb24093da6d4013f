import type { CrosswalkEntry, Journal } from '../journal/index.ts';

/**
 * The rows the crosswalk says each mapping owns: every key any run wrote or found unchanged (read from
 * the runs' operations), kept where the crosswalk still holds it (a rollback removes its rows).
 */
export function ownedRows(journal: Journal, mappings: readonly string[]): Map<string, CrosswalkEntry[]> {
  const keys = new Map<string, Set<string>>(mappings.map((m) => [m, new Set()]));
  for (const run of journal.runs())
    for (const op of journal.operations(run.id, { action: ['create', 'update', 'unchanged'] }))
      if (op.key) keys.get(op.mapping)?.add(op.key);
  const owned = new Map<string, CrosswalkEntry[]>();
  for (const [mapping, set] of keys) {
    const all = [...set];
    const found: CrosswalkEntry[] = [];
    // getMany takes thousands of keys per statement; chunks keep each JSON argument modest.
    for (let i = 0; i < all.length; i += 5000)
      found.push(...journal.crosswalk.getMany(mapping, all.slice(i, i + 5000)).values());
    owned.set(mapping, found);
  }
  return owned;
}
