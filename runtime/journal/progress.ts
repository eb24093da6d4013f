import type { Database, Statement } from 'better-sqlite3';
import { utcMs } from '../shared/utc.ts';
import { JournalError } from './errors.ts';
import type { Progress, ProgressUpdate, Watermark } from './types.ts';

interface ProgressRow {
  run_id: number;
  resource: string;
  next_page: number;
  total_entries: number | null;
  extracted: number;
  done: 0 | 1;
  max_updated_at: string | null;
  started_at: string;
  updated_at: string;
}

const toProgress = (row: ProgressRow): Progress => ({
  runId: row.run_id,
  resource: row.resource,
  nextPage: row.next_page,
  totalEntries: row.total_entries,
  extracted: row.extracted,
  done: row.done === 1,
  maxUpdatedAt: row.max_updated_at,
  startedAt: row.started_at,
  updatedAt: row.updated_at,
});

/**
 * A timestamp as ISO 8601 UTC with milliseconds, so that text order is time order in SQLite
 * (`2024-05-01T10:00:00+02:00` and `2024-05-01T08:00:00Z` are the same instant); a date-time without
 * offset is UTC, as PracticeHub means it. Null if unreadable.
 */
export function normalizeTimestamp(value: string): string | null {
  const time = utcMs(value);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

function timestamp(value: string, what: string): string {
  const normal = normalizeTimestamp(value);
  if (normal === null) throw new JournalError('invalid_operation', `${what} "${value}" is not a timestamp`);
  return normal;
}

/** Why a page cannot follow the journaled progress, or null. */
export function pageProblem(
  resource: string,
  page: number,
  current: Progress | undefined,
  update: ProgressUpdate,
): string | null {
  if (!Number.isInteger(page) || page < 1) return `page ${page} of ${resource} is not a page number`;
  if (current?.done) return `${resource} is already fully extracted in this run`;
  if (current && page !== current.nextPage) {
    return `page ${page} of ${resource} does not follow the journaled progress (next page ${current.nextPage})`;
  }
  if (!Number.isInteger(update.extracted) || update.extracted < 0) {
    return `extracted count of page ${page} of ${resource} is not a count`;
  }
  if (!Number.isInteger(update.nextPage) || (!update.done && update.nextPage <= page)) {
    return `next page ${update.nextPage} of ${resource} does not advance past page ${page}`;
  }
  return null;
}

/** The `progress` and `watermarks` tables. */
export class ProgressStore {
  readonly #get: Statement<[number, string], ProgressRow>;
  readonly #all: Statement<[number], ProgressRow>;
  readonly #upsert: Statement<[Record<string, unknown>], unknown>;
  readonly #watermark: Statement<[string], Watermark>;
  readonly #standing: Statement<[string], Watermark>;
  readonly #resources: Statement<[], { resource: string }>;
  readonly #setWatermark: Statement<unknown[], unknown>;

  constructor(db: Database) {
    this.#get = db.prepare('SELECT * FROM progress WHERE run_id = ? AND resource = ?');
    this.#all = db.prepare('SELECT * FROM progress WHERE run_id = ? ORDER BY resource');
    // ISO 8601 UTC timestamps of one format compare correctly as text, so max() is the latest.
    this.#upsert = db.prepare(
      `INSERT INTO progress (run_id, resource, next_page, total_entries, extracted, done, max_updated_at,
         started_at, updated_at) VALUES (@runId, @resource, @nextPage, @totalEntries, @extracted, @done, @maxUpdatedAt, @now, @now)
       ON CONFLICT (run_id, resource) DO UPDATE SET next_page = excluded.next_page,
         total_entries = excluded.total_entries, extracted = extracted + excluded.extracted,
         done = excluded.done, updated_at = excluded.updated_at,
         max_updated_at = CASE WHEN max_updated_at IS NULL THEN excluded.max_updated_at
           WHEN excluded.max_updated_at IS NULL THEN max_updated_at
           ELSE max(max_updated_at, excluded.max_updated_at) END`,
    );
    const columns = `w.resource, w.max_updated_at AS maxUpdatedAt, w.extraction_started_at AS extractionStartedAt,
      w.run_id AS runId, w.set_at AS setAt`;
    // The watermarks row names the run that set it; once that run is rolled back the row no longer stands.
    this.#watermark = db.prepare(
      `SELECT ${columns} FROM watermarks w JOIN runs r ON r.id = w.run_id
       WHERE w.resource = ? AND r.status <> 'rolled_back'`,
    );
    // The progress rows of the completed runs and deltas still standing hold every watermark they set:
    // when the one in the watermarks table was rolled back, the resource's watermark is the newest
    // delta's, or with no delta standing the oldest full run's (see advanceWatermarks).
    const standing = `FROM progress p JOIN runs r ON r.id = p.run_id
       WHERE r.status = 'completed' AND r.kind IN ('run', 'delta') AND p.done = 1 AND p.max_updated_at IS NOT NULL`;
    this.#standing = db.prepare(
      `SELECT p.resource, p.max_updated_at AS maxUpdatedAt, p.started_at AS extractionStartedAt,
         p.run_id AS runId, coalesce(r.ended_at, p.updated_at) AS setAt
       ${standing} AND p.resource = ?
       ORDER BY r.kind = 'delta' DESC, CASE WHEN r.kind = 'delta' THEN p.max_updated_at END DESC,
         p.max_updated_at, p.run_id DESC LIMIT 1`,
    );
    this.#resources = db.prepare(
      `SELECT resource FROM watermarks UNION SELECT p.resource ${standing} ORDER BY resource`,
    );
    this.#setWatermark = db.prepare(
      `INSERT INTO watermarks (resource, max_updated_at, extraction_started_at, run_id, set_at)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (resource) DO UPDATE SET max_updated_at = excluded.max_updated_at,
         extraction_started_at = excluded.extraction_started_at, run_id = excluded.run_id,
         set_at = excluded.set_at`,
    );
  }

  /** Progress of one resource in one run. */
  get(runId: number, resource: string): Progress | undefined {
    const row = this.#get.get(runId, resource);
    return row ? toProgress(row) : undefined;
  }

  /** Progress of every resource of a run. */
  all(runId: number): Progress[] {
    return this.#all.all(runId).map(toProgress);
  }

  /** Records a page as extracted; refuses pages out of order. Runs inside the caller's transaction. */
  advance(runId: number, resource: string, page: number, update: ProgressUpdate, now: string): void {
    const problem = pageProblem(resource, page, this.get(runId, resource), update);
    if (problem !== null) throw new JournalError('page_out_of_order', problem);
    this.#upsert.run({
      runId,
      resource,
      nextPage: update.nextPage,
      totalEntries: update.totalEntries,
      extracted: update.extracted,
      done: update.done ? 1 : 0,
      maxUpdatedAt:
        update.maxUpdatedAt == null ? null : timestamp(update.maxUpdatedAt, `max updated_at of ${resource}`),
      now,
    });
  }

  /**
   * The watermark of a resource: the one set by the newest delta that is not rolled back, or with none
   * by the first full run (see advanceWatermarks). A rollback takes its run's watermarks with it, so that the next delta reads again what it had read
   * (deletions included, which a whole read does not list).
   */
  watermark(resource: string): Watermark | undefined {
    return this.#watermark.get(resource) ?? this.#standing.get(resource);
  }

  /** Every watermark, by resource. */
  watermarks(): Watermark[] {
    return this.#resources.all().flatMap(({ resource }) => this.watermark(resource) ?? []);
  }

  /**
   * Moves a resource's watermark forward from the one standing (never back: an older run completing
   * later must not pull it back); returns whether it moved. Runs inside the caller's transaction.
   */
  setWatermark(
    runId: number,
    resource: string,
    maxUpdatedAt: string,
    extractionStartedAt: string | null,
    now: string,
  ): boolean {
    const value = timestamp(maxUpdatedAt, `watermark of ${resource}`);
    const current = this.watermark(resource);
    if (current && value < current.maxUpdatedAt) return false;
    this.#setWatermark.run(resource, value, extractionStartedAt, runId, now);
    return true;
  }

  /**
   * Sets the watermarks from a completed run's fully extracted resources. A full run sets only those
   * not set yet: its whole read lists no record deleted since the watermark standing, so the next delta
   * must read from there to apply those deletions.
   */
  advanceWatermarks(runId: number, kind: 'run' | 'delta', now: string): void {
    for (const p of this.all(runId)) {
      if (!p.done || p.maxUpdatedAt === null) continue;
      // (The run is completed already, so the watermark standing may be its own.)
      const standing = this.watermark(p.resource);
      if (kind === 'run' && standing && standing.runId !== runId) continue;
      this.setWatermark(runId, p.resource, p.maxUpdatedAt, p.startedAt, now);
    }
  }
}
