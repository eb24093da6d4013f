import { createHash } from 'node:crypto';
import type { Criterion, Facts } from './criteria.ts';

/** A record a criterion picked, and under which key. */
export interface Pick {
  readonly facts: Facts;
  readonly criterion: Criterion;
  readonly key: string;
}

/** Holds what one criterion picks while a resource streams by: bounded by its keys and records per key. */
export class Picker {
  private readonly kept = new Map<string, { facts: Facts; score: number }[]>();

  constructor(readonly criterion: Criterion) {}

  see(facts: Facts): void {
    const c = this.criterion;
    const perKey = c.perKey ?? 1;
    for (const { key, score = 0 } of c.keys(facts)) {
      let list = this.kept.get(key);
      if (!list) {
        if (this.kept.size >= c.limit) continue;
        list = [];
        this.kept.set(key, list);
      }
      if (list.some((x) => x.facts.id === facts.id)) continue;
      if (c.keep === 'first') {
        if (list.length < perKey) list.push({ facts, score });
        continue;
      }
      // Best: a higher score displaces the lowest kept; equal scores keep the earlier record.
      const at = list.findIndex((x) => score > x.score);
      if (at >= 0) list.splice(at, 0, { facts, score });
      else list.push({ facts, score });
      list.length = Math.min(list.length, perKey);
    }
  }

  picks(): Pick[] {
    return [...this.kept].flatMap(([key, list]) =>
      list.map(({ facts }) => ({ facts, criterion: this.criterion, key })),
    );
  }
}

/** A record's place in an even spread: a hash of its resource and id, the same on every machine. */
export function spreadRank(resource: string, id: string): number {
  return createHash('sha1').update(`${resource}/${id}`).digest().readUInt32BE(0);
}

/**
 * The `capacity` lowest-ranked items seen (a deterministic, uniform spread over a stream), kept in
 * rank order; memory stays at `capacity`.
 */
export class Spread<T> {
  private readonly items: { rank: number; item: T }[] = [];

  constructor(private readonly capacity: number) {}

  offer(rank: number, item: T): void {
    if (this.capacity <= 0) return;
    if (this.items.length >= this.capacity && rank >= this.items.at(-1)!.rank) return;
    const at = this.items.findIndex((x) => rank < x.rank);
    if (at < 0) this.items.push({ rank, item });
    else this.items.splice(at, 0, { rank, item });
    if (this.items.length > this.capacity) this.items.pop();
  }

  /** Items from the lowest rank up. */
  ranked(): T[] {
    return this.items.map((x) => x.item);
  }
}
