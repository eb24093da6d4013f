import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DataverseClient } from '../../runtime/dataverse/index.ts';
import type { Journal, RunRecord } from '../../runtime/journal/index.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import type { PracticeHubClient } from '../../runtime/practicehub/index.ts';
import { builtOn } from '../../runtime/rollback/index.ts';
import { type RunDeps, type RunResult, runMigration } from '../../runtime/run/pipeline.ts';
import {
  REWRITE_ALL,
  type Rewrite,
  RewriteReportError,
  type RewriteScope,
  reportedRows,
} from '../../runtime/run/rewrite.ts';
import { checkSchema, readLiveSchema } from '../../runtime/schema/verify.ts';
import { UsageError } from '../errors.ts';
import type { CliIo } from '../io.ts';
import { parseJsonFile } from '../json-file.ts';
import {
  type CheckedSpec,
  checkJournalOrganization,
  confirmedSpec,
  dataverseFromEnv,
  openJournal,
  practiceHubFromEnv,
} from '../migration.ts';
import { rateOption } from '../options.ts';
import { progressReporter } from '../progress.ts';
import { accountingTable } from './runs.ts';
import { findingLines } from './schema.ts';

/** Where `flitstack reconcile` writes reconcile.json unless told otherwise (its --out). */
const DEFAULT_RECONCILED = '.flitstack/reconcile/reconcile.json';

export interface RunCommandOptions {
  readonly spec: string;
  readonly journal: string;
  readonly resume: boolean;
  readonly format: 'text' | 'json';
  readonly rate?: string;
  readonly archiveDir?: string;
  /** `run --rewrite`: rows written again though their record is unchanged. */
  readonly rewrite?: RewriteScope;
  /** The reconcile report `--rewrite reported` reads. */
  readonly reconciled?: string;
}

/** Everything a loading command needs, checked and opened; `close()` releases it. */
export interface LoadContext {
  readonly spec: CheckedSpec;
  readonly module: GeneratedModule;
  readonly practicehub: PracticeHubClient;
  readonly dataverse: DataverseClient;
  readonly journal: Journal;
  readonly progress: ReturnType<typeof progressReporter>;
  /** The pipeline's dependencies, ready for `runMigration`. */
  readonly deps: RunDeps;
  close(): Promise<void>;
}

/**
 * Opens what `run`, `delta` and `sample` need, refusing (exit code) unless the spec is confirmed, the
 * licence flags allow loading and the organisation has every column, table and key the spec writes.
 */
export async function openLoad(
  options: RunCommandOptions,
  io: CliIo,
  ready?: (journal: Journal) => number | undefined,
): Promise<LoadContext | number> {
  const spec = await confirmedSpec(options.spec, io);
  if (typeof spec === 'number') return spec;
  const { module, plan } = spec.generated;
  const blocking = plan.flags.filter((f) => f.blocking);
  if (blocking.length > 0) {
    for (const f of blocking)
      io.err(
        `refusing to load: ${f.kind === 'custom-tables' ? 'custom tables' : `custom columns on ${f.table}`} ${f.count}/${f.limit} on Sales Professional (${f.rule}).\n  resolve it: ${f.resolutions.join('; or ')}\n`,
      );
    return 1;
  }
  const dataverse = dataverseFromEnv(io.env);
  const rate = rateOption(options.rate);
  const practicehub = practiceHubFromEnv(io.env, spec.generated, { requestsPerSecond: rate });
  const journal = openJournal(options.journal, io.cwd);
  const progress = progressReporter(io);
  const close = async () => {
    progress.stop();
    journal.close();
    await Promise.all([practicehub.close(), dataverse.close()]);
  };
  try {
    // A journal of another organisation is refused as that first, whatever it holds; then what the
    // journal must hold (a delta's base run) is asked before any other request. One that belongs to
    // none yet is tied only when the command goes on.
    const tied = journal.organization !== undefined;
    if (tied) await checkJournalOrganization(journal, dataverse, module.TABLES);
    const refused = ready?.(journal);
    if (refused !== undefined) {
      await close();
      return refused;
    }
    if (!tied) await checkJournalOrganization(journal, dataverse, module.TABLES);
    const findings = checkSchema(await readLiveSchema(dataverse, plan, module.TABLES), plan, module.TABLES);
    if (findings.length > 0) {
      io.err(
        `refusing to load: the organisation lacks what the spec writes (nothing was written):\n${findingLines(findings)}`,
      );
      await close();
      return 1;
    }
  } catch (error) {
    await close();
    throw error;
  }
  // Relative to where the command runs, as every path option is; so is the spec's archive.dir.
  const archive = options.archiveDir ?? module.MIGRATION.archive?.dir;
  const deps: RunDeps = {
    module,
    practicehub,
    dataverse,
    journal,
    account: `${module.MIGRATION.account ?? 'account'}.${module.MIGRATION.region}`,
    specHash: spec.specHash,
    codeHash: spec.codeHash,
    ...(archive !== undefined ? { archiveDir: resolve(io.cwd, archive) } : {}),
    onEvent: progress.onEvent,
  };
  return { spec, module, practicehub, dataverse, journal, progress, deps, close };
}

/** Prints a loading run's result (text or JSON) and returns its exit code: 1 when anything was rejected. */
export function reportLoad(
  ctx: LoadContext,
  result: RunResult,
  format: 'text' | 'json',
  io: CliIo,
  extra: Readonly<Record<string, unknown>> = {},
): number {
  ctx.progress.stop();
  if (format === 'json') {
    io.out(
      `${JSON.stringify({ run: result.run.id, kind: result.run.kind, status: result.run.status, resumed: result.resumed, rejected: result.rejected, unbalanced: result.unbalanced, ...extra, summary: result.summary, practicehub: ctx.practicehub.stats(), dataverse: ctx.dataverse.stats() }, null, 2)}\n`,
    );
  } else {
    io.out(
      `${result.run.kind} ${result.run.id} ${result.run.status}${result.resumed ? ' (resumed)' : ''}\n${accountingTable(result.summary)}`,
    );
    if (result.rejected > 0)
      io.out(
        `${result.rejected} records rejected: \`flitstack log --run ${result.run.id}\` lists them with their reasons\n`,
      );
    if (result.unbalanced.length > 0)
      io.out(`accounting does not balance for ${result.unbalanced.join(', ')}\n`);
  }
  return result.rejected > 0 || result.unbalanced.length > 0 ? 1 : 0;
}

/** The rows `--rewrite` writes again: every row, or those the reconcile report names. */
function rewriteOf(scope: RewriteScope, file: string | undefined, journal: Journal, io: CliIo): Rewrite {
  if (scope === 'all') return REWRITE_ALL;
  const path = resolve(io.cwd, file ?? DEFAULT_RECONCILED);
  const what =
    'run `flitstack reconcile` first (or give its report with --reconciled), or write every row again with --rewrite all';
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`--rewrite reported reads ${path}, which cannot be read: ${what}`);
  }
  // Parsed first here, so that text that is not JSON is refused without the parser quoting it.
  parseJsonFile(text, `--rewrite reported: ${path}`, what);
  try {
    return reportedRows(text, journal, path);
  } catch (error) {
    if (!(error instanceof RewriteReportError)) throw error;
    throw new UsageError(`--rewrite reported: ${error.message}; ${what}`);
  }
}

/**
 * The note for a stopped run of another spec or generated code that the new run did not continue
 * (the pipeline's `leftStopped`), with what the user can do about it: no later run continues it (under
 * its own spec either, the latest run being the new one), so only a rollback of it and of the runs built
 * on it, newest first, undoes what it wrote.
 */
function noteLeftStopped(journal: Journal, spec: CheckedSpec, last: RunRecord, runId: number): string {
  const under =
    last.specHash === spec.specHash
      ? 'another generated code'
      : `spec ${last.specHash.slice(0, 12)}, not this spec ${spec.specHash.slice(0, 12)}`;
  const stays = last.status === 'failed' ? 'failed' : 'interrupted';
  // An interrupted run is rolled back only with --force (see checkTarget); a failed one without.
  const force = last.status === 'interrupted' ? ' --force' : '';
  const first = builtOn(journal, last).map((r) => `\`flitstack rollback --run ${r.id}\`, then `);
  return `note: run ${last.id} stopped under ${under}: run ${runId} starts anew rather than continuing it, and run ${last.id} stays ${stays}; no later run continues it, under either spec\n  to undo what run ${last.id} wrote, roll back once run ${runId} ends, newest first: ${first.join('')}\`flitstack rollback --run ${last.id}${force}\`\n`;
}

/** `flitstack run`: refuses to start unless the spec, generated code, licence flags and schema are ready. */
export async function runCommand(options: RunCommandOptions, io: CliIo): Promise<number> {
  const ctx = await openLoad(options, io);
  if (typeof ctx === 'number') return ctx;
  try {
    const rewrite = options.rewrite && rewriteOf(options.rewrite, options.reconciled, ctx.journal, io);
    const deps: RunDeps = {
      ...ctx.deps,
      onEvent: (e) => {
        ctx.deps.onEvent?.(e);
        if (e.type === 'run' && e.leftStopped)
          io.err(noteLeftStopped(ctx.journal, ctx.spec, e.leftStopped, e.runId));
      },
    };
    // A rewrite starts a new run: a run continued would not read again the pages it had read.
    const result = await runMigration(deps, {
      resume: options.resume && !rewrite,
      ...(rewrite ? { rewrite, options: { rewrite: options.rewrite } } : {}),
    });
    return reportLoad(ctx, result, options.format, io);
  } finally {
    await ctx.close();
  }
}
