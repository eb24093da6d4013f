import type { Database, Statement } from 'better-sqlite3';
import type { Flag } from '../transforms/types.ts';
import { JournalError } from './errors.ts';
import { jsonOrNull, keyset, parseOrNull } from './keyset.ts';
import {
  ACTIONS,
  type Action,
  ALREADY_CLOSED,
  ALREADY_GONE,
  type AwaitedRow,
  LOOKUP_REQUIRED,
  type MappingCounts,
  type OperationFilter,
  type OperationInput,
  type OperationRecord,
  type RunSummary,
  STATE_REFUSED,
  WRITE_ACTIONS,
} from './types.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How an action counts in the accounting (extracted = loaded + rejected + skipped); `bind` does not. */
const OUTCOME: Readonly<Record<Action, 'loaded' | 'rejected' | 'skipped' | null>> = {
  create: 'loaded',
  update: 'loaded',
  deactivate: 'loaded',
  delete: 'loaded',
  restore: 'loaded',
  unchanged: 'skipped',
  skip: 'skipped',
  reject: 'rejected',
  bind: null,
};
const RANK = { skipped: 0, loaded: 1, rejected: 2 } as const;

/** What is wrong with an operation, or null. Checked before anything of its page is written. */
export function operationProblem(op: OperationInput): string | null {
  if (!(ACTIONS as readonly string[]).includes(op.action)) return `unknown action "${String(op.action)}"`;
  if (typeof op.mapping !== 'string' || op.mapping === '') return 'an operation names its mapping';
  if (typeof op.sourceId !== 'string' || op.sourceId === '') return 'an operation names its source id';
  if ((op.action === 'skip' || op.action === 'reject') && !op.reason) {
    return `a ${op.action} of ${op.mapping} ${op.sourceId} gives its reason`;
  }
  if (op.targetId != null && !GUID.test(op.targetId)) {
    return `target id of ${op.mapping} ${op.sourceId} is not a GUID`;
  }
  if (op.undoes != null && !(Number.isSafeInteger(op.undoes) && op.undoes > 0)) {
    return `operation undone by ${op.mapping} ${op.sourceId} is not an operation id`;
  }
  // A write must say which row.
  if (WRITE_ACTIONS.has(op.action) && (op.targetId == null || !op.table)) {
    return `a ${op.action} of ${op.mapping} ${op.sourceId} names its table and target id`;
  }
  return null;
}

/** Mappings whose accounting does not balance (extracted ≠ loaded + rejected + skipped). */
export function unbalanced(summary: RunSummary): string[] {
  return Object.entries(summary)
    .filter(([, c]) => c.extracted !== c.loaded + c.rejected + c.skipped)
    .map(([mapping]) => mapping);
}

interface OperationRow {
  id: number;
  run_id: number;
  resource: string | null;
  page: number | null;
  mapping: string;
  source_id: string;
  row_key: string | null;
  target_table: string | null;
  action: Action;
  target_id: string | null;
  reason: string | null;
  error_code: string | null;
  error_message: string | null;
  flags: string | null;
  pre_image: string | null;
  payload_hash: string | null;
  undoes: number | null;
  awaits: string | null;
  at: string;
}

function toRecord(row: OperationRow): OperationRecord {
  return {
    id: row.id,
    runId: row.run_id,
    resource: row.resource,
    page: row.page,
    mapping: row.mapping,
    sourceId: row.source_id,
    key: row.row_key,
    table: row.target_table,
    action: row.action,
    targetId: row.target_id,
    reason: row.reason,
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' },
    flags: parseOrNull<Flag[]>(row.flags) ?? [],
    preImage: parseOrNull<Record<string, unknown>>(row.pre_image),
    payloadHash: row.payload_hash,
    undoes: row.undoes,
    awaits: parseOrNull<AwaitedRow[]>(row.awaits),
    at: row.at,
  };
}

/** Where a batch of operations came from. */
export interface BatchOrigin {
  readonly resource: string | null;
  readonly page: number | null;
  readonly at: string;
}

/** The `operations` and `counters` tables. */
export class OperationStore {
  readonly #db: Database;
  readonly #chunkSize: number;
  readonly #insert: Statement<unknown[], unknown>;
  readonly #count: Statement<unknown[], unknown>;
  readonly #counters: Statement<[number], MappingCounts & { mapping: string }>;
  readonly #extracted: Statement<[number, string], { extracted: number }>;
  readonly #queries = new Map<string, Statement<unknown[], OperationRow>>();
  readonly #claim: Statement<[number, string, string], { source_id: string }>;
  readonly #closed: Statement<{ mapping: string; key: string }, { closed: number }>;
  readonly #has: Statement<[number, string, string], { n: number }>;
  readonly #readAgain: Statement<{ mapping: string; parents: string }, { source_id: string }>;
  readonly #pageIds: Statement<[number, string, number, number], { page: number; source_id: string }>;

  constructor(db: Database, chunkSize: number) {
    this.#db = db;
    this.#chunkSize = chunkSize;
    this.#insert = db.prepare(
      `INSERT INTO operations (run_id, resource, page, mapping, source_id, row_key, target_table, action,
         target_id, reason, error_code, error_message, flags, pre_image, payload_hash, undoes, awaits, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // A mapping reads one resource: a conflicting resource leaves the row unchanged and is caught below.
    this.#count = db.prepare(
      `INSERT INTO counters (run_id, mapping, resource, loaded, rejected, skipped) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, mapping) DO UPDATE SET loaded = loaded + excluded.loaded,
         rejected = rejected + excluded.rejected, skipped = skipped + excluded.skipped
       WHERE resource = excluded.resource`,
    );
    this.#counters = db.prepare(
      `SELECT c.mapping, c.resource, coalesce(p.extracted, 0) AS extracted, c.loaded, c.rejected, c.skipped
       FROM counters c LEFT JOIN progress p ON p.run_id = c.run_id AND p.resource = c.resource
       WHERE c.run_id = ? ORDER BY c.mapping`,
    );
    this.#extracted = db.prepare('SELECT extracted FROM progress WHERE run_id = ? AND resource = ?');
    // Operations are numbered in the order they were journaled, whatever run: a close numbered after the
    // row's last write closed what is there now. Rollbacks and rolled-back runs do not stand.
    const standing = `JOIN runs r ON r.id = o.run_id AND r.kind <> 'rollback' AND r.status <> 'rolled_back'`;
    // A deleted record's row found closed already, or gone, counts as closed (its skip says
    // ALREADY_CLOSED or ALREADY_GONE).
    this.#closed = db.prepare(
      `SELECT EXISTS (SELECT 1 FROM operations o ${standing}
         WHERE o.mapping = @mapping AND o.row_key = @key AND o.error_code IS NULL
           AND (o.action IN ('deactivate', 'delete')
             OR (o.action = 'skip'
               AND (instr(o.reason, '${ALREADY_CLOSED}') > 0 OR instr(o.reason, '${ALREADY_GONE}') > 0)))
           AND o.id > COALESCE((SELECT max(o.id) FROM operations o ${standing}
             WHERE o.mapping = @mapping AND o.row_key = @key AND o.action IN ('create', 'update')), 0)
       ) AS closed`,
    );
    // The operations of each record of the mapping in the last standing run that journaled it (the
    // last run of each record found once for all its records: a subquery per record would read the
    // mapping's operations once per candidate), one per row: the reject of a row whose state Dataverse
    // refused; or a reject for a required lookup, or a write that left a lookup empty, older than a row
    // created for a parent it awaits (one journaled before operations named what they await: older than
    // the last row a parent mapping created). Any row of a record may wait, not only its last one.
    // A bind is not a reading of the record: a run that only bound a lookup an earlier run left empty
    // (bindDeferred) leaves what that run's operations wait for as it was.
    // Only a create settles an awaited row: a lookup, or an update mapping, points to a mapping that
    // creates rows (FS110, and a match needs mode: update, FS127), never to one that only matches them.
    this.#readAgain = db.prepare(
      `WITH last AS (
         SELECT l.source_id, max(l.id) AS id FROM operations l
           JOIN runs lr ON lr.id = l.run_id AND lr.kind <> 'rollback' AND lr.status <> 'rolled_back'
         WHERE l.mapping = @mapping AND l.action <> 'bind' GROUP BY l.source_id),
       parent AS (
         SELECT max(p.id) AS id FROM operations p
           JOIN runs pr ON pr.id = p.run_id AND pr.kind <> 'rollback' AND pr.status <> 'rolled_back'
         WHERE p.mapping IN (SELECT value FROM json_each(@parents)) AND p.action = 'create')
       SELECT o.source_id FROM last JOIN operations t ON t.id = last.id
         JOIN operations o ON o.run_id = t.run_id AND o.mapping = @mapping AND o.source_id = last.source_id
       WHERE (o.action = 'reject' AND instr(o.reason, '${STATE_REFUSED}') = 1)
         OR (o.error_code IS NULL
         AND ((o.action = 'reject' AND instr(o.reason, '${LOOKUP_REQUIRED}') > 0)
           OR (o.action IN ('create', 'update', 'unchanged') AND instr(o.flags, '"lookup_unresolved"') > 0)
           OR (o.action = 'skip' AND o.awaits IS NOT NULL))
         AND CASE WHEN o.awaits IS NULL THEN o.id < (SELECT id FROM parent)
           ELSE EXISTS (SELECT 1 FROM json_each(o.awaits) a
             JOIN operations p ON p.mapping = json_extract(a.value, '$.mapping')
               AND p.row_key = json_extract(a.value, '$.key') AND p.action = 'create' AND p.id > o.id
             JOIN runs pr ON pr.id = p.run_id AND pr.kind <> 'rollback' AND pr.status <> 'rolled_back') END)
       GROUP BY o.source_id ORDER BY min(o.id)`,
    );
    this.#claim = db.prepare(
      `SELECT source_id FROM operations WHERE run_id = ? AND mapping = ? AND row_key = ?
         AND action IN ('create', 'update', 'unchanged') ORDER BY id LIMIT 1`,
    );
    this.#has = db.prepare(
      'SELECT count(*) AS n FROM operations WHERE run_id = ? AND mapping = ? AND source_id = ?',
    );
    this.#pageIds = db.prepare(
      `SELECT DISTINCT page, source_id FROM operations
       WHERE run_id = ? AND resource = ? AND page BETWEEN ? AND ?`,
    );
  }

  /** The source ids a run journaled from each page `from`..`to` of a resource, one set per page in order. */
  pageIds(runId: number, resource: string, from: number, to: number): Set<string>[] {
    const pages = Array.from({ length: Math.max(0, to - from + 1) }, () => new Set<string>());
    for (const row of this.#pageIds.iterate(runId, resource, from, to))
      pages[row.page - from]!.add(row.source_id);
    return pages;
  }

  /** Whether a standing run deactivated or deleted a row of a mapping after it was last written. */
  closedSinceWritten(mapping: string, key: string): boolean {
    return this.#closed.get({ mapping, key })!.closed === 1;
  }

  /**
   * The records of a mapping a delta reads again though PracticeHub did not change them, by the
   * operations of their rows in the last standing run that journaled them: the reject of a row Dataverse wrote but whose state it refused; or a reject for
   * a required lookup, or a write that left a lookup empty, when a row it awaits has been created since
   * (for an operation journaled without what it awaits: any row of `parents`, the mappings its lookups
   * point to).
   */
  toReadAgain(mapping: string, parents: readonly string[]): string[] {
    return this.#readAgain.all({ mapping, parents: JSON.stringify(parents) }).map((r) => r.source_id);
  }

  /** The source record that wrote (or left unchanged) a row of a mapping in a run, if any. */
  claimedBy(runId: number, mapping: string, key: string): string | undefined {
    return this.#claim.get(runId, mapping, key)?.source_id;
  }

  /** Whether a run journaled anything for a source record of a mapping. */
  has(runId: number, mapping: string, sourceId: string): boolean {
    return (this.#has.get(runId, mapping, sourceId)?.n ?? 0) > 0;
  }

  /**
   * Writes operations and updates the counters. Must run inside the caller's transaction. Each source
   * record counts once per mapping: rejected if any of its rows was rejected, else loaded if any was
   * written, else skipped. So the operations of one record belong in one call.
   */
  insert(runId: number, ops: readonly OperationInput[], origin: BatchOrigin): void {
    for (const op of ops) {
      const problem = operationProblem(op);
      if (problem !== null) throw new JournalError('invalid_operation', problem);
    }
    const outcomes = new Map<string, { mapping: string; outcome: 'loaded' | 'rejected' | 'skipped' }>();
    for (const op of ops) {
      this.#insert.run(
        runId,
        origin.resource,
        origin.page,
        op.mapping,
        op.sourceId,
        op.key ?? null,
        op.table ?? null,
        op.action,
        op.targetId ?? null,
        op.reason ?? null,
        op.error?.code ?? null,
        op.error?.message ?? null,
        op.flags && op.flags.length > 0 ? JSON.stringify(op.flags) : null,
        jsonOrNull(op.preImage),
        op.payloadHash ?? null,
        op.undoes ?? null,
        op.awaits && op.awaits.length > 0 ? JSON.stringify(op.awaits) : null,
        op.at ?? origin.at,
      );
      const outcome = OUTCOME[op.action];
      if (outcome === null || origin.resource === null) continue;
      const id = `${op.mapping}\u0000${op.sourceId}`;
      const seen = outcomes.get(id);
      if (!seen || RANK[outcome] > RANK[seen.outcome]) outcomes.set(id, { mapping: op.mapping, outcome });
    }
    if (origin.resource !== null) this.#addCounts(runId, origin.resource, outcomes.values());
  }

  #addCounts(
    runId: number,
    resource: string,
    outcomes: Iterable<{ mapping: string; outcome: 'loaded' | 'rejected' | 'skipped' }>,
  ): void {
    const sums = new Map<string, { loaded: number; rejected: number; skipped: number }>();
    for (const { mapping, outcome } of outcomes) {
      const sum = sums.get(mapping) ?? { loaded: 0, rejected: 0, skipped: 0 };
      sum[outcome] += 1;
      sums.set(mapping, sum);
    }
    for (const [mapping, sum] of sums) {
      const info = this.#count.run(runId, mapping, resource, sum.loaded, sum.rejected, sum.skipped);
      if (info.changes === 0) {
        throw new JournalError('invalid_operation', `mapping ${mapping} was journaled from two resources`);
      }
    }
  }

  /** Per-mapping accounting; `expected` (mapping → resource) adds mappings that journaled nothing. */
  accounting(runId: number, expected: Readonly<Record<string, string>> = {}): RunSummary {
    const summary: Record<string, MappingCounts> = {};
    for (const { mapping, ...counts } of this.#counters.all(runId)) summary[mapping] = counts;
    for (const [mapping, resource] of Object.entries(expected)) {
      if (summary[mapping]) continue;
      const seen = this.#extracted.get(runId, resource)?.extracted ?? 0;
      summary[mapping] = { resource, extracted: seen, loaded: 0, rejected: 0, skipped: 0 };
    }
    return summary;
  }

  /** Operations of a run in load order (or reverse), read in chunks; see `keyset`. */
  iterate(
    runId: number,
    filter: OperationFilter & { preImage?: boolean },
    order: 'asc' | 'desc',
  ): Generator<OperationRecord, void, undefined> {
    const actions = filter.action === undefined ? [] : ([] as Action[]).concat(filter.action);
    const where = ['run_id = ?'];
    const params: unknown[] = [runId];
    if (actions.length === 1) {
      where.push('action = ?');
      params.push(actions[0]);
    } else if (actions.length > 1) {
      // Unary + keeps SQLite on the (run_id) index, already in id order, instead of sorting every chunk.
      where.push('+action IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(actions));
    }
    if (filter.mapping !== undefined) {
      where.push('mapping = ?');
      params.push(filter.mapping);
    }
    if (filter.preImage) where.push('pre_image IS NOT NULL');
    where.push(order === 'asc' ? 'id > ?' : 'id < ?');
    const sql = `SELECT * FROM operations WHERE ${where.join(' AND ')} ORDER BY id ${order} LIMIT ?`;
    let statement = this.#queries.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#queries.set(sql, statement);
    }
    const query = statement;
    const rows = keyset(
      order === 'asc' ? 0 : Number.MAX_SAFE_INTEGER,
      (after: number, limit) => query.all(...params, after, limit),
      (row) => row.id,
      this.#chunkSize,
    );
    return (function* () {
      for (const row of rows) yield toRecord(row);
    })();
  }
}
