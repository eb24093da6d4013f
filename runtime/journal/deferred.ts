import type { Database, Statement } from 'better-sqlite3';
import { JournalError } from './errors.ts';
import { DEFAULT_CHUNK_SIZE, keyset } from './keyset.ts';
import type { DeferredInput, DeferredLookup, DeferredResolution, DeferredStatus } from './types.ts';

interface DeferredRow {
  id: number;
  run_id: number;
  mapping: string;
  row_key: string;
  column_name: string;
  candidates: string;
  status: DeferredStatus;
  target_id: string | null;
  error_code: string | null;
  error_message: string | null;
}

interface ListParams {
  runId: number;
  status: DeferredStatus | null;
  mapping: string | null;
  after: number;
  limit: number;
}

const toLookup = (row: DeferredRow): DeferredLookup => ({
  id: row.id,
  runId: row.run_id,
  mapping: row.mapping,
  key: row.row_key,
  column: row.column_name,
  candidates: JSON.parse(row.candidates) as (string | null)[],
  status: row.status,
  targetId: row.target_id,
  error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' },
});

/**
 * Lookups bound in the second pass, after every mapping has loaded (cycles such as clinic → parent
 * clinic). Added with the page that produced them, so a resumed run neither loses nor repeats one.
 */
export class DeferredStore {
  readonly #db: Database;
  readonly #chunkSize: number;
  readonly #add: Statement<unknown[], unknown>;
  readonly #resolve: Statement<unknown[], unknown>;
  readonly #counts: Statement<[number], { status: DeferredStatus; n: number }>;
  readonly #list: Statement<[ListParams], DeferredRow>;
  readonly #listByStatus: Statement<[ListParams], DeferredRow>;
  readonly #leftEmpty: Statement<[{ runId: number }], DeferredRow>;

  constructor(db: Database, chunkSize = DEFAULT_CHUNK_SIZE) {
    this.#db = db;
    this.#chunkSize = chunkSize;
    // Adding the same lookup again (a row written twice in one run) keeps one, with the newer candidates.
    this.#add = db.prepare(
      `INSERT INTO deferred (run_id, mapping, row_key, column_name, candidates, status) VALUES (?, ?, ?, ?, ?, 'pending')
       ON CONFLICT (run_id, mapping, row_key, column_name) DO UPDATE SET candidates = excluded.candidates,
         status = 'pending', target_id = NULL, error_code = NULL, error_message = NULL`,
    );
    this.#resolve = db.prepare(
      'UPDATE deferred SET status = ?, target_id = ?, error_code = ?, error_message = ? WHERE id = ?',
    );
    // Two statements, so that each walks an index already in id order instead of sorting every chunk.
    this.#list = db.prepare(
      `SELECT * FROM deferred WHERE run_id = @runId AND (@mapping IS NULL OR mapping = @mapping)
       AND id > @after ORDER BY id LIMIT @limit`,
    );
    this.#listByStatus = db.prepare(
      `SELECT * FROM deferred WHERE run_id = @runId AND status = @status
       AND (@mapping IS NULL OR mapping = @mapping) AND id > @after ORDER BY id LIMIT @limit`,
    );
    this.#counts = db.prepare('SELECT status, count(*) AS n FROM deferred WHERE run_id = ? GROUP BY status');
    // The row's last standing write (create or update) journaled the lookup: a later write of the row
    // journals its own, or none when the record no longer names a parent. Unchanged rows journal none
    // and keep theirs (their payload, lookup values included, is the same). The newest entry of each
    // lookup is found in one pass over the table (`newest`), not by a search of the later entries for
    // each one, which took a minute over 40,000 lookups left unresolved. A binding Dataverse refused
    // (status 'failed') is listed too, by the run that wrote the row or by a later one that bound it
    // again, so that the next run tries it again instead of leaving the lookup empty.
    const standing = `JOIN runs r ON r.id = o.run_id AND r.kind <> 'rollback' AND r.status <> 'rolled_back'`;
    this.#leftEmpty = db.prepare(
      `WITH newest AS (
         SELECT max(l.id) AS id FROM deferred l JOIN runs r ON r.id = l.run_id
             AND r.kind <> 'rollback' AND r.status <> 'rolled_back'
         WHERE l.run_id <> @runId
         GROUP BY l.mapping, l.row_key, l.column_name)
       , listed AS (
         SELECT d.*, (SELECT o.run_id FROM operations o ${standing}
           WHERE o.mapping = d.mapping AND o.row_key = d.row_key AND o.action IN ('create', 'update')
             AND o.error_code IS NULL ORDER BY o.id DESC LIMIT 1) AS written
         FROM newest JOIN deferred d ON d.id = newest.id WHERE d.status IN ('unresolved', 'failed'))
       SELECT * FROM listed
       WHERE run_id = written OR (status = 'failed' AND run_id > written)
       ORDER BY id`,
    );
  }

  /**
   * The deferred lookups earlier standing runs left unresolved (the row they point to was not loaded)
   * or failed to bind (Dataverse refused the binding) on rows still as those runs wrote them: `runId` binds those whose row has been loaded since. Those
   * `runId` has added already stay listed, so that a resumed run knows them from the lookups of the
   * rows it wrote.
   */
  *leftEmpty(runId: number): Generator<DeferredLookup, void, undefined> {
    for (const row of this.#leftEmpty.iterate({ runId })) yield toLookup(row);
  }

  /** Journals lookups to bind later. */
  add(runId: number, lookups: readonly DeferredInput[]): void {
    this.#db.transaction(() => {
      for (const l of lookups) {
        this.#add.run(runId, l.mapping, l.key, l.column, JSON.stringify(l.candidates));
      }
    })();
  }

  /** A run's deferred lookups in the order they were added, read in chunks. */
  list(
    runId: number,
    filter: { status?: DeferredStatus; mapping?: string } = {},
  ): Generator<DeferredLookup, void, undefined> {
    const query = filter.status === undefined ? this.#list : this.#listByStatus;
    const rows = keyset(
      0,
      (after: number, limit) =>
        query.all({ runId, status: filter.status ?? null, mapping: filter.mapping ?? null, after, limit }),
      (row) => row.id,
      this.#chunkSize,
    );
    return (function* () {
      for (const row of rows) yield toLookup(row);
    })();
  }

  /** Records how a deferred lookup ended. */
  resolve(id: number, resolution: DeferredResolution): void {
    const error = resolution.status === 'bound' ? null : resolution.error;
    const targetId = resolution.status === 'bound' ? resolution.targetId : null;
    const info = this.#resolve.run(
      resolution.status,
      targetId,
      error?.code ?? null,
      error?.message ?? null,
      id,
    );
    if (info.changes === 0)
      throw new JournalError('deferred_not_found', `deferred lookup ${id} does not exist`);
  }

  /** Number of a run's deferred lookups by status. */
  counts(runId: number): Record<DeferredStatus, number> {
    const counts: Record<DeferredStatus, number> = { pending: 0, bound: 0, unresolved: 0, failed: 0 };
    for (const row of this.#counts.all(runId)) counts[row.status] = row.n;
    return counts;
  }
}
