import type { Database, Statement } from 'better-sqlite3';
import type { MatchInput, StaffInput } from './types.ts';

/**
 * Source records matched to existing Dataverse rows by update-by-match mappings (staff → systemuser by
 * email). Routing reads it: a record matched by one mapping is not created by another.
 */
export class MatchStore {
  readonly #db: Database;
  readonly #set: Statement<unknown[], unknown>;
  readonly #get: Statement<[string, string], { target_id: string }>;
  readonly #getMany: Statement<[string, string], { source_id: string; target_id: string }>;
  readonly #remove: Statement<[string, string], unknown>;
  readonly #now: () => string;

  constructor(db: Database, now: () => string) {
    this.#db = db;
    this.#now = now;
    this.#set = db.prepare(
      `INSERT INTO matches (mapping, source_id, target_id, run_id, matched_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (mapping, source_id) DO UPDATE SET target_id = excluded.target_id,
         run_id = excluded.run_id, matched_at = excluded.matched_at`,
    );
    this.#get = db.prepare('SELECT target_id FROM matches WHERE mapping = ? AND source_id = ?');
    this.#getMany = db.prepare(
      `SELECT source_id, target_id FROM matches
       WHERE mapping = ? AND source_id IN (SELECT value FROM json_each(?))`,
    );
    this.#remove = db.prepare('DELETE FROM matches WHERE mapping = ? AND source_id = ?');
  }

  /** Records matches found by run `runId` (a later match of the same record replaces the earlier). */
  set(runId: number, matches: readonly MatchInput[]): void {
    const now = this.#now();
    this.#db.transaction(() => {
      for (const m of matches) this.#set.run(m.mapping, m.sourceId, m.targetId, runId, now);
    })();
  }

  /** The Dataverse id a source record was matched to, or undefined. */
  get(mapping: string, sourceId: string): string | undefined {
    return this.#get.get(mapping, sourceId)?.target_id;
  }

  /** Matches of many source ids; unmatched ids are absent. */
  getMany(mapping: string, sourceIds: readonly string[]): Map<string, string> {
    const found = new Map<string, string>();
    if (sourceIds.length === 0) return found;
    for (const row of this.#getMany.all(mapping, JSON.stringify(sourceIds)))
      found.set(row.source_id, row.target_id);
    return found;
  }

  /** Forgets matches (the record no longer matches, e.g. the user's email changed). */
  remove(mapping: string, sourceIds: readonly string[]): void {
    this.#db.transaction(() => {
      for (const id of sourceIds) this.#remove.run(mapping, id);
    })();
  }
}

/** Staff id → email, filled while extracting staff, read when resolving owners by email. */
export class StaffDirectory {
  readonly #db: Database;
  readonly #set: Statement<unknown[], unknown>;
  readonly #get: Statement<[string], { email: string | null }>;
  readonly #getMany: Statement<[string], { staff_id: string; email: string | null }>;
  readonly #now: () => string;

  constructor(db: Database, now: () => string) {
    this.#db = db;
    this.#now = now;
    this.#set = db.prepare(
      `INSERT INTO staff (staff_id, email, run_id, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (staff_id) DO UPDATE SET email = excluded.email, run_id = excluded.run_id,
         updated_at = excluded.updated_at`,
    );
    this.#get = db.prepare('SELECT email FROM staff WHERE staff_id = ?');
    this.#getMany = db.prepare(
      'SELECT staff_id, email FROM staff WHERE staff_id IN (SELECT value FROM json_each(?))',
    );
  }

  /** Records staff emails seen by run `runId`. */
  set(runId: number, entries: readonly StaffInput[]): void {
    const now = this.#now();
    this.#db.transaction(() => {
      for (const e of entries) this.#set.run(e.staffId, e.email, runId, now);
    })();
  }

  /** A staff member's email: null when the record has none, undefined when the id is unknown. */
  get(staffId: string): string | null | undefined {
    const row = this.#get.get(staffId);
    return row ? row.email : undefined;
  }

  /** Emails of many staff ids; unknown ids are absent. */
  getMany(staffIds: readonly string[]): Map<string, string | null> {
    const found = new Map<string, string | null>();
    if (staffIds.length === 0) return found;
    for (const row of this.#getMany.all(JSON.stringify(staffIds))) found.set(row.staff_id, row.email);
    return found;
  }
}
