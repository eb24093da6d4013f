import type Database from 'better-sqlite3';
import { JournalError } from './errors.ts';

/*
 * A journal belongs to one Dataverse organisation: its crosswalk, pre-images and staged images name
 * rows of that organisation by id. Against another one (DATAVERSE_URL changed, a sandbox restarted
 * empty) a run would update rows that are not there, and a rollback or reconcile would judge rows the
 * runs never wrote. The organisation is WhoAmI's OrganizationId, kept in the `meta` table; the URL is
 * not kept, so that the journal holds nothing of the connection settings.
 */

const KEY = 'organization_id';

/** The organisation the journal's runs wrote to, or undefined before the first command that ties it. */
export function journalOrganization(db: Database.Database): string | undefined {
  const value = db.prepare(`SELECT value FROM meta WHERE key = ?`).pluck().get(KEY);
  return typeof value === 'string' ? value : undefined;
}

/**
 * Refuses to go on when the journal at `path` belongs to another organisation than `organizationId`,
 * saying which and what to do; ties a journal that belongs to none yet, or holds no run yet (a first
 * command refused before it started one), unless it is open read only.
 */
export function tieOrganization(
  db: Database.Database,
  path: string,
  organizationId: string,
  readonly: boolean,
): void {
  const bound = journalOrganization(db);
  if (bound !== undefined && bound.toLowerCase() === organizationId.toLowerCase()) return;
  // A journal with no run yet (a first command refused before it started one) holds no row of any
  // organisation: it goes with this one.
  const empty = db.prepare('SELECT NOT EXISTS (SELECT 1 FROM runs)').pluck().get() === 1;
  if (bound === undefined || empty) {
    if (!readonly)
      db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)`).run(KEY, organizationId);
    return;
  }
  throw otherOrganization(
    path,
    `holds the runs written to organisation ${bound}, and DATAVERSE_URL is organisation ${organizationId}`,
  );
}

/** The refusal of a journal that belongs to another organisation than DATAVERSE_URL's: `what` says why. */
export function otherOrganization(path: string, what: string): JournalError {
  return new JournalError(
    'other_organization',
    `the journal ${path} ${what}; nothing was written`,
    `a journal's crosswalk and pre-images name rows of its own organisation only. Set DATAVERSE_URL back to the organisation the journal wrote to; to migrate into this one, give it a journal of its own: \`flitstack run --journal <new file>\` (a new file starts empty; a sandbox started again is a new, empty organisation). Keep ${path}: it is the only record of what its runs wrote`,
  );
}
