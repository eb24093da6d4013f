/**
 * The migration journal (SQLite): runs, row operations, crosswalk, progress, watermarks, deferred
 * lookups, matches, staged records, staff directory and the audit log. See `Journal`.
 */
export { JournalError, type JournalErrorCode } from './errors.ts';
export {
  csvField,
  csvLine,
  LOG_COLUMNS,
  type LogFormat,
  type LogWriter,
  logEntry,
  writeLog,
} from './export.ts';
export { DEFAULT_JOURNAL_PATH, JOURNAL_FILE_MODE } from './file.ts';
export { canonicalJson, hashPayload } from './hash.ts';
export type { StagedEntry, StagedImage, StagedRow } from './images.ts';
export { Journal, type JournalOptions, type WatermarkAccess } from './journal.ts';
export { operationProblem, unbalanced } from './operations.ts';
export { otherOrganization } from './organization.ts';
export { currentProcess, type HostView, ownerState, type ProcessProbe, realHost } from './owner.ts';
export { normalizeTimestamp } from './progress.ts';
export { MIGRATIONS, type Migration, migrate, SCHEMA_VERSION, schemaVersion } from './schema.ts';
export * from './types.ts';
