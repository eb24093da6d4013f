import type { Database } from 'better-sqlite3';
import { JournalError } from './errors.ts';
import { DAMAGED_HINT } from './file.ts';
import { ACTIONS, DEFERRED_STATUSES, RUN_KINDS, RUN_STATUSES } from './types.ts';

/** One step of the schema: applied once, in order, inside the same transaction as the version bump. */
export interface Migration {
  readonly version: number;
  readonly sql: string;
}

/** `PRAGMA application_id` of a FlitStack journal ("FlSt"), so `file(1)` and we can tell it apart. */
export const APPLICATION_ID = 0x466c5374;

const list = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(', ');

const V1 = `
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN (${list(RUN_KINDS)})),
  status TEXT NOT NULL CHECK (status IN (${list(RUN_STATUSES)})),
  started_at TEXT NOT NULL,
  ended_at TEXT,
  heartbeat_at TEXT NOT NULL,
  spec_hash TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  options TEXT NOT NULL CHECK (json_valid(options)),
  summary TEXT CHECK (summary IS NULL OR json_valid(summary)),
  parent_run INTEGER REFERENCES runs(id),
  owner_pid INTEGER NOT NULL,
  owner_host TEXT NOT NULL,
  owner_boot_id TEXT,
  owner_start_ticks TEXT,
  attempts INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX runs_status ON runs(status, kind);

CREATE TABLE operations (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  resource TEXT,
  page INTEGER,
  mapping TEXT NOT NULL,
  source_id TEXT NOT NULL,
  row_key TEXT,
  target_table TEXT,
  action TEXT NOT NULL CHECK (action IN (${list(ACTIONS)})),
  target_id TEXT,
  reason TEXT,
  error_code TEXT,
  error_message TEXT,
  flags TEXT,
  pre_image TEXT,
  payload_hash TEXT,
  at TEXT NOT NULL
) STRICT;
CREATE INDEX operations_run ON operations(run_id);
CREATE INDEX operations_run_action ON operations(run_id, action);

CREATE TABLE counters (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  mapping TEXT NOT NULL,
  resource TEXT NOT NULL,
  loaded INTEGER NOT NULL DEFAULT 0,
  rejected INTEGER NOT NULL DEFAULT 0,
  skipped INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, mapping)
) STRICT, WITHOUT ROWID;

CREATE TABLE crosswalk (
  mapping TEXT NOT NULL,
  row_key TEXT NOT NULL,
  source_id TEXT NOT NULL,
  target_table TEXT NOT NULL,
  target_id TEXT NOT NULL,
  payload_hash TEXT,
  source_updated_at TEXT,
  created_by INTEGER NOT NULL REFERENCES runs(id),
  written_by INTEGER NOT NULL REFERENCES runs(id),
  PRIMARY KEY (mapping, row_key)
) STRICT, WITHOUT ROWID;
CREATE INDEX crosswalk_source ON crosswalk(mapping, source_id);

CREATE TABLE progress (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  resource TEXT NOT NULL,
  next_page INTEGER NOT NULL,
  total_entries INTEGER,
  extracted INTEGER NOT NULL,
  done INTEGER NOT NULL CHECK (done IN (0, 1)),
  max_updated_at TEXT,
  started_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (run_id, resource)
) STRICT, WITHOUT ROWID;

CREATE TABLE watermarks (
  resource TEXT PRIMARY KEY,
  max_updated_at TEXT NOT NULL,
  extraction_started_at TEXT,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  set_at TEXT NOT NULL
) STRICT;

CREATE TABLE deferred (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  mapping TEXT NOT NULL,
  row_key TEXT NOT NULL,
  column_name TEXT NOT NULL,
  candidates TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN (${list(DEFERRED_STATUSES)})),
  target_id TEXT,
  error_code TEXT,
  error_message TEXT,
  UNIQUE (run_id, mapping, row_key, column_name)
) STRICT;
CREATE INDEX deferred_run ON deferred(run_id);
CREATE INDEX deferred_status ON deferred(run_id, status);

CREATE TABLE matches (
  mapping TEXT NOT NULL,
  source_id TEXT NOT NULL,
  target_id TEXT NOT NULL,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  matched_at TEXT NOT NULL,
  PRIMARY KEY (mapping, source_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE staged (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  mapping TEXT NOT NULL,
  group_key TEXT NOT NULL,
  record TEXT NOT NULL
) STRICT;
CREATE INDEX staged_group ON staged(run_id, mapping, group_key, id);

CREATE TABLE staff (
  staff_id TEXT PRIMARY KEY,
  email TEXT,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  updated_at TEXT NOT NULL
) STRICT;
`;

/** Version 2: find a run's operations by row key and by source record (claims of a row, groups already loaded). */
const V2 = `
CREATE INDEX operations_row ON operations(run_id, mapping, row_key);
CREATE INDEX operations_source ON operations(run_id, mapping, source_id);
`;

/**
 * Version 3: a rollback operation names the operation it undid in `undoes`, so that resume and summary
 * no longer depend on the wording of its reason. Rollback rows journaled before this version are filled
 * in here, once, from the reason every earlier version wrote ("undoes operation <id> (...)"), and only
 * where <id> is an operation of the run that rollback targets: a journal migrated from version 2 then
 * resumes and summarizes its rollbacks like a new one, and no code reads the reason for the link again.
 */
const V3 = `
ALTER TABLE operations ADD COLUMN undoes INTEGER REFERENCES operations(id);
WITH old (op, undone, target) AS (
  SELECT o.id, CAST(substr(o.reason, 18, instr(substr(o.reason, 18), ' ') - 1) AS INTEGER), r.parent_run
  FROM runs r JOIN operations o ON o.run_id = r.id
  WHERE r.kind = 'rollback' AND o.reason GLOB 'undoes operation [0-9]* *'
    AND substr(o.reason, 18, instr(substr(o.reason, 18), ' ') - 1) NOT GLOB '*[^0-9]*'
)
UPDATE operations SET undoes = old.undone
FROM old JOIN operations t ON t.id = old.undone AND t.run_id = old.target
WHERE operations.id = old.op;
`;

/**
 * Version 4: pre-images committed before their writes are sent (see `ImageStore`), so that a run
 * resumed after a crash between a write and its journaled operation still knows what the row held
 * before. Journals of earlier versions hold none, and resume as before.
 */
const V4 = `
CREATE TABLE staged_images (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  mapping TEXT NOT NULL,
  row_key TEXT NOT NULL,
  target_id TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('update', 'deactivate', 'delete')),
  pre_image TEXT CHECK (pre_image IS NULL OR json_valid(pre_image)),
  reason TEXT,
  staged_at TEXT NOT NULL,
  PRIMARY KEY (run_id, mapping, row_key)
) STRICT, WITHOUT ROWID;
`;

/**
 * Version 5: operations by row, across runs: a run taking over another run's staged images asks
 * whether any run journaled the row since (see ImageStore.adopt).
 */
const V5 = `
CREATE INDEX operations_key ON operations(mapping, row_key);
`;

/**
 * Version 6: a staged image names the source record and the table of its row, so that a rollback
 * undoing a write whose answer was never journaled journals it like any other row (images staged
 * before this version have neither; the rollback falls back on the crosswalk). Images are found by row
 * across runs: a run about to write a row takes over the image a failed or interrupted run staged of it.
 */
const V6 = `
ALTER TABLE staged_images ADD COLUMN source_id TEXT;
ALTER TABLE staged_images ADD COLUMN target_table TEXT;
CREATE INDEX staged_images_row ON staged_images(mapping, row_key);
`;

/**
 * Version 7: whether a staged image is fresh: staged by the current attempt of its run from what the
 * row held then, with no earlier image of the row under it. Only a fresh image goes with a refusal or a
 * skip of its row; any other holds the row as it was before a write whose answer never came (an
 * earlier attempt's, or a failed or interrupted run's taken over), which a rollback must still undo.
 * Images staged before this version count as not fresh.
 */
const V7 = `
ALTER TABLE staged_images ADD COLUMN fresh INTEGER NOT NULL DEFAULT 0 CHECK (fresh IN (0, 1));
`;

/**
 * Version 8: the parent rows (mapping and row key) a record waits for, on the operation that rejected it
 * for a required lookup or wrote its row with a lookup left empty, as a JSON array, so that a delta
 * reads it again only once one of them is created. Operations journaled before this version have none:
 * such a record is read again once its lookup's mappings create any row, as before.
 */
const V8 = `
ALTER TABLE operations ADD COLUMN awaits TEXT CHECK (awaits IS NULL OR json_valid(awaits));
`;

/** The journal's schema, oldest first. A new version appends a migration; shipped ones never change. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, sql: V1 },
  { version: 2, sql: V2 },
  { version: 3, sql: V3 },
  { version: 4, sql: V4 },
  { version: 5, sql: V5 },
  { version: 6, sql: V6 },
  { version: 7, sql: V7 },
  { version: 8, sql: V8 },
];

/** The schema version this code reads and writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * The schema version of an open database: 0 for an empty file, the `meta` value for a journal.
 * A file with tables but no `meta`, or another application id, is not a journal and is refused.
 */
export function schemaVersion(db: Database): number {
  const tables = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table'`).pluck().all();
  const appId = db.pragma('application_id', { simple: true }) as number;
  if (tables.length === 0 && appId === 0) return 0;
  if (appId !== APPLICATION_ID || !tables.includes('meta')) {
    throw new JournalError(
      'not_a_journal',
      `${db.name} is a SQLite file but not a FlitStack journal`,
      'pass the journal the runs used with --journal',
    );
  }
  const row = db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).pluck().get();
  const version = Number(row);
  if (!Number.isInteger(version) || version < 1) {
    throw new JournalError('not_a_journal', `${db.name} has no readable schema version`, DAMAGED_HINT);
  }
  return version;
}

/**
 * Brings the database to the newest version of `migrations`, each step in its own immediate
 * transaction (so a crash mid-migration leaves the previous version intact). Returns the version.
 * A journal newer than the code is refused rather than guessed at.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number {
  let version = schemaVersion(db);
  const newest = migrations[migrations.length - 1]?.version ?? 0;
  if (version > newest) {
    throw new JournalError(
      'schema_too_new',
      `${db.name} has schema version ${version}; this FlitStack reads up to ${newest}`,
      'use the FlitStack version that wrote it, or a newer one',
    );
  }
  for (const step of migrations) {
    if (step.version <= version) continue;
    db.transaction(() => {
      if (version === 0) {
        db.exec('CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT');
        db.pragma(`application_id = ${APPLICATION_ID}`);
      }
      db.exec(step.sql);
      db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)`).run(
        String(step.version),
      );
    }).immediate();
    version = step.version;
  }
  return version;
}
