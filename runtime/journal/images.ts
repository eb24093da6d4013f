import type { Database, Statement } from 'better-sqlite3';
import { jsonOrNull, parseOrNull } from './keyset.ts';
import { type Action, WRITE_ACTIONS } from './types.ts';

/** What a staged write will do to a row that exists before it: update it, deactivate it or delete it. */
export type StagedAction = 'update' | 'deactivate' | 'delete';

/** A row's state before a write, committed to the journal before the write is sent. */
export interface StagedImage {
  readonly mapping: string;
  readonly key: string;
  readonly targetId: string;
  readonly action: StagedAction;
  /** The columns as read before the write; null when the row did not exist. */
  readonly preImage: Readonly<Record<string, unknown>> | null;
  /** Why (a deactivation or delete says which deletion and what it decided). */
  readonly reason?: string | null;
  /**
   * The source record that writes the row, and the row's table: what a rollback journals when it undoes
   * the write. Null in images staged before journal schema 6.
   */
  readonly sourceId?: string | null;
  readonly table?: string | null;
}

/** A staged image without its values, as a rollback lists a run's images before reading each. */
export interface StagedEntry {
  readonly mapping: string;
  readonly key: string;
  readonly targetId: string;
  readonly action: StagedAction;
  /** The row did not exist before the write (an update whose pre-image is null): the write created it. */
  readonly created: boolean;
  readonly stagedAt: string;
}

/** A row a run is about to write, as `take` looks for other runs' images of it. */
export interface StagedRow {
  readonly mapping: string;
  readonly key: string;
  readonly targetId: string;
}

interface ImageRow {
  row_key: string;
  target_id: string;
  action: StagedAction;
  pre_image: string | null;
  reason: string | null;
  source_id: string | null;
  target_table: string | null;
}

/**
 * Whether another run wrote the row of image `s` since it was staged: then the row no longer holds
 * what the image's run found, and a run taking the image over would restore an older value than the
 * one there since (that run read the row after the unanswered write; a rollback put back what its run
 * found). Only operations that wrote count: a skip or a refusal left the row as it was.
 */
const STALE = `EXISTS (SELECT 1 FROM operations o WHERE o.mapping = s.mapping AND o.row_key = s.row_key
  AND o.run_id <> s.run_id AND o.at >= s.staged_at AND o.error_code IS NULL
  AND o.action IN (${[...WRITE_ACTIONS].map((a) => `'${a}'`).join(', ')}))`;

const COLUMNS = 'mapping, row_key, target_id, action, pre_image, reason, staged_at, source_id, target_table';

/**
 * Pre-images written ahead of their writes. A run's write and its journaled operation are two
 * commits; a process killed between them has changed Dataverse rows the journal does not show. The
 * resumed run writes those rows again, and the image it would read then is the value already written,
 * not the one rollback must restore: so each image is committed here, before its write is sent, and
 * a resumed run of the same run takes the staged image instead of reading the row again. Journaling
 * the row's write consumes its staged image (`consume`); a refusal or a skip consumes only a fresh one
 * (staged by this attempt, on nothing earlier), as the row may still hold an earlier write whose answer
 * never came. An image no run journals is not lost: a run writing the row takes it over (`take`,
 * `adopt`), and a rollback of its run undoes the write from it (`pending`), whatever the run's status.
 * Holds data values, like pre-images.
 */
export class ImageStore {
  readonly #stage: Statement<unknown[], unknown>;
  readonly #get: Statement<[number, string, string], ImageRow>;
  readonly #settle: Statement<[number, string, string], unknown>;
  readonly #release: Statement<[number, string, string], unknown>;
  readonly #carry: Statement<[number], unknown>;
  readonly #carryRow: Statement<[number, string, string], unknown>;
  readonly #adopt: Statement<[number, string], unknown>;
  readonly #drop: Statement<[string], unknown>;
  readonly #others: Statement<[number], { n: number }>;
  readonly #held: Statement<[string, string, string, number], { run_id: number; staged_at: string }>;
  readonly #own: Statement<[number, string, string], { target_id: string; staged_at: string }>;
  readonly #move: Statement<[number, number, string, string], unknown>;
  readonly #pending: Statement<
    [number],
    {
      mapping: string;
      row_key: string;
      target_id: string;
      action: StagedAction;
      created: number;
      staged_at: string;
    }
  >;
  readonly #db: Database;
  readonly #now: () => string;

  constructor(db: Database, now: () => string) {
    this.#db = db;
    this.#now = now;
    // A later attempt replaces an image only with one built on it (see the callers): never with a
    // read of what an earlier attempt already wrote. Built on an image that is not fresh, it is not either.
    this.#stage = db.prepare(
      `INSERT INTO staged_images (run_id, ${COLUMNS}, fresh) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
       ON CONFLICT (run_id, mapping, row_key) DO UPDATE SET
         target_id = excluded.target_id, action = excluded.action, pre_image = excluded.pre_image,
         reason = excluded.reason, staged_at = excluded.staged_at, source_id = excluded.source_id,
         target_table = excluded.target_table, fresh = MIN(staged_images.fresh, excluded.fresh)`,
    );
    this.#get = db.prepare(
      `SELECT row_key, target_id, action, pre_image, reason, source_id, target_table FROM staged_images
       WHERE run_id = ? AND mapping = ? AND row_key = ?`,
    );
    const row = 'run_id = ? AND mapping = ? AND row_key = ?';
    this.#settle = db.prepare(`DELETE FROM staged_images WHERE ${row}`);
    this.#release = db.prepare(`DELETE FROM staged_images WHERE ${row} AND fresh = 1`);
    this.#carry = db.prepare('UPDATE staged_images SET fresh = 0 WHERE run_id = ?');
    this.#carryRow = db.prepare(`UPDATE staged_images SET fresh = 0 WHERE ${row}`);
    // Oldest run first, and the first image of a row wins: it holds what the row was before any of them.
    // A stale image (see STALE) stays behind.
    this.#adopt = db.prepare(
      `INSERT OR IGNORE INTO staged_images (run_id, ${COLUMNS})
       SELECT ?, ${COLUMNS} FROM staged_images s
       WHERE s.run_id IN (SELECT value FROM json_each(?)) AND NOT ${STALE}
       ORDER BY s.run_id`,
    );
    this.#drop = db.prepare('DELETE FROM staged_images WHERE run_id IN (SELECT value FROM json_each(?))');
    const held = `FROM staged_images s JOIN runs r ON r.id = s.run_id
      WHERE r.status IN ('failed', 'interrupted') AND s.run_id <> ?`;
    this.#others = db.prepare(`SELECT EXISTS (SELECT 1 ${held}) AS n`);
    this.#held = db.prepare(
      `SELECT s.run_id, s.staged_at FROM staged_images s JOIN runs r ON r.id = s.run_id
       WHERE s.mapping = ? AND s.row_key = ? AND s.target_id = ? AND s.run_id <> ?
         AND r.status IN ('failed', 'interrupted') AND NOT ${STALE}
       ORDER BY s.staged_at, s.run_id`,
    );
    this.#own = db.prepare(
      'SELECT target_id, staged_at FROM staged_images WHERE run_id = ? AND mapping = ? AND row_key = ?',
    );
    this.#move = db.prepare(
      `INSERT OR REPLACE INTO staged_images (run_id, ${COLUMNS})
       SELECT ?, ${COLUMNS} FROM staged_images WHERE run_id = ? AND mapping = ? AND row_key = ?`,
    );
    this.#pending = db.prepare(
      `SELECT mapping, row_key, target_id, action, pre_image IS NULL AS created, staged_at FROM staged_images
       WHERE run_id = ? ORDER BY staged_at, mapping, row_key`,
    );
  }

  /**
   * Commits the images of rows about to be written by run `runId`, in one transaction of its own,
   * replacing what the run staged for the same rows: callers build on an earlier image (`get`).
   */
  stage(runId: number, images: readonly StagedImage[]): void {
    if (images.length === 0) return;
    const at = this.#now();
    this.#db
      .transaction(() => {
        for (const i of images)
          this.#stage.run(
            runId,
            i.mapping,
            i.key,
            i.targetId.toLowerCase(),
            i.action,
            jsonOrNull(i.preImage),
            i.reason ?? null,
            at,
            i.sourceId ?? null,
            i.table ?? null,
          );
      })
      .immediate();
  }

  /** The image a run staged for a row of a mapping, if its operation was not journaled yet. */
  get(runId: number, mapping: string, key: string): StagedImage | undefined {
    const row = this.#get.get(runId, mapping, key);
    if (!row) return undefined;
    return {
      mapping,
      key: row.row_key,
      targetId: row.target_id,
      action: row.action,
      preImage: parseOrNull<Record<string, unknown>>(row.pre_image),
      reason: row.reason,
      sourceId: row.source_id,
      table: row.target_table,
    };
  }

  /**
   * Drops the staged images of the rows these operations journal: every image of a row written, and
   * the fresh image of a row refused, skipped or only bound (the row holds what it held before: its image is
   * needed no more, unless an earlier write may have reached the row). Runs inside the caller's
   * transaction.
   */
  consume(
    runId: number,
    ops: readonly { mapping: string; key?: string | null; action: Action; error?: unknown }[],
  ): void {
    for (const op of ops) {
      if (!op.key) continue;
      // A bind writes one lookup of a row whose own write settled its image, if it had one.
      const wrote = op.action !== 'bind' && WRITE_ACTIONS.has(op.action) && op.error == null;
      (wrote ? this.#settle : this.#release).run(runId, op.mapping, op.key);
    }
  }

  /** Drops the image a rollback settled (undid, or found nothing to undo). Runs inside the caller's transaction. */
  settle(runId: number, mapping: string, key: string): void {
    this.#settle.run(runId, mapping, key);
  }

  /**
   * Marks every image of run `runId` as not fresh: it is resumed, and the writes of its earlier attempt
   * may have reached their rows. Runs inside the caller's transaction.
   */
  carry(runId: number): void {
    this.#carry.run(runId);
  }

  /**
   * Moves to run `runId`, in one transaction of its own, the images that failed or interrupted runs
   * staged of these rows (same mapping, key and row id) and that no run wrote since, so that the run
   * builds on them as on its own (`get`): the other run's write may have reached the row, and once
   * this run journals the row, nothing else would restore what it held before. Had several runs an
   * image of a row, this run's own among them, the earliest wins: it holds what the row was before any
   * of their writes. Returns how many images were taken.
   */
  take(runId: number, rows: readonly StagedRow[]): number {
    if (rows.length === 0 || this.#others.get(runId)!.n === 0) return 0;
    return this.#db
      .transaction(() => {
        let taken = 0;
        for (const row of rows) {
          const id = row.targetId.toLowerCase();
          const held = this.#held.all(row.mapping, row.key, id, runId);
          if (held.length === 0) continue;
          const own = this.#own.get(runId, row.mapping, row.key);
          const first = held[0]!;
          if (!own || own.target_id !== id || first.staged_at < own.staged_at)
            this.#move.run(runId, first.run_id, row.mapping, row.key);
          else this.#carryRow.run(runId, row.mapping, row.key);
          for (const h of held) this.#settle.run(h.run_id, row.mapping, row.key);
          taken += held.length;
        }
        return taken;
      })
      .immediate();
  }

  /**
   * Moves to run `runId` the images of runs that will not be resumed: a run that takes them writes
   * those rows with the pre-image from before the first of them, so that rolling it back restores
   * what the rows held before writes whose answer never came. The image of a row another run wrote
   * since it was staged is stale, and left behind.
   * Runs inside the caller's transaction.
   */
  adopt(runId: number, from: readonly number[]): void {
    if (from.length === 0) return;
    const ids = JSON.stringify(from);
    this.#adopt.run(runId, ids);
    this.#drop.run(ids);
  }

  /**
   * The images a run holds, without their values, oldest first: writes it sent whose answer was never
   * journaled, which a rollback of the run undoes (reading each with `get`).
   */
  pending(runId: number): StagedEntry[] {
    return this.#pending.all(runId).map((r) => ({
      mapping: r.mapping,
      key: r.row_key,
      targetId: r.target_id,
      action: r.action,
      created: r.created === 1,
      stagedAt: r.staged_at,
    }));
  }
}
