import type { DataverseClient } from '../dataverse/index.ts';
import type {
  DeferredInput,
  Journal,
  MatchInput,
  OperationInput,
  Progress,
  RunRecord,
  RunSummary,
  StaffInput,
  StagedInput,
} from '../journal/index.ts';
import type { GeneratedModule, MappingDefinition, Outcome, SourceRecord } from '../mapping/index.ts';
import { deletedAt, groupKeyOf, idText, producesVaryingRows } from '../mapping/index.ts';
import {
  type EarlierWalk,
  type PracticeHubClient,
  type PracticeHubPage,
  type PracticeHubRecord,
  PracticeHubRequestError,
  RECENT_PAGES,
} from '../practicehub/index.ts';
import { bindDeferred } from './deferred.ts';
import { type Deletion, Deletions, type Produced } from './deletions.ts';
import { type Directory, loadDirectory } from './directory.ts';
import { Attachments, organisationUploadLimit } from './documents.ts';
import type { RunEventSink } from './events.ts';
import { ExistingRows } from './existing.ts';
import { processGroups } from './groups.ts';
import { type Pass, passesOf } from './passes.ts';
import { type PrepareContext, prepareRow } from './prepare.ts';
import type { Rewrite } from './rewrite.ts';
import { readStaffEmails, staffEntry, staffToReadFirst } from './staff.ts';
import { Known, PendingState, type PreparedRow } from './state.ts';
import { type WriteContext, writeRows } from './write.ts';

/** What a run needs: the generated module, both clients, the journal, and the spec's identity. */
export interface RunDeps {
  readonly module: GeneratedModule;
  readonly practicehub: PracticeHubClient;
  readonly dataverse: DataverseClient;
  readonly journal: Journal;
  /** Identifies the source account in derived row ids. */
  readonly account: string;
  readonly specHash: string;
  readonly codeHash: string;
  /** Where archived files and logs are written (default: the spec's archive.dir, relative to the working directory). */
  readonly archiveDir?: string;
  readonly onEvent?: RunEventSink;
  /** The users and roles, when the caller has read them already (a sample reads them once for its run and its read-back). */
  readonly directory?: Directory;
}

/** The kinds of run that move records. */
export type LoadKind = 'run' | 'delta' | 'sample';

export interface RunOptions {
  /** Continue an interrupted or failed run of the same kind and spec instead of starting a new one (default: yes). */
  readonly resume?: boolean;
  /** A full run (default), a delta pickup, or a sample. */
  readonly kind?: LoadKind;
  /** A delta's base run. */
  readonly parentRun?: number;
  /** Options journaled with the run (CLI flags, never secrets). */
  readonly options?: Readonly<Record<string, unknown>>;
  /** Only records this accepts are extracted and loaded (a sample); the others are not counted. */
  readonly select?: (resource: string, record: SourceRecord) => boolean;
  /** Per resource, extract only records updated at or after this instant (a delta). */
  readonly since?: Readonly<Record<string, string>>;
  /** Rows written again though their payload is unchanged (`flitstack run --rewrite`). */
  readonly rewrite?: Rewrite;
}

/** How a run ended: its accounting per mapping, and whether every record balanced. */
export interface RunResult {
  readonly run: RunRecord;
  readonly resumed: boolean;
  readonly summary: RunSummary;
  readonly rejected: number;
  readonly unbalanced: readonly string[];
}

/** A page read but not yet journaled: what it produced, written to Dataverse at the next flush. */
interface OpenPage {
  readonly page: PracticeHubPage;
  readonly ops: OperationInput[];
  readonly staged: Map<string, StagedInput[]>;
  readonly staff: StaffInput[];
  readonly matches: MatchInput[];
  readonly deferred: DeferredInput[];
  readonly deletions: Deletion[];
  /** Row keys of records whose mapping may produce fewer rows than before (see producesVaryingRows). */
  readonly produced: Produced[];
}

function maxUpdatedAt(records: readonly SourceRecord[]): string | null {
  let max: string | null = null;
  for (const r of records)
    if (typeof r.updated_at === 'string' && (max === null || r.updated_at > max)) max = r.updated_at;
  return max;
}

/** Runs the migration: every pass in load order, then grouped mappings, deferred lookups, accounting. */
export async function runMigration(deps: RunDeps, options: RunOptions = {}): Promise<RunResult> {
  const { module, journal } = deps;
  const { users, roles } = deps.directory ?? (await loadDirectory(deps.dataverse, module));
  journal.markInterrupted();
  const kind = options.kind ?? 'run';
  const previous = journal.latestRun({ kind });
  const resumable =
    previous &&
    (previous.status === 'interrupted' || previous.status === 'failed') &&
    previous.specHash === deps.specHash &&
    previous.codeHash === deps.codeHash;
  const resumed = options.resume !== false && resumable === true;
  const leftStopped =
    options.resume !== false &&
    !resumable &&
    previous &&
    (previous.status === 'interrupted' || previous.status === 'failed')
      ? previous
      : undefined;
  const run = resumed
    ? journal.resume(previous!.id)
    : journal.startRun({
        kind,
        specHash: deps.specHash,
        codeHash: deps.codeHash,
        ...(options.options ? { options: options.options } : {}),
        ...(options.parentRun !== undefined ? { parentRun: options.parentRun } : {}),
      });
  const passes = passesOf(module);
  // The staff read, when there is one, is a pass of its own before the others.
  const staff = staffToReadFirst(module, passes);
  deps.onEvent?.({
    type: 'run',
    runId: run.id,
    resumed,
    passes: passes.length + (staff ? 1 : 0),
    ...(leftStopped ? { leftStopped } : {}),
  });
  const pending = new PendingState();
  const prepare: PrepareContext = {
    account: deps.account,
    module,
    journal,
    users,
    roles,
    known: new Known(journal, pending, run.id),
    pending,
    ...(options.rewrite ? { rewrite: options.rewrite } : {}),
  };
  const archive = module.MIGRATION.archive && {
    ...module.MIGRATION.archive,
    dir: deps.archiveDir ?? module.MIGRATION.archive.dir,
  };
  const write: WriteContext = {
    client: deps.dataverse,
    batchSize: module.MIGRATION.batchSize,
    attachments: new Attachments(deps.practicehub, archive, () =>
      organisationUploadLimit(deps.dataverse, module.MIGRATION.maxUploadFileSize),
    ),
    journal,
    runId: run.id,
    bulkRows: new Map(),
    existing: new ExistingRows(deps.dataverse, journal),
    stateful: new Map(),
  };
  // Said whether the run ends or fails: a rollback of either restores the rows found.
  const noteFound = () => {
    for (const found of write.existing!.found())
      deps.onEvent?.({ type: 'existing', runId: run.id, ...found });
  };
  const scope: PassScope = {
    select: options.select,
    since: options.since ?? {},
    deletions: new Deletions(
      deps.dataverse,
      module,
      journal,
      module.MIGRATION.deletedRecords,
      write.batchSize,
      run.id,
    ),
  };
  try {
    if (staff) await readStaffEmails(deps, run.id, staff);
    for (const pass of passes) await runPass(deps, run.id, pass, prepare, write, scope);
    await bindDeferred(deps, run.id, write);
    const expected = Object.fromEntries(Object.values(module.MAPPINGS).map((m) => [m.name, m.source]));
    const summary = journal.accounting(run.id, expected);
    const unbalanced = Object.entries(summary)
      .filter(([, c]) => c.extracted !== c.loaded + c.rejected + c.skipped)
      .map(([name]) => name);
    const rejected = Object.values(summary).reduce((n, c) => n + c.rejected, 0);
    noteFound();
    const finished = journal.finishRun(run.id, unbalanced.length > 0 ? 'failed' : 'completed', summary);
    deps.onEvent?.({ type: 'done', runId: run.id });
    return { run: finished, resumed, summary, rejected, unbalanced };
  } catch (error) {
    noteFound();
    journal.finishRun(run.id, 'failed');
    throw error;
  }
}

/** What a pass reads: the selected records, updated since an instant; and what it does with deleted ones. */
interface PassScope {
  readonly select: RunOptions['select'];
  readonly since: Readonly<Record<string, string>>;
  readonly deletions: Deletions;
}

/** Extracts one resource page by page and loads its mappings' rows, journaling a flush at a time. */
async function runPass(
  deps: RunDeps,
  runId: number,
  pass: Pass,
  prepare: PrepareContext,
  write: WriteContext,
  scope: PassScope,
): Promise<void> {
  const { journal, module } = deps;
  const progress = journal.progress(runId, pass.resource);
  const rowMappings = pass.mappings.filter((m) => !m.group);
  const staffResource =
    module.MIGRATION.staff?.resource === pass.resource ? module.MIGRATION.staff : undefined;
  if (!progress?.done) {
    const fromPage = progress?.nextPage ?? 1;
    deps.onEvent?.({
      type: 'pass',
      resource: pass.resource,
      mappings: pass.mappings.map((m) => m.name),
      fromPage,
    });
    let extracted = progress?.extracted ?? 0;
    const open: OpenPage[] = [];
    const buffers = new Map<string, PreparedRow[]>(rowMappings.map((m) => [m.name, []]));
    const buffered = () => [...buffers.values()].reduce((n, rows) => n + rows.length, 0);
    const flush = async () => {
      const byPage = new Map<
        number,
        { ops: OperationInput[]; crosswalk: Parameters<Journal['recordPage']>[4][number][] }
      >();
      for (const p of open) byPage.set(p.page.page, { ops: p.ops, crosswalk: [] });
      const removed = await scope.deletions.apply([
        ...open.flatMap((p) => p.deletions),
        ...scope.deletions.dropped(open.flatMap((p) => p.produced)),
      ]);
      for (const { page, op } of removed.ops) byPage.get(page)!.ops.push(op);
      for (const { page, change } of removed.crosswalk) byPage.get(page)!.crosswalk.push(change);
      let written = 0;
      let rejected = 0;
      for (const m of rowMappings) {
        const rows = buffers.get(m.name)!;
        if (rows.length === 0) continue;
        const result = await writeRows(write, rows);
        for (const { page, op } of result.ops) {
          byPage.get(page!)!.ops.push(op);
          if (op.action === 'create' || op.action === 'update') written++;
          if (op.action === 'reject') rejected++;
        }
        for (const { page, change } of result.crosswalk) byPage.get(page!)!.crosswalk.push(change);
        buffers.set(m.name, []);
      }
      journal.atomic(() => {
        for (const p of open) {
          for (const [mapping, staged] of p.staged) journal.staging.add(runId, mapping, staged);
          if (p.staff.length > 0) journal.staff.set(runId, p.staff);
          if (p.matches.length > 0) journal.matches.set(runId, p.matches);
          const entry = byPage.get(p.page.page)!;
          const deferred = notRefused(p.deferred, entry.ops);
          if (deferred.length > 0) journal.deferred.add(runId, deferred);
          journal.recordPage(runId, pass.resource, p.page.page, entry.ops, entry.crosswalk, {
            nextPage: p.page.page + 1,
            totalEntries: p.page.totalEntries,
            extracted: p.page.records.length,
            done: !p.page.hasNext,
            maxUpdatedAt: maxUpdatedAt(p.page.records),
          });
        }
      });
      deps.onEvent?.({ type: 'flush', resource: pass.resource, rows: written + rejected, written, rejected });
      open.length = 0;
      prepare.pending.clear();
    };
    const fields = module.RESOURCES[pass.resource]?.used;
    const updatedSince = scope.since[pass.resource];
    const select = scope.select;
    const earlier = earlierWalk(journal, runId, pass, progress);
    const read = new Set<string>(); // the ids a delta lists
    for await (const listed of deps.practicehub.pages(pass.resource, {
      fromPage,
      fields,
      updatedSince,
      ...(earlier ? { earlier } : {}),
    })) {
      // A delta reads again, with its last page, the records that waited for a lookup's row since loaded
      // and those whose row's state Dataverse refused.
      if (updatedSince !== undefined) for (const r of listed.records) read.add(idText(r.id) ?? '');
      const withAgain =
        updatedSince !== undefined && !listed.hasNext
          ? { ...listed, records: [...listed.records, ...(await readAgain(deps, runId, pass, read))] }
          : listed;
      const page = select
        ? { ...withAgain, records: withAgain.records.filter((r) => select(pass.resource, r)) }
        : withAgain;
      const openPage: OpenPage = {
        page,
        ops: [],
        staged: new Map(),
        staff: [],
        matches: [],
        deferred: [],
        deletions: [],
        produced: [],
      };
      open.push(openPage);
      for (const record of page.records) {
        if (staffResource) {
          const entry = staffEntry(staffResource, record);
          openPage.staff.push(entry);
          prepare.pending.staff.set(entry.staffId, entry.email);
        }
      }
      for (const m of pass.mappings) {
        for (const record of page.records) {
          const deleted = deletedAt(record);
          if (deleted !== undefined) {
            const sourceId = idText(record.id) ?? '';
            openPage.deletions.push({
              mapping: m,
              sourceId,
              page: page.page,
              kind: 'deleted',
              deletedAt: deleted,
            });
            // Its group is loaded again without it (processGroups): staged to say which group it left.
            if (m.group) stage(m, record, openPage);
          } else processRecord(prepare, m, record, openPage, buffers);
        }
      }
      extracted += page.records.length;
      deps.onEvent?.({
        type: 'page',
        resource: pass.resource,
        page: page.page,
        records: page.records.length,
        extracted,
        total: page.totalEntries,
      });
      if (buffered() >= write.batchSize || !page.hasNext) await flush();
    }
    if (open.length > 0) await flush();
  }
  // A delta extracted only what changed since the watermark: its groups are completed before loading.
  const delta = scope.since[pass.resource] !== undefined;
  for (const m of pass.mappings.filter((x) => x.group))
    await processGroups(deps, runId, m, prepare, write, delta);
}

/**
 * The records of a pass's resource that a delta's changed records do not hold (`read`) but that it reads
 * again: those that wait for a lookup's row, rejected for a required lookup or loaded with a lookup left
 * empty, when the row the lookup names has been created since (a parent PracticeHub created, or one
 * loaded once fixed; for a record journaled without the row it awaits, any row of a mapping the lookup
 * may point to); and those with a row Dataverse wrote but whose state it refused, to set it. Unchanged
 * themselves, they are not listed as changed, and would wait for the next full run.
 * Read one by one; a record deleted since is left to the deletion the delta lists.
 */
async function readAgain(
  deps: RunDeps,
  runId: number,
  pass: Pass,
  read: ReadonlySet<string>,
): Promise<PracticeHubRecord[]> {
  const ids = new Set<string>();
  for (const m of pass.mappings) {
    const parents = [...new Set(m.lookups.flatMap((l) => l.candidates.map((c) => c.mapping)))];
    for (const id of deps.journal.toReadAgain(m.name, parents))
      if (!read.has(id) && !deps.journal.journaled(runId, m.name, id)) ids.add(id);
  }
  const out: PracticeHubRecord[] = [];
  for (const id of ids) {
    try {
      out.push(await deps.practicehub.get(pass.resource, id));
    } catch (error) {
      if (!(error instanceof PracticeHubRequestError && error.status === 404)) throw error;
    }
  }
  return out;
}

/** Stages a record of a grouping mapping with the open page, under its group key. */
function stage(m: MappingDefinition, record: SourceRecord, page: OpenPage): void {
  const staged = page.staged.get(m.name) ?? [];
  staged.push({ groupKey: groupKeyOf(m.group!, record), record });
  page.staged.set(m.name, staged);
}

/** Routes, transforms and prepares one record for one mapping; its operations or rows go to the open page. */
function processRecord(
  ctx: PrepareContext,
  m: MappingDefinition,
  record: SourceRecord,
  page: OpenPage,
  buffers: Map<string, PreparedRow[]>,
): void {
  const sourceId = idText(record.id) ?? '';
  if (m.group) {
    stage(m, record, page);
    return;
  }
  const routed = m.notMatchedBy.find((other) => ctx.known.matched(other, sourceId));
  if (routed) {
    page.ops.push({
      mapping: m.name,
      sourceId,
      action: 'skip',
      reason: `handled by ${routed}, which matched an existing row`,
    });
    return;
  }
  const outcome = m.transform(record) as Outcome<Readonly<Record<string, unknown>>>;
  // Rows it no longer produces: those of a record whose rows are known (or whose fan-out list is now
  // empty). A rejected record says nothing of the rows it should have, and one outside a condition
  // keeps its rows as a one-row mapping's record does: both stay until the record is read again.
  if (producesVaryingRows(m) && (outcome.kind === 'rows' || (outcome.kind === 'skipped' && outcome.empty)))
    page.produced.push({
      mapping: m,
      sourceId,
      keys: outcome.kind === 'rows' ? outcome.rows.map((r) => r.key) : [],
      page: page.page.page,
    });
  addOutcome(ctx, m, outcome, record, page.page.page, {
    op: (op) => page.ops.push(op),
    row: (row, deferred) => {
      buffers.get(m.name)!.push(row);
      page.deferred.push(...deferred);
    },
    match: (match) => page.matches.push(match),
  });
}

/**
 * What an interrupted pass had read of its resource, for the walk that resumes it: the total of its
 * last journaled page and the ids journaled from the pages before `nextPage`, so that records deleted
 * from those pages while the run was stopped do not make the walk pass the records after them by
 * (pageStream). Undefined for a pass that starts afresh, and for one with grouped mappings, whose
 * records are staged rather than journaled page by page.
 */
function earlierWalk(
  journal: Journal,
  runId: number,
  pass: Pass,
  progress: Progress | undefined,
): EarlierWalk | undefined {
  if (!progress || progress.totalEntries === null || pass.mappings.some((m) => m.group)) return undefined;
  const to = progress.nextPage - 1;
  const from = Math.max(1, to - RECENT_PAGES + 1);
  return {
    total: progress.totalEntries,
    recent: journal.pageIds(runId, pass.resource, from, to),
    idsOf: (page) => journal.pageIds(runId, pass.resource, page, page)[0] ?? new Set(),
  };
}

/**
 * The deferred lookups of rows Dataverse did not refuse: a refused row was not written, and binding
 * its lookup in the second pass would write part of it (and journal a bind that no rollback undoes).
 */
function notRefused(deferred: readonly DeferredInput[], ops: readonly OperationInput[]): DeferredInput[] {
  const id = (o: OperationInput) => `${o.mapping}\u0000${o.key}`;
  // A row written whose state was not set is refused too (writeRows), but it exists: its lookups wait.
  const written = new Set(ops.filter((o) => o.action === 'create' || o.action === 'update').map(id));
  const refused = new Set(ops.filter((o) => o.action === 'reject' && o.key && !written.has(id(o))).map(id));
  return refused.size === 0
    ? [...deferred]
    : deferred.filter((d) => !refused.has(`${d.mapping}\u0000${d.key}`));
}

/** Where an outcome's results go: operations, and prepared rows (with their deferred lookups). */
export interface OutcomeSink {
  op(op: OperationInput): void;
  row(row: PreparedRow, deferred: readonly DeferredInput[]): void;
  match(match: MatchInput): void;
}

/** Adds a transform outcome's operations or prepared rows. Shared by pages and grouped mappings. */
export function addOutcome(
  ctx: PrepareContext,
  m: MappingDefinition,
  outcome: Outcome<Readonly<Record<string, unknown>>>,
  record: SourceRecord,
  page: number | null,
  sink: OutcomeSink,
  extra: (row: Readonly<Record<string, unknown>>) => Readonly<Record<string, unknown>> = (row) => row,
): void {
  if (outcome.kind === 'skipped') {
    sink.op({ mapping: m.name, sourceId: outcome.sourceId, action: 'skip', reason: outcome.reason });
    return;
  }
  if (outcome.kind === 'rejected') {
    const reason = outcome.rejections.map((r) => `${r.column}: ${r.reason}`).join('; ');
    sink.op({
      mapping: m.name,
      sourceId: outcome.sourceId,
      action: 'reject',
      reason,
      flags: outcome.flags,
      error: { code: outcome.rejections[0]?.code ?? 'rejected', message: reason },
    });
    return;
  }
  const updatedAt = typeof record.updated_at === 'string' ? record.updated_at : null;
  outcome.rows.forEach((row, i) => {
    const prepared = prepareRow(
      ctx,
      m,
      { ...row, payload: extra(row.payload) },
      outcome.sourceId,
      i === 0 ? outcome.flags : [],
      page,
      updatedAt,
    );
    if ('op' in prepared) {
      sink.op(prepared.op);
      return;
    }
    sink.row(prepared.row, prepared.deferred);
    if (m.key.kind === 'match') {
      ctx.pending.addMatch(m.name, outcome.sourceId, prepared.row.targetId);
      sink.match({ mapping: m.name, sourceId: outcome.sourceId, targetId: prepared.row.targetId });
    }
  });
}
