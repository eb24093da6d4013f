import type { Journal } from '../journal/index.ts';

/**
 * Whether the run that last wrote a row gave it the fallback owner, as its journaled operation's
 * owner_fallback flag says. Compare needs it for an owner whose user is disabled now: if the run
 * matched that user (enabled then), the row rightly keeps them; normal offboarding does not make a
 * correct run wrong. Each run's operations of a mapping are read once, when first asked.
 */
export class WrittenOwners {
  /** `run\0mapping` → keys of the rows that run wrote with the fallback owner. */
  readonly #fellBack = new Map<string, ReadonlySet<string>>();

  constructor(private readonly journal: Journal) {}

  /** True or false for a row the crosswalk holds; undefined for one no run wrote. */
  fellBack(mapping: string, key: string): boolean | undefined {
    const entry = this.journal.crosswalk.get(mapping, key);
    if (!entry) return undefined;
    const at = `${entry.writtenBy}\u0000${mapping}`;
    let keys = this.#fellBack.get(at);
    if (!keys) {
      const flagged = new Set<string>();
      for (const op of this.journal.operations(entry.writtenBy, { mapping, action: ['create', 'update'] }))
        if (op.key !== null && op.flags.some((f) => f.code === 'owner_fallback')) flagged.add(op.key);
      keys = flagged;
      this.#fellBack.set(at, keys);
    }
    return keys.has(key);
  }
}
