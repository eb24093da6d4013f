import { type GenContext, type PhRecord, RESOURCE_NAMES, type ResourceName } from './data/context.ts';
import { compareIds, idOf, indexOf } from './data/ids.ts';
import { RESOURCES } from './data/registry.ts';
import { comparableOf, type Filter, passes } from './filters.ts';

/** One page of a selection. */
export interface Selection {
  /** Records matching the filters (all pages). */
  readonly total: number;
  /** Indices of this page's records, in id order. */
  readonly indices: readonly number[];
}

const CACHE_ENTRIES = 8;

/**
 * The dataset: the lazy base (record n computed from (seed, resource, n)) plus a small overlay of
 * records changed, created or deleted after start. Nothing of the base is materialised; filtered
 * scans read cheap per-record facts and cache their matches until the next change.
 */
export class DataStore {
  private readonly overlay = new Map<ResourceName, Map<number, PhRecord>>();
  private readonly createdCount = new Map<ResourceName, number>();
  /** Deleted indices per resource, ascending. */
  private readonly deleted = new Map<ResourceName, number[]>();
  private readonly scanCache = new Map<string, number[]>();

  constructor(readonly ctx: GenContext) {
    for (const name of RESOURCE_NAMES) {
      this.overlay.set(name, new Map());
      this.deleted.set(name, []);
    }
  }

  /** Records ever issued (base + created), deleted ones included. */
  size(resource: ResourceName): number {
    return this.ctx.counts[resource] + (this.createdCount.get(resource) ?? 0);
  }

  /** Current non-deleted record count. */
  count(resource: ResourceName): number {
    return this.size(resource) - this.deleted.get(resource)!.length;
  }

  /** Record n as it is now (overlay first), deleted or not. */
  recordAt(resource: ResourceName, n: number): PhRecord {
    return this.overlay.get(resource)!.get(n) ?? RESOURCES[resource].record(this.ctx, n);
  }

  isDeleted(resource: ResourceName, n: number): boolean {
    const changed = this.overlay.get(resource)!.get(n);
    return changed !== undefined && changed.deleted_at !== null;
  }

  /** Index of an issued id, or undefined. */
  indexOfId(resource: ResourceName, id: string): number | undefined {
    const n = indexOf(this.ctx, resource, id);
    return n !== undefined && n < this.size(resource) ? n : undefined;
  }

  /** Stores the new state of record n (an update, a creation, a deletion or a restore). */
  put(resource: ResourceName, n: number, record: PhRecord): void {
    if (n >= this.size(resource)) this.createdCount.set(resource, n + 1 - this.ctx.counts[resource]);
    const wasDeleted = this.isDeleted(resource, n);
    this.overlay.get(resource)!.set(n, record);
    const list = this.deleted.get(resource)!;
    if (record.deleted_at !== null && !wasDeleted) {
      list.push(n);
      list.sort((a, b) => a - b);
    } else if (record.deleted_at === null && wasDeleted) list.splice(list.indexOf(n), 1);
    this.scanCache.clear();
  }

  /** Current records in id order, deleted ones excluded. */
  *records(resource: ResourceName): Generator<PhRecord> {
    const size = this.size(resource);
    for (let n = 0; n < size; n += 1) {
      if (!this.isDeleted(resource, n)) yield this.recordAt(resource, n);
    }
  }

  /** The page [offset, offset + limit) of the records passing `filters`, in id order. */
  select(
    resource: ResourceName,
    filters: readonly Filter[],
    includeDeleted: boolean,
    offset: number,
    limit: number,
  ): Selection {
    const [lo, hi] = this.idRange(
      resource,
      filters.filter((f) => f.name === 'id'),
    );
    const rest = filters.filter((f) => f.name !== 'id');
    if (rest.length === 0 && !includeDeleted) return this.plainPage(resource, lo, hi, offset, limit);
    const matches = this.scan(resource, lo, hi, rest, includeDeleted);
    return { total: matches.length, indices: matches.slice(offset, offset + limit) };
  }

  /** Unfiltered (except by id range): page by skipping deleted indices, without scanning. */
  private plainPage(
    resource: ResourceName,
    lo: number,
    hi: number,
    offset: number,
    limit: number,
  ): Selection {
    const deleted = this.deleted.get(resource)!.filter((d) => d >= lo && d < hi);
    const total = Math.max(0, hi - lo - deleted.length);
    let n = lo + offset;
    for (const d of deleted) if (d <= n) n += 1;
    const indices: number[] = [];
    for (; n < hi && indices.length < limit; n += 1) {
      if (!this.isDeleted(resource, n)) indices.push(n);
    }
    return { total, indices };
  }

  /** Index range [lo, hi) allowed by the id filters (ids ascend with the index). */
  private idRange(resource: ResourceName, filters: readonly Filter[]): [number, number] {
    const size = this.size(resource);
    // First index whose id is >= id (or > id when strict).
    const bound = (id: string, strict: boolean): number => {
      let a = 0;
      let b = size;
      while (a < b) {
        const mid = (a + b) >>> 1;
        const c = compareIds(idOf(this.ctx, resource, mid), id);
        if (c < 0 || (strict && c === 0)) a = mid + 1;
        else b = mid;
      }
      return a;
    };
    let lo = 0;
    let hi = size;
    for (const f of filters) {
      const [a, b] = f.operands as [string, string | undefined];
      const [from, to] =
        f.op === 'eq'
          ? [bound(a, false), bound(a, true)]
          : f.op === 'gt'
            ? [bound(a, true), size]
            : f.op === 'gte'
              ? [bound(a, false), size]
              : f.op === 'lt'
                ? [0, bound(a, false)]
                : f.op === 'lte'
                  ? [0, bound(a, true)]
                  : [bound(a, false), bound(b!, true)];
      lo = Math.max(lo, from);
      hi = Math.min(hi, to);
    }
    return [lo, Math.max(lo, hi)];
  }

  private scan(
    resource: ResourceName,
    lo: number,
    hi: number,
    filters: readonly Filter[],
    includeDeleted: boolean,
  ): number[] {
    const key = `${resource}|${lo}|${hi}|${includeDeleted}|${filters.map((f) => f.key).join('&')}`;
    const cached = this.scanCache.get(key);
    if (cached) return cached;
    const overlay = this.overlay.get(resource)!;
    const matches: number[] = [];
    for (let n = lo; n < hi; n += 1) {
      const changed = overlay.get(n);
      if (changed) {
        if (changed.deleted_at !== null && !includeDeleted) continue;
        if (filters.every((f) => passes(f, comparableOf(f.target, changed[f.target.field])))) matches.push(n);
        continue;
      }
      let base: PhRecord | undefined;
      const ok = filters.every((f) => {
        if (f.target.cheap) return passes(f, f.target.cheap(this.ctx, n));
        base ??= RESOURCES[resource].record(this.ctx, n);
        return passes(f, comparableOf(f.target, base[f.target.field]));
      });
      if (ok) matches.push(n);
    }
    if (this.scanCache.size >= CACHE_ENTRIES) this.scanCache.delete(this.scanCache.keys().next().value!);
    this.scanCache.set(key, matches);
    return matches;
  }
}
