import type Database from 'better-sqlite3';

/*
 * The mappings whose first write found rows of theirs in Dataverse that the journal's crosswalk did not
 * know (written by another journal, or by this one's runs before .flitstack/ was lost or moved). Kept in
 * the `meta` table, so that every later run of the journal (a run resumed, a full run after a sample, a
 * delta) writes such rows as updates with their pre-images too: once the journal knows some rows of the
 * mapping, it cannot tell the others apart by looking again.
 */

const KEY = 'existing_rows:';

/** Whether the journal's runs found rows of `mapping` in Dataverse that its crosswalk did not know. */
export function foundExisting(db: Database.Database, mapping: string): boolean {
  return db.prepare('SELECT 1 FROM meta WHERE key = ?').pluck().get(`${KEY}${mapping}`) === 1;
}

/** Records that a run found rows of `mapping` in Dataverse that the crosswalk did not know. */
export function markExisting(db: Database.Database, mapping: string): void {
  db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES (?, 'yes')`).run(`${KEY}${mapping}`);
}
