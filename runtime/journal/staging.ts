import type { Database, Statement } from 'better-sqlite3';
import { DEFAULT_CHUNK_SIZE, keyset } from './keyset.ts';
import type { StagedGroup, StagedInput } from './types.ts';

interface StagedRow {
  id: number;
  group_key: string;
  record: string;
}

/**
 * Records of grouping mappings, held until every page is extracted and then read back one group at a
 * time (group key order, then staging order). Staged with the page that read them, so a resumed run
 * holds each record exactly once. The records are source data, patient data included.
 */
export class StagingStore {
  readonly #db: Database;
  readonly #chunkSize: number;
  readonly #add: Statement<[number, string, string, string], unknown>;
  readonly #read: Statement<unknown[], StagedRow>;
  readonly #clear: Statement<[{ runId: number; mapping: string | null }], unknown>;
  readonly #count: Statement<[number, string], { n: number }>;
  readonly #earlier: Statement<[string, number, string], { group_key: string }>;

  constructor(db: Database, chunkSize = DEFAULT_CHUNK_SIZE) {
    this.#db = db;
    this.#chunkSize = chunkSize;
    this.#add = db.prepare('INSERT INTO staged (run_id, mapping, group_key, record) VALUES (?, ?, ?, ?)');
    this.#read = db.prepare(
      `SELECT id, group_key, record FROM staged WHERE run_id = ? AND mapping = ? AND (group_key, id) > (?, ?)
       ORDER BY group_key, id LIMIT ?`,
    );
    this.#clear = db.prepare(
      'DELETE FROM staged WHERE run_id = @runId AND (@mapping IS NULL OR mapping = @mapping)',
    );
    this.#count = db.prepare('SELECT count(*) AS n FROM staged WHERE run_id = ? AND mapping = ?');
    this.#earlier = db.prepare(
      `SELECT DISTINCT group_key FROM staged WHERE mapping = ? AND run_id <> ?
       AND CAST(json_extract(record, '$.id') AS TEXT) IN (SELECT value FROM json_each(?))`,
    );
  }

  /** Stages records of a mapping for run `runId`. */
  add(runId: number, mapping: string, records: readonly StagedInput[]): void {
    this.#db.transaction(() => {
      for (const r of records) this.#add.run(runId, mapping, r.groupKey, JSON.stringify(r.record));
    })();
  }

  /**
   * The staged groups of a mapping in group key order. Rows are read in chunks (see `keyset`); only
   * the group being assembled and one chunk are in memory.
   */
  *iterate(runId: number, mapping: string): Generator<StagedGroup, void, undefined> {
    const rows = keyset(
      { key: '', id: 0 },
      (after, limit) => this.#read.all(runId, mapping, after.key, after.id, limit),
      (row) => ({ key: row.group_key, id: row.id }),
      this.#chunkSize,
    );
    let group: { groupKey: string; records: unknown[] } | undefined;
    for (const row of rows) {
      if (group && group.groupKey !== row.group_key) {
        yield group;
        group = undefined;
      }
      group ??= { groupKey: row.group_key, records: [] };
      group.records.push(JSON.parse(row.record));
    }
    if (group) yield group;
  }

  /**
   * The group keys other runs staged records `sourceIds` under: the groups a record may have left
   * when it changed group (a training record moved to another staff member).
   */
  earlierGroups(mapping: string, runId: number, sourceIds: readonly string[]): string[] {
    if (sourceIds.length === 0) return [];
    return this.#earlier.all(mapping, runId, JSON.stringify(sourceIds)).map((r) => r.group_key);
  }

  /** Number of records staged for a mapping. */
  count(runId: number, mapping: string): number {
    return this.#count.get(runId, mapping)!.n;
  }

  /** Drops a run's staged records (of one mapping, or all); returns how many. */
  clear(runId: number, mapping?: string): number {
    return this.#clear.run({ runId, mapping: mapping ?? null }).changes;
  }
}
