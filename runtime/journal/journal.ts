import type Database from 'better-sqlite3';
import { integrityProblems, openDatabase } from './connection.ts';
import { CrosswalkStore } from './crosswalk.ts';
import { DeferredStore } from './deferred.ts';
import { MatchStore, StaffDirectory } from './directory.ts';
import { type LogFormat, type LogWriter, writeLog } from './export.ts';
import { ImageStore } from './images.ts';
import { DEFAULT_CHUNK_SIZE } from './keyset.ts';
import { OperationStore } from './operations.ts';
import { journalOrganization, tieOrganization } from './organization.ts';
import { currentProcess, type HostView, realHost } from './owner.ts';
import { ProgressStore } from './progress.ts';
import { type RollbackSummary, rollbackAccounting, rollbackCounts } from './rollback-counts.ts';
import { RunStore } from './runs.ts';
import { schemaVersion } from './schema.ts';
import { StagingStore } from './staging.ts';
import type {
  CrosswalkChange,
  OperationFilter,
  OperationInput,
  OperationRecord,
  Progress,
  ProgressUpdate,
  RunKind,
  RunRecord,
  RunStart,
  RunStatus,
  RunSummary,
  Watermark,
} from './types.ts';

/** How to open a journal. */
export interface JournalOptions {
  /** Read only (reports, exports while a run writes): no migration, no writes. */
  readonly readonly?: boolean;
  /**
   * `full` (default): a journaled page survives power loss as well as a killed process (fsync per commit).
   * `normal`: still survives a killed process, and is faster; the last pages may roll back on power loss.
   * sqlite.org/pragma.html#pragma_synchronous: "WAL mode is always consistent with synchronous=NORMAL,
   * but WAL mode does lose durability ... Transactions are durable across application crashes
   * regardless of the synchronous setting or journal mode." Losing the last pages is safe for resume
   * (the pages are read again and rows upserted by alternate key) but not for rollback of what they
   * created, hence the default.
   */
  readonly synchronous?: 'full' | 'normal';
  /** Rows read per query by the iterators. */
  readonly chunkSize?: number;
  /** How long a write waits for another connection's lock, in ms. */
  readonly busyTimeoutMs?: number;
  readonly now?: () => Date;
  /** How process liveness is observed (tests replace it). */
  readonly host?: HostView;
}

/** Watermark reads and writes. */
export interface WatermarkAccess {
  /** The watermark of the newest delta not rolled back, or with none the first full run's (ProgressStore.watermark). */
  get(resource: string): Watermark | undefined;
  all(): Watermark[];
  /** Moves a resource's watermark forward from the one standing (never back); returns whether it moved. */
  set(runId: number, resource: string, maxUpdatedAt: string, extractionStartedAt?: string | null): boolean;
}

/**
 * The migration journal: one SQLite file (WAL mode, mode 0600) that records every run and every row
 * operation, the crosswalk, extraction progress, delta watermarks, deferred lookups, matches, staged
 * records, pre-images staged ahead of their writes and the staff directory. Resume, skip-unchanged,
 * rollback, reconcile and the audit log all read it. It never holds secrets (run options are redacted), but it does hold data values: pre-images
 * of updated rows and staged source records, patient data among them; keep the file where patient
 * data may be kept, and delete it when the migration's retention period ends.
 *
 * All calls but `exportLog` are synchronous. Writes happen in immediate transactions; a page is
 * journaled whole or not at all, so a process killed at any moment leaves a journal that resumes exactly.
 * Iterators read in chunks and hold no statement open, so the caller may write while it iterates.
 */
export class Journal {
  readonly path: string;
  readonly readonly: boolean;
  readonly crosswalk: CrosswalkStore;
  readonly deferred: DeferredStore;
  readonly matches: MatchStore;
  readonly staging: StagingStore;
  /** Pre-images committed before their writes, for a resumed run (see `ImageStore`). */
  readonly images: ImageStore;
  readonly staff: StaffDirectory;
  readonly watermarks: WatermarkAccess;
  readonly #db: Database.Database;
  readonly #now: () => string;
  readonly #runs: RunStore;
  readonly #ops: OperationStore;
  readonly #progress: ProgressStore;

  private constructor(path: string, db: Database.Database, options: JournalOptions) {
    this.path = path;
    this.readonly = options.readonly ?? false;
    this.#db = db;
    const clock = options.now ?? (() => new Date());
    const now = () => clock().toISOString();
    this.#now = now;
    const host = options.host ?? realHost();
    const chunk = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    this.#runs = new RunStore(db, now, host, currentProcess(host));
    this.#ops = new OperationStore(db, chunk);
    this.#progress = new ProgressStore(db);
    this.crosswalk = new CrosswalkStore(db);
    this.deferred = new DeferredStore(db, chunk);
    this.matches = new MatchStore(db, now);
    this.staging = new StagingStore(db, chunk);
    this.images = new ImageStore(db, now);
    this.staff = new StaffDirectory(db, now);
    const progress = this.#progress;
    this.watermarks = {
      get: (resource) => progress.watermark(resource),
      all: () => progress.watermarks(),
      set: (runId, resource, maxUpdatedAt, startedAt = null) =>
        this.atomic(() => progress.setWatermark(runId, resource, maxUpdatedAt, startedAt, now())),
    };
  }

  /** Opens (and creates or migrates, unless read only) the journal at `path`. */
  static open(path: string, options: JournalOptions = {}): Journal {
    return new Journal(path, openDatabase(path, options), options);
  }

  /** The schema version of the open file. */
  get schemaVersion(): number {
    return schemaVersion(this.#db);
  }

  /** Whether the file is still open. */
  get open(): boolean {
    return this.#db.open;
  }

  /** Closes the file (checkpointing the WAL when this is the last connection). */
  close(): void {
    if (this.#db.open) this.#db.close();
  }

  /**
   * Runs `fn` in one immediate transaction: everything it journals commits together or not at all.
   * Use it to journal a page's staged records, deferred lookups, matches or staff entries together
   * with `recordPage`, so that a resumed run sees them exactly when it sees the page.
   */
  atomic<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  /** Starts a run owned by this process. Refused while another run is running (dead ones are marked). */
  startRun(start: RunStart): RunRecord {
    return this.atomic(() => {
      const run = this.#runs.start(start);
      this.#adoptImages(run, true);
      return run;
    });
  }

  /**
   * Gives a run that loads records what the runs that will never be resumed staged (see
   * ImageStore.adopt): failed or interrupted samples (a sample always starts anew), and for a new run
   * the older runs of its kind too (only the newest of a kind resumes). Images of rows a run has
   * written since they were staged are left behind (ImageStore.adopt). Images of other failed or
   * interrupted runs are taken row by row when this run writes the row (ImageStore.take).
   */
  #adoptImages(run: RunRecord, started: boolean): void {
    if (run.kind !== 'run' && run.kind !== 'delta' && run.kind !== 'sample') return;
    const given = this.#runs
      .all()
      .filter(
        (r) =>
          r.id !== run.id &&
          (r.status === 'failed' || r.status === 'interrupted') &&
          (r.kind === 'sample' || (started && r.kind === run.kind && r.id < run.id)),
      )
      .map((r) => r.id);
    this.images.adopt(run.id, given);
  }

  /** A run, or undefined. */
  run(id: number): RunRecord | undefined {
    return this.#runs.get(id);
  }

  /** A run, or a `run_not_found` error naming the run and what lists those the journal holds. */
  requireRun(id: number): RunRecord {
    return this.#runs.require(id);
  }

  /** Every run, oldest first. */
  runs(): RunRecord[] {
    return this.#runs.all();
  }

  /** The newest run of a kind and/or status. */
  latestRun(filter: { kind?: RunKind; status?: RunStatus } = {}): RunRecord | undefined {
    return this.#runs.latest(filter);
  }

  /**
   * Ends a run. The summary defaults to the journal's own accounting. A completed run or delta moves
   * the watermarks of the resources it extracted fully; a completed rollback marks its target
   * `rolled_back`, which takes the target's watermarks back to those of the runs still standing. All in
   * one transaction.
   */
  finishRun(id: number, status: 'completed' | 'failed' | 'interrupted', summary?: RunSummary): RunRecord {
    return this.atomic(() => {
      // Images a completed run still holds are of rows an earlier write may have reached that this run
      // refused or skipped, or did not come to: no other run takes them over, and its rollback undoes them.
      const run = this.#runs.finish(id, status, summary ?? this.accounting(id));
      if (status === 'completed' && (run.kind === 'run' || run.kind === 'delta')) {
        this.#progress.advanceWatermarks(id, run.kind, this.#now());
      }
      return run;
    });
  }

  /** Marks `interrupted` the runs left running by processes that are gone; returns them. */
  markInterrupted(): RunRecord[] {
    return this.atomic(() => this.#runs.markInterrupted());
  }

  /** Marks `interrupted` the runs this process has running (it is being stopped); returns them. */
  interruptOwnRuns(): RunRecord[] {
    return this.atomic(() => this.#runs.mine().map((run) => this.finishRun(run.id, 'interrupted')));
  }

  /** Takes over an interrupted or failed run, to continue it from its journaled progress. */
  resume(id: number, options: { force?: boolean } = {}): RunRecord {
    return this.atomic(() => {
      const run = this.#runs.resume(id, options.force ?? false);
      this.images.carry(run.id);
      this.#adoptImages(run, false);
      return run;
    });
  }

  /**
   * Journals one extracted page in ONE transaction: its operations, the crosswalk changes they made
   * and the new extraction progress. After a crash the page is either all there (and the run resumes
   * at `progress.nextPage`) or absent (and the page is read again). Pages must follow the journaled
   * progress (the first page of a resource may be any page: a sample reads a slice); the run must be
   * running and owned by this process.
   */
  recordPage(
    runId: number,
    resource: string,
    page: number,
    ops: readonly OperationInput[],
    crosswalk: readonly CrosswalkChange[],
    progress: ProgressUpdate,
  ): void {
    this.atomic(() => {
      this.#runs.requireOwned(runId);
      const now = this.#now();
      this.#progress.advance(runId, resource, page, progress, now);
      this.#ops.insert(runId, ops, { resource, page, at: now });
      this.images.consume(runId, ops);
      this.crosswalk.apply(runId, crosswalk);
      this.#runs.heartbeat(runId, now);
    });
  }

  /**
   * Journals operations that belong to no extracted page (staged groups, second-pass binds, rollback
   * deletes and restores) with their crosswalk changes, in one transaction. With `resource`, the
   * operations count in the accounting of that resource's mappings.
   */
  recordBatch(
    runId: number,
    ops: readonly OperationInput[],
    crosswalk: readonly CrosswalkChange[] = [],
    origin: { resource?: string } = {},
  ): void {
    this.atomic(() => {
      this.#runs.requireOwned(runId);
      const now = this.#now();
      this.#ops.insert(runId, ops, { resource: origin.resource ?? null, page: null, at: now });
      this.images.consume(runId, ops);
      this.crosswalk.apply(runId, crosswalk);
      this.#runs.heartbeat(runId, now);
    });
  }

  /**
   * Whether a run that stands deactivated or deleted a row of a mapping after the row was last created
   * or updated: the deletion policy's doing, not a row left behind.
   */
  closedSinceWritten(mapping: string, key: string): boolean {
    return this.#ops.closedSinceWritten(mapping, key);
  }

  /** The records of a mapping a delta reads again though unchanged (OperationStore.toReadAgain). */
  toReadAgain(mapping: string, parents: readonly string[]): string[] {
    return this.#ops.toReadAgain(mapping, parents);
  }

  /** The source record that wrote (or left unchanged) a row key of a mapping in a run: the first one wins. */
  claimedBy(runId: number, mapping: string, key: string): string | undefined {
    return this.#ops.claimedBy(runId, mapping, key);
  }

  /** The source ids a run journaled from each page `from`..`to` of a resource (OperationStore.pageIds). */
  pageIds(runId: number, resource: string, from: number, to: number): Set<string>[] {
    return this.#ops.pageIds(runId, resource, from, to);
  }

  /** Whether a run journaled an operation for a source record of a mapping. */
  journaled(runId: number, mapping: string, sourceId: string): boolean {
    return this.#ops.has(runId, mapping, sourceId);
  }

  /** Extraction progress of a resource in a run (undefined before its first page). */
  progress(runId: number, resource: string): Progress | undefined {
    return this.#progress.get(runId, resource);
  }

  /** Extraction progress of every resource of a run. */
  progressOf(runId: number): Progress[] {
    return this.#progress.all(runId);
  }

  /** A run's operations in load order, read in chunks: memory stays flat and writes may interleave. */
  operations(runId: number, filter: OperationFilter = {}): Generator<OperationRecord, void, undefined> {
    return this.#ops.iterate(runId, filter, 'asc');
  }

  /** Rows a run created, newest first: what a rollback deletes, in reverse load order. */
  createdBy(runId: number): Generator<OperationRecord, void, undefined> {
    return this.#ops.iterate(runId, { action: 'create' }, 'desc');
  }

  /** Writes of a run over rows it did not create (with their pre-images), newest first: what a rollback restores. */
  updatedBy(runId: number): Generator<OperationRecord, void, undefined> {
    return this.#ops.iterate(runId, { action: ['update', 'deactivate', 'bind'], preImage: true }, 'desc');
  }

  /**
   * Per-mapping accounting of a run: extracted (from progress) against loaded, rejected and skipped
   * (from operations). `expected` (mapping → resource) lists mappings that must appear even if they
   * journaled nothing, so a mapping that dropped every record shows up unbalanced. A rollback's is
   * its rows: to undo = undone + failed + nothing to restore, so that one stopped part-way (its own
   * summary is written when it ends) shows what it did.
   */
  accounting(runId: number, expected?: Readonly<Record<string, string>>): RunSummary {
    const run = this.#runs.get(runId);
    if (run?.kind !== 'rollback' || run.parentRun === null) return this.#ops.accounting(runId, expected);
    const resources = this.#ops.accounting(run.parentRun);
    return rollbackAccounting(this.rollbackCounts(runId), (mapping) => resources[mapping]?.resource ?? '');
  }

  /** What a rollback did to the rows of each mapping, over all its attempts (see rollbackCounts). */
  rollbackCounts(rollbackRunId: number): RollbackSummary {
    const target = this.#runs.get(rollbackRunId)?.parentRun ?? null;
    return rollbackCounts(
      this.operations(rollbackRunId),
      (mapping, key) => target !== null && this.images.get(target, mapping, key) !== undefined,
    );
  }

  /** Streams a run's audit log (CSV or JSON) to `write`; returns the number of entries. */
  async exportLog(
    runId: number,
    format: LogFormat,
    write: LogWriter,
    filter: OperationFilter = {},
    options: { readonly withPreImages?: boolean } = {},
  ): Promise<number> {
    this.#runs.require(runId);
    return writeLog(this.operations(runId, filter), format, write, options);
  }

  /** The Dataverse organisation (WhoAmI's OrganizationId) the journal's runs wrote to, once tied. */
  get organization(): string | undefined {
    return journalOrganization(this.#db);
  }

  /**
   * Checks that the journal belongs to organisation `organizationId` before a command uses it there,
   * and ties a journal that belongs to none yet (unless read only).
   * @throws JournalError `other_organization` when it belongs to another, naming both.
   */
  belongsTo(organizationId: string): void {
    const tie = () => tieOrganization(this.#db, this.path, organizationId, this.readonly);
    if (this.readonly) tie();
    else this.atomic(tie);
  }

  /** Problems SQLite finds in the file (`integrity_check`, `foreign_key_check`); empty when sound. */
  integrityCheck(): string[] {
    return integrityProblems(this.#db);
  }
}
