import { byText } from '../../runtime/shared/order.ts';
import type { Counters } from './context.ts';
import { DERIVED_TABLES } from './metadata/system.ts';
import type { SandboxState } from './state.ts';
import { isRef, type Row, type Value } from './store.ts';

/** A snapshot value: scalars as the API shows them, references as `{ table, id }`. */
export type SnapshotValue =
  | string
  | number
  | boolean
  | null
  | { readonly table: string; readonly id: string };

/** All rows of the requested tables, sorted by primary key, every column present, keys sorted. */
export interface Snapshot {
  readonly tables: Readonly<Record<string, readonly Readonly<Record<string, SnapshotValue>>[]>>;
}

/** A change made behind the API's back (for reconcile tests): set raw values, or delete the row. */
export interface Tamper {
  readonly table: string;
  readonly id: string;
  readonly set?: Readonly<Record<string, SnapshotValue>>;
  readonly delete?: boolean;
}

/** What the sandbox counted since start or the last reset. */
export interface Stats {
  readonly requests: Counters['requests'];
  readonly throttled: number;
  readonly faultsInjected: number;
  readonly unauthorized: number;
  readonly recordsWritten: number;
  readonly recordsCreated: number;
  readonly recordsUpdated: number;
  readonly recordsDeleted: number;
}

function snapshotValue(
  state: SandboxState,
  table: string,
  column: string,
  v: Value | undefined,
): SnapshotValue {
  if (v === undefined || v === null) return null;
  if (isRef(v)) return { table: v.table, id: v.id };
  const meta = state.catalog.table(table)?.columns.get(column);
  if (meta?.type === 'DateTime' && typeof v === 'number')
    return new Date(v).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return v;
}

/** Builds a deterministic snapshot; derived tables (sdkmessage, sdkmessagefilter) only when named. */
export function takeSnapshot(state: SandboxState, only?: readonly string[]): Snapshot {
  const tables: Record<string, Record<string, SnapshotValue>[]> = {};
  const names =
    only ??
    state.catalog
      .all()
      .map((t) => t.def.logicalName)
      .filter((n) => !DERIVED_TABLES.has(n));
  for (const name of [...names].sort()) {
    const meta = state.catalog.table(name);
    if (!meta) throw new Error(`snapshot: unknown table '${name}'`);
    const columns = [...meta.columns.keys()].sort();
    const rows = [...state.store.rows(name)].sort((a, b) =>
      byText(String(a[meta.def.primaryId]), String(b[meta.def.primaryId])),
    );
    if (rows.length === 0 && !only) continue;
    tables[name] = rows.map((row) =>
      Object.fromEntries(columns.map((c) => [c, snapshotValue(state, name, c, row[c])])),
    );
  }
  return { tables };
}

/** Applies a tamper without validation, versioning or audit columns: the API never sees it happen. */
export function applyTamper(state: SandboxState, t: Tamper): Row | undefined {
  const meta = state.catalog.table(t.table);
  if (!meta) throw new Error(`tamper: unknown table '${t.table}'`);
  const row = state.store.get(t.table, t.id);
  if (!row) throw new Error(`tamper: no ${t.table} with id ${t.id}`);
  if (t.delete) {
    state.store.remove(t.table, t.id);
    return undefined;
  }
  const next: Record<string, Value> = { ...row };
  for (const [column, value] of Object.entries(t.set ?? {})) {
    const c = meta.columns.get(column);
    if (!c) throw new Error(`tamper: no column '${column}' on ${t.table}`);
    next[column] =
      c.type === 'DateTime' && c.behavior !== 'DateOnly' && typeof value === 'string'
        ? Date.parse(value)
        : (value as Value);
  }
  state.store.put(t.table, t.id, next);
  return next;
}

/** Stats from the counters. */
export function statsOf(c: Counters): Stats {
  return {
    requests: { ...c.requests },
    throttled: c.throttled,
    faultsInjected: c.faultsInjected,
    unauthorized: c.unauthorized,
    recordsWritten: c.recordsCreated + c.recordsUpdated + c.recordsDeleted,
    recordsCreated: c.recordsCreated,
    recordsUpdated: c.recordsUpdated,
    recordsDeleted: c.recordsDeleted,
  };
}
