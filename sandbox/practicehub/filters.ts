import type { GenContext, Json, ResourceName } from './data/context.ts';
import { compareIds, idOf } from './data/ids.ts';
import { RESOURCES } from './data/registry.ts';

/**
 * List filters, `field=op:value` (reference, Documented: filters). Operators: eq, gt, gte, lt, lte,
 * between:a,b (both ends included; the documentation is silent on inclusiveness, and the common
 * reading of "between" is inclusive). Datetime values are ISO 8601, date-only (midnight UTC) or
 * `YYYY-MM-DD HH:MM:SS` as real clients send; without a zone they are UTC.
 */
export type FilterOp = 'eq' | 'gt' | 'gte' | 'lt' | 'lte' | 'between';

/** A comparable value: epoch ms (datetime), boolean, or a digit-string id. */
type Comparable = number | boolean | string;

/** What a filter reads on a record. */
export interface FilterTarget {
  readonly field: string;
  readonly type: 'id' | 'datetime' | 'boolean';
  /** The comparable value of base record n without building it. */
  readonly cheap?: (ctx: GenContext, n: number) => Comparable;
}

/** A parsed filter, ready to test records. */
export interface Filter {
  readonly name: string;
  readonly target: FilterTarget;
  readonly op: FilterOp;
  readonly operands: readonly Comparable[];
  /** Canonical text, for cache keys. */
  readonly key: string;
}

const truncate = (ms: number): number => Math.floor(ms / 1000) * 1000;

/** The filters a resource accepts, by query name: `id`, `created`, `updated`, plus its own. */
export function filterTargets(resource: ResourceName): Readonly<Record<string, FilterTarget>> {
  const def = RESOURCES[resource];
  return {
    id: { field: 'id', type: 'id', cheap: (ctx, n) => idOf(ctx, resource, n) },
    created: {
      field: 'created_at',
      type: 'datetime',
      cheap: (ctx, n) => truncate(def.stamps(ctx, n).created),
    },
    updated: {
      field: 'updated_at',
      type: 'datetime',
      cheap: (ctx, n) => truncate(def.stamps(ctx, n).updated),
    },
    ...def.extraFilters,
  };
}

const DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Parses a filter datetime to epoch ms, or undefined when it is not one. */
export function parseDateTime(text: string): number | undefined {
  const m = DATETIME.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const z = zone === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac.slice(0, 4)}${z}`);
  // Date.parse rolls 2024-02-30 over to March; a date that does not exist is not a date.
  return Number.isNaN(ms) ||
    new Date(Date.parse(`${y}-${mo}-${d}T00:00:00Z`)).toISOString().slice(0, 10) !== `${y}-${mo}-${d}`
    ? undefined
    : ms;
}

function operand(target: FilterTarget, text: string): Comparable | undefined {
  switch (target.type) {
    case 'datetime':
      return parseDateTime(text);
    case 'boolean':
      return text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : undefined;
    case 'id':
      return /^\d{1,30}$/.test(text) ? text.replace(/^0+(?=\d)/, '') : undefined;
  }
}

/** Parses `op:value` for a known filter; an error message when the operator or value is malformed. */
export function parseFilter(name: string, target: FilterTarget, raw: string): Filter | string {
  const colon = raw.indexOf(':');
  const op = raw.slice(0, colon) as FilterOp;
  const rest = raw.slice(colon + 1);
  if (colon < 0 || !['eq', 'gt', 'gte', 'lt', 'lte', 'between'].includes(op)) {
    return `filter '${name}=${raw}': write ${name}=<op>:<value> with op one of eq, gt, gte, lt, lte, between`;
  }
  if (target.type === 'boolean' && op !== 'eq')
    return `filter '${name}=${raw}': a boolean filter takes eq only`;
  const parts = op === 'between' ? rest.split(',') : [rest];
  if (op === 'between' && parts.length !== 2)
    return `filter '${name}=${raw}': write ${name}=between:<from>,<to>`;
  const operands: Comparable[] = [];
  for (const part of parts) {
    const value = operand(target, part.trim());
    if (value === undefined) return `filter '${name}=${raw}': '${part}' is not a valid ${target.type}`;
    operands.push(value);
  }
  return { name, target, op, operands, key: `${name}=${op}:${operands.join(',')}` };
}

function compare(a: Comparable, b: Comparable): number {
  if (typeof a === 'string' && typeof b === 'string') return compareIds(a, b);
  return a === b ? 0 : a < b ? -1 : 1;
}

/** True when `value` passes the filter. */
export function passes(filter: Filter, value: Comparable | null): boolean {
  if (value === null) return false;
  const [a, b] = filter.operands as [Comparable, Comparable | undefined];
  const c = compare(value, a);
  switch (filter.op) {
    case 'eq':
      return c === 0;
    case 'gt':
      return c > 0;
    case 'gte':
      return c >= 0;
    case 'lt':
      return c < 0;
    case 'lte':
      return c <= 0;
    case 'between':
      return c >= 0 && compare(value, b!) <= 0;
  }
}

/** The comparable value of a served field (as found in an overlay record). */
export function comparableOf(target: FilterTarget, value: Json | undefined): Comparable | null {
  if (value === null || value === undefined) return null;
  if (target.type === 'datetime') return typeof value === 'string' ? (parseDateTime(value) ?? null) : null;
  if (target.type === 'boolean') return typeof value === 'boolean' ? value : null;
  return typeof value === 'string' ? value : null;
}
