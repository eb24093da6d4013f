import type { GenContext, PhRecord, ResourceName } from './context.ts';

/** Creation and last-change instants (ms) of a base record: cheap, and equal to the record's own. */
export interface Stamps {
  readonly created: number;
  readonly updated: number;
}

/** A list filter beyond the common `id`, `created` and `updated` ones. */
export interface ExtraFilter {
  /** The record field the filter reads. */
  readonly field: string;
  readonly type: 'datetime' | 'boolean' | 'id';
  /**
   * The field's comparable value for base record n without building the record (optional fast path):
   * epoch ms truncated to the second for datetimes (as served), the boolean, or the id string.
   */
  readonly cheap?: (ctx: GenContext, n: number) => number | boolean | string;
}

/** How one resource's records are generated: lazily, record n from (seed, resource, n) alone. */
export interface ResourceDef {
  readonly name: ResourceName;
  stamps(ctx: GenContext, n: number): Stamps;
  record(ctx: GenContext, n: number): PhRecord;
  /** Filters by query name (e.g. `start` → `starts_at`). */
  readonly extraFilters?: Readonly<Record<string, ExtraFilter>>;
}
