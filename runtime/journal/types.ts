import type { Flag } from '../transforms/types.ts';

/** What a run does: a full run, a delta pickup, a sample, a rollback of another run, a schema setup. */
export const RUN_KINDS = ['run', 'delta', 'sample', 'rollback', 'schema'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

/** Where a run stands. `rolled_back` is set on a run when a rollback of it completes. */
export const RUN_STATUSES = ['running', 'completed', 'failed', 'interrupted', 'rolled_back'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** What happened to one row. */
export const ACTIONS = [
  'create',
  'update',
  'unchanged',
  'skip',
  'reject',
  'delete',
  'restore',
  'deactivate',
  'bind',
] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * How the reason of an operation that a deletion in PracticeHub caused begins (a delta's deactivate or
 * delete of the record's rows, or its skip of a record with none): reconcile reads deletions by it.
 */
export const DELETED_IN_SOURCE = 'deleted in PracticeHub';

/**
 * What the reason of a skip says when the record was deleted in PracticeHub and its row was closed
 * already (loaded closed, or closed by hand): the row is as a deactivation would leave it.
 */
export const ALREADY_CLOSED = 'the row is already closed';

/**
 * What the reason of a skip says when the record was deleted in PracticeHub and its row was gone from
 * Dataverse already (deleted by hand): nothing is left to close, so the row counts as closed.
 */
export const ALREADY_GONE = 'the row is already gone from Dataverse';

/** What the reason of a reject says when a required lookup's row was not loaded (runtime/run/prepare.ts). */
export const LOOKUP_REQUIRED = '(the lookup is required)';

/**
 * How the reason of a reject begins when Dataverse wrote the row but refused its statecode and
 * statuscode (runtime/run/write.ts): a delta reads the record again to set them.
 */
export const STATE_REFUSED = 'the row was written, but Dataverse refused its state';

/**
 * A parent row a record waits for: the row key a lookup of it names in a mapping the lookup points to,
 * which was not loaded when the record was (see OperationInput.awaits).
 */
export interface AwaitedRow {
  readonly mapping: string;
  readonly key: string;
}

/** Actions that change a Dataverse row (when journaled without an error). */
export const WRITE_ACTIONS: ReadonlySet<Action> = new Set([
  'create',
  'update',
  'delete',
  'restore',
  'deactivate',
  'bind',
]);

/** The process that owns a running run, enough to tell later whether it is still alive. */
export interface ProcessIdentity {
  readonly pid: number;
  readonly host: string;
  /** Linux boot id: a different boot means the process is gone. */
  readonly bootId: string | null;
  /** Start time of the process in clock ticks since boot: tells a reused pid from the original. */
  readonly startTicks: string | null;
}

/** Accounting of one mapping in one run: extracted = loaded + rejected + skipped when it balances. */
export interface MappingCounts {
  readonly resource: string;
  readonly extracted: number;
  readonly loaded: number;
  readonly rejected: number;
  readonly skipped: number;
}

/** Per-mapping accounting of a run, keyed by mapping name. */
export type RunSummary = Readonly<Record<string, MappingCounts>>;

/** A run as the journal holds it. */
export interface RunRecord {
  readonly id: number;
  readonly kind: RunKind;
  readonly status: RunStatus;
  readonly startedAt: string;
  readonly endedAt: string | null;
  /** Last time the run journaled anything (a page, a batch, a resume). */
  readonly heartbeatAt: string;
  readonly specHash: string;
  readonly codeHash: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly summary: RunSummary | null;
  /** A rollback's target run, or a delta's base run. */
  readonly parentRun: number | null;
  readonly owner: ProcessIdentity;
  /** 1, plus one for each resume. */
  readonly attempts: number;
}

/** What `startRun` needs. */
export interface RunStart {
  readonly kind: RunKind;
  readonly specHash: string;
  readonly codeHash: string;
  /** Options of the run (CLI flags); keys that look like secrets are stored as "[redacted]". */
  readonly options?: Readonly<Record<string, unknown>>;
  readonly parentRun?: number;
}

/** An error returned by a service for one row. */
export interface OperationError {
  readonly code: string;
  readonly message: string;
}

/** One row operation to journal. */
export interface OperationInput {
  readonly mapping: string;
  readonly sourceId: string;
  /** The row key (`prefix + source id`, or the seed of a derived id). */
  readonly key?: string | null;
  readonly table?: string | null;
  readonly action: Action;
  /** The Dataverse id (GUID) of the row; required for every action that wrote a row. */
  readonly targetId?: string | null;
  /** Required for `skip` and `reject`. */
  readonly reason?: string | null;
  readonly error?: OperationError | null;
  readonly flags?: readonly Flag[];
  /** The columns the write overwrote, as read before the write (data values: patient data). */
  readonly preImage?: Readonly<Record<string, unknown>> | null;
  readonly payloadHash?: string | null;
  /** For an operation of a rollback: the id of the operation of the target run it undid. */
  readonly undoes?: number | null;
  /**
   * The parent rows a reject for a required lookup, or a write that left a lookup empty, waits for: a
   * delta reads the record again once one of them is created.
   */
  readonly awaits?: readonly AwaitedRow[] | null;
  /** ISO 8601; defaults to the time the page is journaled. */
  readonly at?: string;
}

/** One journaled row operation. `id` grows in load order. */
export interface OperationRecord {
  readonly id: number;
  readonly runId: number;
  readonly resource: string | null;
  readonly page: number | null;
  readonly mapping: string;
  readonly sourceId: string;
  readonly key: string | null;
  readonly table: string | null;
  readonly action: Action;
  readonly targetId: string | null;
  readonly reason: string | null;
  readonly error: OperationError | null;
  readonly flags: readonly Flag[];
  readonly preImage: Readonly<Record<string, unknown>> | null;
  readonly payloadHash: string | null;
  /** For an operation of a rollback: the id of the operation of the target run it undid. */
  readonly undoes: number | null;
  /** The parent rows the record waits for (OperationInput.awaits); null if none, or journaled before they were. */
  readonly awaits: readonly AwaitedRow[] | null;
  readonly at: string;
}

/** Which operations of a run to read. */
export interface OperationFilter {
  readonly action?: Action | readonly Action[];
  readonly mapping?: string;
}

/** A crosswalk row to insert or replace. */
export interface CrosswalkUpsert {
  readonly mapping: string;
  readonly key: string;
  readonly sourceId: string;
  readonly table: string;
  readonly targetId: string;
  /** Hash of the payload last written; null forces the next run to write the row again. */
  readonly payloadHash: string | null;
  readonly sourceUpdatedAt: string | null;
}

/** A crosswalk row to drop (its Dataverse row was deleted, e.g. by a rollback). */
export interface CrosswalkRemoval {
  readonly mapping: string;
  readonly key: string;
  readonly remove: true;
}

/**
 * A crosswalk row whose record was read again and makes the same payload (journaled unchanged): only
 * the record's updated_at is noted, so reconcile does not take the record for one changed since it was
 * loaded and send to a delta that has nothing to write.
 */
export interface CrosswalkSeen {
  readonly mapping: string;
  readonly key: string;
  readonly seen: true;
  readonly sourceUpdatedAt: string | null;
}

/** A change to the crosswalk, journaled together with the operations that caused it. */
export type CrosswalkChange = CrosswalkUpsert | CrosswalkRemoval | CrosswalkSeen;

/** Where a (mapping, row key) lives in Dataverse, and what was last written there. */
export interface CrosswalkEntry {
  readonly mapping: string;
  readonly key: string;
  readonly sourceId: string;
  readonly table: string;
  readonly targetId: string;
  readonly payloadHash: string | null;
  readonly sourceUpdatedAt: string | null;
  readonly createdBy: number;
  readonly writtenBy: number;
}

/** Extraction progress after a page. */
export interface ProgressUpdate {
  /** The page to read next (1-based, as PracticeHub pages). */
  readonly nextPage: number;
  readonly totalEntries: number | null;
  /** Records handed to the mappings from this page (added to the running total). */
  readonly extracted: number;
  readonly done: boolean;
  /** Greatest `updated_at` on this page; the journal keeps the maximum over the run. */
  readonly maxUpdatedAt?: string | null;
}

/** Extraction progress of one resource in one run. */
export interface Progress {
  readonly runId: number;
  readonly resource: string;
  readonly nextPage: number;
  readonly totalEntries: number | null;
  readonly extracted: number;
  readonly done: boolean;
  readonly maxUpdatedAt: string | null;
  /** When the first page of the resource was journaled in this run. */
  readonly startedAt: string;
  readonly updatedAt: string;
}

/** The delta watermark of a resource, set by a completed run or delta. */
export interface Watermark {
  readonly resource: string;
  /** Greatest `updated_at` the run saw (PracticeHub's clock). */
  readonly maxUpdatedAt: string;
  /**
   * When that run began extracting the resource (this machine's clock). A record changed during the
   * extraction may sit on a page already read with an `updated_at` below `maxUpdatedAt`: a delta that
   * must not miss it starts from the earlier of the two, less a margin for clock skew.
   */
  readonly extractionStartedAt: string | null;
  readonly runId: number;
  readonly setAt: string;
}

/** A lookup to bind in the second pass. */
export interface DeferredInput {
  readonly mapping: string;
  readonly key: string;
  readonly column: string;
  /** One source id per candidate mapping, as the mapping function returned them. */
  readonly candidates: readonly (string | null)[];
}

export const DEFERRED_STATUSES = ['pending', 'bound', 'unresolved', 'failed'] as const;
export type DeferredStatus = (typeof DEFERRED_STATUSES)[number];

/** A journaled deferred lookup. */
export interface DeferredLookup extends DeferredInput {
  readonly id: number;
  readonly runId: number;
  readonly status: DeferredStatus;
  readonly targetId: string | null;
  readonly error: OperationError | null;
}

/** How a deferred lookup ended. */
export type DeferredResolution =
  | { readonly status: 'bound'; readonly targetId: string }
  | { readonly status: 'unresolved' | 'failed'; readonly error: OperationError };

/** A source record matched to an existing Dataverse row by an update-by-match mapping. */
export interface MatchInput {
  readonly mapping: string;
  readonly sourceId: string;
  readonly targetId: string;
}

/** Records staged for a grouping mapping that share one group key, in the order they were staged. */
export interface StagedGroup {
  readonly groupKey: string;
  readonly records: readonly unknown[];
}

/** One record to stage. */
export interface StagedInput {
  readonly groupKey: string;
  readonly record: unknown;
}

/** A staff member's email, for owner resolution (null: the staff record has none). */
export interface StaffInput {
  readonly staffId: string;
  readonly email: string | null;
}
