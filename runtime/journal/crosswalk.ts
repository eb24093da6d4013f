import type { Database, Statement } from 'better-sqlite3';
import { JournalError } from './errors.ts';
import type { CrosswalkChange, CrosswalkEntry } from './types.ts';

interface CrosswalkRow {
  mapping: string;
  row_key: string;
  source_id: string;
  target_table: string;
  target_id: string;
  payload_hash: string | null;
  source_updated_at: string | null;
  created_by: number;
  written_by: number;
}

const toEntry = (row: CrosswalkRow): CrosswalkEntry => ({
  mapping: row.mapping,
  key: row.row_key,
  sourceId: row.source_id,
  table: row.target_table,
  targetId: row.target_id,
  payloadHash: row.payload_hash,
  sourceUpdatedAt: row.source_updated_at,
  createdBy: row.created_by,
  writtenBy: row.written_by,
});

/**
 * The crosswalk: (mapping, row key) → Dataverse row, with the hash of what was last written there so
 * that a second run skips unchanged records, and the source id so lookups bind by source id.
 * Many keys are read with one statement (a JSON array of keys joined in SQLite), not one per key.
 */
export class CrosswalkStore {
  readonly #get: Statement<[string, string], CrosswalkRow>;
  readonly #getMany: Statement<[string, string], CrosswalkRow>;
  readonly #bySource: Statement<[string, string], CrosswalkRow>;
  readonly #upsert: Statement<unknown[], unknown>;
  readonly #remove: Statement<[string, string], unknown>;
  readonly #seen: Statement<[string | null, string, string], unknown>;
  readonly #count: Statement<[{ mapping: string | null }], { n: number }>;
  readonly #ofMapping: Statement<[string], CrosswalkRow>;
  readonly #latest: Statement<[number], CrosswalkRow>;

  constructor(db: Database) {
    this.#get = db.prepare('SELECT * FROM crosswalk WHERE mapping = ? AND row_key = ?');
    this.#getMany = db.prepare(
      'SELECT * FROM crosswalk WHERE mapping = ? AND row_key IN (SELECT value FROM json_each(?))',
    );
    this.#bySource = db.prepare(
      `SELECT * FROM crosswalk WHERE mapping = ? AND source_id IN (SELECT value FROM json_each(?))
       ORDER BY source_id, row_key`,
    );
    // created_by is kept on update: it names the run that first created the row.
    this.#upsert = db.prepare(
      `INSERT INTO crosswalk (mapping, row_key, source_id, target_table, target_id, payload_hash,
         source_updated_at, created_by, written_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (mapping, row_key) DO UPDATE SET source_id = excluded.source_id,
         target_table = excluded.target_table, target_id = excluded.target_id,
         payload_hash = excluded.payload_hash, source_updated_at = excluded.source_updated_at,
         written_by = excluded.written_by`,
    );
    this.#remove = db.prepare('DELETE FROM crosswalk WHERE mapping = ? AND row_key = ?');
    this.#seen = db.prepare('UPDATE crosswalk SET source_updated_at = ? WHERE mapping = ? AND row_key = ?');
    this.#ofMapping = db.prepare('SELECT * FROM crosswalk WHERE mapping = ? ORDER BY row_key');
    this.#latest = db.prepare('SELECT * FROM crosswalk ORDER BY written_by DESC, mapping, row_key LIMIT ?');
    this.#count = db.prepare(
      'SELECT count(*) AS n FROM crosswalk WHERE @mapping IS NULL OR mapping = @mapping',
    );
  }

  /** The row of one key, or undefined. */
  get(mapping: string, key: string): CrosswalkEntry | undefined {
    const row = this.#get.get(mapping, key);
    return row ? toEntry(row) : undefined;
  }

  /** The rows of many keys (thousands per call); keys without a row are absent from the map. */
  getMany(mapping: string, keys: readonly string[]): Map<string, CrosswalkEntry> {
    const found = new Map<string, CrosswalkEntry>();
    if (keys.length === 0) return found;
    for (const row of this.#getMany.all(mapping, JSON.stringify(keys))) found.set(row.row_key, toEntry(row));
    return found;
  }

  /**
   * The rows of a mapping by source id. A source record may own several rows (fan-out, split notes),
   * so each id maps to a list, ordered by row key; ids without rows are absent.
   */
  bySourceIds(mapping: string, sourceIds: readonly string[]): Map<string, CrosswalkEntry[]> {
    const found = new Map<string, CrosswalkEntry[]>();
    if (sourceIds.length === 0) return found;
    for (const row of this.#bySource.all(mapping, JSON.stringify(sourceIds))) {
      const list = found.get(row.source_id) ?? [];
      list.push(toEntry(row));
      found.set(row.source_id, list);
    }
    return found;
  }

  /** Every row of a mapping (the rows it owns in Dataverse), by row key. */
  ofMapping(mapping: string): CrosswalkEntry[] {
    return this.#ofMapping.all(mapping).map(toEntry);
  }

  /** The `limit` rows written last (by the newest run), of any mapping. */
  latest(limit: number): CrosswalkEntry[] {
    return this.#latest.all(limit).map(toEntry);
  }

  /** Number of rows, of one mapping or of all. */
  count(mapping?: string): number {
    return this.#count.get({ mapping: mapping ?? null })!.n;
  }

  /** Applies changes written by run `runId`. Runs inside the caller's transaction. */
  apply(runId: number, changes: readonly CrosswalkChange[]): void {
    for (const change of changes) {
      if ('remove' in change) {
        this.#remove.run(change.mapping, change.key);
        continue;
      }
      if ('seen' in change) {
        this.#seen.run(change.sourceUpdatedAt, change.mapping, change.key);
        continue;
      }
      if (!change.mapping || !change.key || !change.sourceId || !change.table || !change.targetId) {
        throw new JournalError(
          'invalid_operation',
          'a crosswalk row names mapping, key, source id, table and id',
        );
      }
      this.#upsert.run(
        change.mapping,
        change.key,
        change.sourceId,
        change.table,
        change.targetId,
        change.payloadHash,
        change.sourceUpdatedAt,
        runId,
        runId,
      );
    }
  }
}
