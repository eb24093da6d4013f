import type { SettingChange } from './types.ts';

/** The named settings whose text differs, in the order of `before`'s keys then `after`'s new ones. */
export function settingChanges(
  before: Readonly<Record<string, string | undefined>>,
  after: Readonly<Record<string, string | undefined>>,
): SettingChange[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return names
    .filter((name) => before[name] !== after[name])
    .map((name) => ({ name, before: before[name], after: after[name] }));
}

/** Items of both sides keyed by name: removed (base only), added (head only) and common, each sorted. */
export function keyed<T>(
  before: readonly T[],
  after: readonly T[],
  key: (item: T) => string,
): { removed: T[]; added: T[]; common: [T, T][] } {
  const b = new Map(before.map((x) => [key(x), x]));
  const a = new Map(after.map((x) => [key(x), x]));
  const sorted = (m: Map<string, T>) => [...m.keys()].sort();
  return {
    removed: sorted(b)
      .filter((k) => !a.has(k))
      .map((k) => b.get(k)!),
    added: sorted(a)
      .filter((k) => !b.has(k))
      .map((k) => a.get(k)!),
    common: sorted(b)
      .filter((k) => a.has(k))
      .map((k) => [b.get(k)!, a.get(k)!]),
  };
}

/**
 * Pairs removed and added items that share a signature (same source, other column), first come
 * first paired in sorted order; the rest stay removed or added.
 */
export function pairBySignature<T>(
  removed: readonly T[],
  added: readonly T[],
  signature: (item: T) => string,
): { pairs: [T, T][]; removed: T[]; added: T[] } {
  const left = [...added];
  const pairs: [T, T][] = [];
  const unpaired: T[] = [];
  for (const r of removed) {
    const i = left.findIndex((a) => signature(a) === signature(r));
    if (i < 0) unpaired.push(r);
    else pairs.push([r, left.splice(i, 1)[0]!]);
  }
  return { pairs, removed: unpaired, added: left };
}

/** Names in `after` and not in `before`, and the reverse, sorted. */
export function setChanges(
  before: readonly string[],
  after: readonly string[],
): { added: string[]; removed: string[] } {
  const b = new Set(before);
  const a = new Set(after);
  return {
    added: [...a].filter((x) => !b.has(x)).sort(),
    removed: [...b].filter((x) => !a.has(x)).sort(),
  };
}
