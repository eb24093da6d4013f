/** A reference to another row (the value of a lookup, customer or owner column). */
export interface Ref {
  readonly id: string;
  readonly table: string;
}

/** A stored column value: dates are epoch milliseconds, Edm.Date values `YYYY-MM-DD` strings. */
export type Value = string | number | boolean | null | Ref;

/** A row: logical column name → value. Rows are never mutated in place, so undo entries can hold them. */
export type Row = Readonly<Record<string, Value>>;

/** An alternate key as the store indexes it. */
export interface IndexedKey {
  readonly logicalName: string;
  readonly attributes: readonly string[];
}

interface UndoEntry {
  readonly table: string;
  readonly id: string;
  readonly prev: Row | undefined;
}

/** True when a value is a reference to another row. */
export function isRef(value: Value | undefined): value is Ref {
  return typeof value === 'object' && value !== null;
}

/**
 * One key string per row; null parts leave the row out of the index. Strings compare case-insensitively:
 * Dataverse runs on a case-insensitive SQL collation (an inference; the stricter choice for uniqueness).
 */
export function keyString(values: readonly (Value | undefined)[]): string | undefined {
  const parts: string[] = [];
  for (const v of values) {
    if (v === null || v === undefined) return undefined;
    parts.push(isRef(v) ? v.id : typeof v === 'string' ? v.toLowerCase() : String(v));
  }
  return parts.join('\u0001');
}

/**
 * Rows in memory with alternate-key indexes, a reverse index of references (for cascading deletes)
 * and savepoints, so change sets and bulk requests can roll back.
 */
export class Store {
  private readonly data = new Map<string, Map<string, Row>>();
  private readonly keys = new Map<string, IndexedKey[]>();
  private readonly index = new Map<string, Map<string, string>>();
  private readonly refs = new Map<string, Set<string>>();
  private undo: UndoEntry[] | null = null;
  private depth = 0;
  private version = 1_000_000;

  /**
   * @param tracked tables whose rows can be deleted; references to other tables (users, teams, business
   * units: never deleted through the sandbox) are left out of the reverse index to keep writes cheap.
   */
  constructor(private readonly tracked: (table: string) => boolean = () => true) {}

  /** The next row version (the number in `@odata.etag`). */
  nextVersion(): number {
    this.version += 1;
    return this.version;
  }

  /** All rows of a table (a live view; do not write while iterating). */
  rows(table: string): IterableIterator<Row> {
    return this.tableData(table).values();
  }

  /** Number of rows in a table. */
  count(table: string): number {
    return this.data.get(table)?.size ?? 0;
  }

  /** A row by primary key (ids are stored lower case). */
  get(table: string, id: string): Row | undefined {
    return this.data.get(table)?.get(id.toLowerCase());
  }

  /** Writes a row (insert or replace). Callers run their checks first. */
  put(table: string, id: string, row: Row): void {
    const key = id.toLowerCase();
    const prev = this.tableData(table).get(key);
    this.undo?.push({ table, id: key, prev });
    this.apply(table, key, prev, row);
  }

  /** Removes a row; returns it. */
  remove(table: string, id: string): Row | undefined {
    const key = id.toLowerCase();
    const prev = this.data.get(table)?.get(key);
    if (!prev) return undefined;
    this.undo?.push({ table, id: key, prev });
    this.apply(table, key, prev, undefined);
    return prev;
  }

  /** Rows that reference `id` through a lookup: `[table, rowId, column]` triples. */
  referencing(id: string): [string, string, string][] {
    return [...(this.refs.get(id.toLowerCase()) ?? [])].map(
      (s) => s.split('\u0000') as [string, string, string],
    );
  }

  /**
   * Builds the index of a newly active key. Returns false, leaving no index, when existing rows violate
   * it (the key's status then becomes Failed, PA`define-alternate-keys-entity`).
   */
  addKey(table: string, key: IndexedKey): boolean {
    const map = new Map<string, string>();
    for (const [id, row] of this.tableData(table)) {
      const k = keyString(key.attributes.map((a) => row[a]));
      if (k === undefined) continue;
      if (map.has(k)) return false;
      map.set(k, id);
    }
    this.index.set(`${table}\u0000${key.logicalName}`, map);
    this.keys.set(table, [...(this.keys.get(table) ?? []), key]);
    return true;
  }

  /** The id of the row whose key columns have these values, through an indexed (active) key. */
  findByKey(table: string, keyName: string, values: readonly Value[]): string | undefined {
    const k = keyString(values);
    return k === undefined ? undefined : this.index.get(`${table}\u0000${keyName}`)?.get(k);
  }

  /** The first indexed key that `row` would duplicate on another row, if any. */
  keyConflict(table: string, id: string, row: Row): IndexedKey | undefined {
    for (const key of this.keys.get(table) ?? []) {
      const k = keyString(key.attributes.map((a) => row[a]));
      if (k === undefined) continue;
      const owner = this.index.get(`${table}\u0000${key.logicalName}`)?.get(k);
      if (owner !== undefined && owner !== id.toLowerCase()) return key;
    }
    return undefined;
  }

  /** Opens a savepoint; pair with `rollback` or `release`. */
  savepoint(): number {
    if (this.undo === null) this.undo = [];
    this.depth += 1;
    return this.undo.length;
  }

  /** Undoes every write made since the savepoint and closes it. */
  rollback(savepoint: number): void {
    const undo = this.undo;
    if (undo === null) throw new Error('rollback without a savepoint');
    while (undo.length > savepoint) {
      const entry = undo.pop()!;
      const current = this.data.get(entry.table)?.get(entry.id);
      this.apply(entry.table, entry.id, current, entry.prev);
    }
    this.release();
  }

  /** Closes a savepoint, keeping its writes. */
  release(): void {
    this.depth -= 1;
    if (this.depth === 0) this.undo = null;
  }

  private tableData(table: string): Map<string, Row> {
    let rows = this.data.get(table);
    if (!rows) {
      rows = new Map();
      this.data.set(table, rows);
    }
    return rows;
  }

  private apply(table: string, id: string, prev: Row | undefined, next: Row | undefined): void {
    const rows = this.tableData(table);
    for (const key of this.keys.get(table) ?? []) {
      const map = this.index.get(`${table}\u0000${key.logicalName}`)!;
      const before = prev && keyString(key.attributes.map((a) => prev[a]));
      if (before !== undefined && map.get(before) === id) map.delete(before);
      const after = next && keyString(key.attributes.map((a) => next[a]));
      if (after !== undefined) map.set(after, id);
    }
    this.trackRefs(table, id, prev, next);
    if (next) rows.set(id, next);
    else rows.delete(id);
  }

  private trackRefs(table: string, id: string, prev: Row | undefined, next: Row | undefined): void {
    if (prev) {
      for (const column in prev) {
        const v = prev[column];
        if (!isRef(v) || !this.tracked(v.table)) continue;
        const n = next?.[column];
        if (isRef(n) && n.id === v.id) continue;
        const set = this.refs.get(v.id);
        if (!set) continue;
        set.delete(`${table}\u0000${id}\u0000${column}`);
        if (set.size === 0) this.refs.delete(v.id);
      }
    }
    if (next) {
      for (const column in next) {
        const v = next[column];
        if (!isRef(v) || !this.tracked(v.table)) continue;
        const p = prev?.[column];
        if (isRef(p) && p.id === v.id) continue;
        let set = this.refs.get(v.id);
        if (!set) {
          set = new Set();
          this.refs.set(v.id, set);
        }
        set.add(`${table}\u0000${id}\u0000${column}`);
      }
    }
  }
}
