/**
 * Rollback of a run: deletes what it created, restores what it updated, reactivates or recreates what a
 * delta deactivated or deleted, all journaled and resumable. See `rollbackRun`.
 */

export type { KeptRow } from './changed.ts';
export { RollbackError, type RollbackErrorCode } from './errors.ts';
export type { RollbackEvent, RollbackEventSink, RollbackPhase } from './events.ts';
export { builtOn, checkTarget, rollbackOf } from './guard.ts';
export {
  type RollbackDeps,
  type RollbackOptions,
  type RollbackResult,
  rollbackRun,
} from './rollback.ts';
export { type MappingRollback, type RollbackSummary, summarize } from './summary.ts';
