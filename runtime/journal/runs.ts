import type { Database, Statement } from 'better-sqlite3';
import { redactSecretFields } from '../shared/redact.ts';
import { JournalError } from './errors.ts';
import { parseOrNull } from './keyset.ts';
import { type HostView, ownerState } from './owner.ts';
import type { ProcessIdentity, RunKind, RunRecord, RunStart, RunStatus, RunSummary } from './types.ts';

interface RunRow {
  id: number;
  kind: RunKind;
  status: RunStatus;
  started_at: string;
  ended_at: string | null;
  heartbeat_at: string;
  spec_hash: string;
  code_hash: string;
  options: string;
  summary: string | null;
  parent_run: number | null;
  owner_pid: number;
  owner_host: string;
  owner_boot_id: string | null;
  owner_start_ticks: string | null;
  attempts: number;
}

function toRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    heartbeatAt: row.heartbeat_at,
    specHash: row.spec_hash,
    codeHash: row.code_hash,
    options: JSON.parse(row.options) as Record<string, unknown>,
    summary: parseOrNull<RunSummary>(row.summary),
    parentRun: row.parent_run,
    owner: {
      pid: row.owner_pid,
      host: row.owner_host,
      bootId: row.owner_boot_id,
      startTicks: row.owner_start_ticks,
    },
    attempts: row.attempts,
  };
}

const sameProcess = (a: ProcessIdentity, b: ProcessIdentity): boolean =>
  a.pid === b.pid && a.host === b.host && a.bootId === b.bootId && a.startTicks === b.startTicks;

/** The `runs` table: lifecycle of runs, and which process owns a running one. */
export class RunStore {
  readonly #now: () => string;
  readonly #view: HostView;
  readonly #me: ProcessIdentity;
  readonly #get: Statement<[number], RunRow>;
  readonly #running: Statement<[], RunRow>;
  readonly #all: Statement<[], RunRow>;
  readonly #latest: Statement<[{ kind: RunKind | null; status: RunStatus | null }], RunRow>;
  readonly #insert: Statement<unknown[], unknown>;
  readonly #setStatus: Statement<[RunStatus, string | null, string | null, number], unknown>;
  readonly #heartbeat: Statement<[string, number], unknown>;
  readonly #takeOver: Statement<unknown[], unknown>;

  constructor(db: Database, now: () => string, view: HostView, me: ProcessIdentity) {
    this.#now = now;
    this.#view = view;
    this.#me = me;
    this.#get = db.prepare('SELECT * FROM runs WHERE id = ?');
    this.#running = db.prepare(`SELECT * FROM runs WHERE status = 'running' ORDER BY id`);
    this.#all = db.prepare('SELECT * FROM runs ORDER BY id');
    this.#latest = db.prepare(
      `SELECT * FROM runs WHERE (@kind IS NULL OR kind = @kind) AND (@status IS NULL OR status = @status)
       ORDER BY id DESC LIMIT 1`,
    );
    this.#insert = db.prepare(
      `INSERT INTO runs (kind, status, started_at, heartbeat_at, spec_hash, code_hash, options, parent_run,
         owner_pid, owner_host, owner_boot_id, owner_start_ticks)
       VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#setStatus = db.prepare(
      'UPDATE runs SET status = ?, ended_at = ?, summary = coalesce(?, summary) WHERE id = ?',
    );
    this.#heartbeat = db.prepare('UPDATE runs SET heartbeat_at = ? WHERE id = ?');
    this.#takeOver = db.prepare(
      // The summary an interruption left is cleared: until the run ends, its accounting is the journal's.
      `UPDATE runs SET status = 'running', ended_at = NULL, summary = NULL, heartbeat_at = ?, attempts = attempts + 1,
         owner_pid = ?, owner_host = ?, owner_boot_id = ?, owner_start_ticks = ? WHERE id = ?`,
    );
  }

  /** A run, or undefined. */
  get(id: number): RunRecord | undefined {
    const row = this.#get.get(id);
    return row ? toRecord(row) : undefined;
  }

  /** A run, or a `run_not_found` error. */
  require(id: number): RunRecord {
    const run = this.get(id);
    if (!run)
      throw new JournalError(
        'run_not_found',
        `run ${id} is not in the journal; \`flitstack runs\` lists the runs it holds`,
      );
    return run;
  }

  /**
   * A run that is running and owned by this process. Checked before every write for a run, so a
   * process that was presumed dead and taken over cannot keep writing into the run (fencing).
   */
  requireOwned(id: number): RunRecord {
    const run = this.require(id);
    if (run.status !== 'running') {
      throw new JournalError('run_not_running', `run ${id} is ${run.status}, not running`);
    }
    if (!sameProcess(run.owner, this.#me)) {
      throw new JournalError(
        'run_not_running',
        `run ${id} is owned by process ${run.owner.pid}, not this one`,
      );
    }
    return run;
  }

  /** Every run, oldest first. */
  all(): RunRecord[] {
    return this.#all.all().map(toRecord);
  }

  /** The newest run matching the filter. */
  latest(filter: { kind?: RunKind; status?: RunStatus } = {}): RunRecord | undefined {
    const row = this.#latest.get({ kind: filter.kind ?? null, status: filter.status ?? null });
    return row ? toRecord(row) : undefined;
  }

  /** Starts a run owned by this process; refused while another run is still running. */
  start(start: RunStart): RunRecord {
    this.#refuseIfRunning();
    if (start.kind === 'rollback' && start.parentRun === undefined) {
      throw new JournalError('invalid_run', 'a rollback names the run it rolls back (parentRun)');
    }
    if (start.parentRun !== undefined) this.require(start.parentRun);
    const now = this.#now();
    const options = JSON.stringify(redactSecretFields(start.options ?? {}));
    const me = this.#me;
    const info = this.#insert.run(
      start.kind,
      now,
      now,
      start.specHash,
      start.codeHash,
      options,
      start.parentRun ?? null,
      me.pid,
      me.host,
      me.bootId,
      me.startTicks,
    );
    return this.require(Number(info.lastInsertRowid));
  }

  /** Ends a running run. */
  finish(id: number, status: 'completed' | 'failed' | 'interrupted', summary: RunSummary | null): RunRecord {
    const run = this.requireOwned(id);
    this.#setStatus.run(status, this.#now(), summary === null ? null : JSON.stringify(summary), id);
    if (run.kind === 'rollback' && status === 'completed' && run.parentRun !== null) {
      this.#setStatus.run('rolled_back', this.require(run.parentRun).endedAt, null, run.parentRun);
    }
    return this.require(id);
  }

  /** Records that a run is alive and writing. */
  heartbeat(id: number, now: string): void {
    this.#heartbeat.run(now, id);
  }

  /** The runs this process has running. */
  mine(): RunRecord[] {
    return this.#running
      .all()
      .map(toRecord)
      .filter((run) => sameProcess(run.owner, this.#me));
  }

  /**
   * Marks `interrupted` every run left `running` by a process that is gone (dead pid, reused pid, or a
   * reboot). Its end time is its last heartbeat: the last moment it is known to have written.
   */
  markInterrupted(): RunRecord[] {
    const marked: RunRecord[] = [];
    for (const row of this.#running.all()) {
      const run = toRecord(row);
      if (ownerState(run.owner, this.#view) !== 'dead') continue;
      this.#setStatus.run('interrupted', run.heartbeatAt, null, run.id);
      marked.push(this.require(run.id));
    }
    return marked;
  }

  /**
   * Takes over an interrupted or failed run (or a running one whose process is dead) so that this
   * process continues it under the same id, from the journaled progress. A run owned by a process on
   * another host can only be taken over with `force`: its liveness cannot be checked from here.
   */
  resume(id: number, force = false): RunRecord {
    this.markInterrupted();
    const run = this.require(id);
    const resumable =
      run.status === 'interrupted' ||
      run.status === 'failed' ||
      (run.status === 'running' && force && ownerState(run.owner, this.#view) === 'unknown');
    if (!resumable) {
      throw new JournalError('run_not_resumable', `run ${id} is ${run.status} and cannot be resumed`);
    }
    this.#refuseIfRunning(id);
    const me = this.#me;
    this.#takeOver.run(this.#now(), me.pid, me.host, me.bootId, me.startTicks, id);
    return this.require(id);
  }

  #refuseIfRunning(except?: number): void {
    this.markInterrupted();
    const other = this.#running.all().find((row) => row.id !== except);
    if (other) {
      throw new JournalError(
        'run_in_progress',
        `run ${other.id} (${other.kind}) is still running in process ${other.owner_pid} on ${other.owner_host}`,
        'one run at a time writes a journal: wait for it to finish, or stop it (Ctrl-C in its terminal) and run ' +
          'this command again; a stopped run resumes where it left off',
      );
    }
  }
}
