import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataverseClient } from '../../runtime/dataverse/index.ts';
import { Journal, type RunRecord } from '../../runtime/journal/index.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import {
  beyond,
  failureWords,
  type ReconcileResult,
  reconcile,
  reconcileJson,
  reconcileMarkdown,
  unfinished,
} from '../../runtime/reconcile/index.ts';
import { RollbackError, rollbackRun } from '../../runtime/rollback/index.ts';
import type { ReconcileCliOptions } from '../commands/reconcile.ts';
import { UsageError } from '../errors.ts';
import type { CliIo } from '../io.ts';
import {
  checkedSpec,
  checkJournalOrganization,
  dataverseFromEnv,
  openJournal,
  practiceHubFromEnv,
} from '../migration.ts';
import { existingJournal, rateOption, runOption } from '../options.ts';
import { laterOutputDirectory } from '../output.ts';
import { keptLines, rollbackTable } from './rollback.ts';

/** Differences printed on stdout; the reports list them all. */
const PRINTED = 20;

/** The run to reconcile: the one named, or the latest completed full run. */
function targetRun(journal: Journal, id: number | undefined, io: CliIo): RunRecord | undefined {
  if (id !== undefined) {
    const run = journal.run(id);
    if (!run) throw new UsageError(`${journal.path} has no run ${id} (\`flitstack runs\` lists them)`);
    if (run.kind !== 'run' && run.kind !== 'delta')
      throw new UsageError(`run ${id} is a ${run.kind}: reconcile checks a run or a delta`);
    return run;
  }
  const run = journal.latestRun({ kind: 'run', status: 'completed' });
  if (!run) io.err(`${journal.path} holds no completed run to reconcile: run \`flitstack run\` first\n`);
  return run;
}

/**
 * What to know of runs that stopped before they read every record: the run reconciled, whose records
 * not reached are checked against the completed run before it, or a later run or delta the default
 * passed over, whose rows only it wrote count as no run's. Each with what continues it.
 */
function unfinishedNotes(journal: Journal, run: RunRecord): string {
  const continues = (r: RunRecord) => `\`flitstack ${r.kind}\` of the same spec continues it`;
  if (unfinished(run))
    return `note: ${run.kind} ${run.id} is ${run.status}, not completed: the records it did not reach are checked against the completed runs before it; ${continues(run)}\n`;
  return journal
    .runs()
    .filter((r) => r.id > run.id && (r.kind === 'run' || r.kind === 'delta') && unfinished(r))
    .map(
      (r) =>
        `note: ${r.kind} ${r.id}, started after run ${run.id}, is ${r.status}, not completed: reconcile checks run ${run.id}, and records only ${r.kind} ${r.id} wrote count as no run's until ${continues(r)}\n`,
    )
    .join('');
}

function summary(result: ReconcileResult, files: readonly string[]): string {
  const lines = [
    `reconcile of run ${result.run.id}${unfinished(result.run) ? ` (${result.run.status})` : ''}: ${result.ok ? 'passed' : 'FAILED'} (tolerance ${result.tolerance}, checksums ${result.checksums})`,
    ...result.mappings.map(
      (m) =>
        `  ${m.mapping}: source ${m.source}, journal ${m.journal.loaded + m.journal.skipped} (+${m.journal.rejected} rejected), crosswalk ${m.crosswalk}, Dataverse ${m.dataverse}, extra ${m.extra}, ${m.differing}/${m.checked} differing${m.ownersSinceDisabled > 0 ? `, ${m.ownersSinceDisabled} rows owned by users disabled since` : ''}${m.ok ? '' : ` — ${failureWords(m, result.tolerance)}`}`,
    ),
    ...result.differences
      .slice(0, PRINTED)
      .map(
        (d) =>
          `  ${d.kind}: ${d.mapping} ${d.sourceId === null ? `row${d.key ? ` ${d.key}` : ''}` : `record ${d.sourceId}${d.key ? `, row ${d.key}` : ''}`}${d.targetId ? `, Dataverse ${d.targetId}` : ''}${d.fields.length > 0 ? ` (${d.fields.join(', ')})` : ''}${d.reason ? ` — ${d.reason}` : ''}`,
      ),
    ...(result.differences.length > PRINTED ? [`  … ${result.differences.length - PRINTED} more`] : []),
    ...(result.extraUnchecked.length > 0
      ? [
          `extra rows not looked for in ${result.extraUnchecked.map((u) => `${u.mapping} (${u.table})`).join(', ')}: their rows carry no key that tells them from others'`,
        ]
      : []),
    `PracticeHub requests ${result.requests.practicehub.made} (minimum ${result.requests.practicehub.minimum}); Dataverse requests ${result.requests.dataverse.made} for ${result.requests.dataverse.rows} rows`,
    ...files.map((f) => `wrote ${f}`),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * `--rollback-on-fail`: undoes the run reconciled (flitstack rollback). A refusal (a later delta builds
 * on the run, a run still going) leaves everything as it is and says so; the exit code stays 1.
 */
async function rollBack(
  journal: Journal,
  dataverse: DataverseClient,
  module: GeneratedModule,
  runId: number,
  io: CliIo,
): Promise<void> {
  io.err(`reconciliation failed: rolling back run ${runId}\n`);
  try {
    const result = await rollbackRun({ dataverse, journal, module }, runId);
    const id = result.rollback?.id;
    io.err(
      result.nothingToDo
        ? `run ${runId} was already rolled back\n`
        : `rollback ${id} of run ${runId} ${result.rollback?.status}${result.failed > 0 ? `: ${result.failed} rows could not be undone (\`flitstack log --run ${id}\`)` : ''}\n${rollbackTable(result)}`,
    );
    if (result.kept.length > 0) io.err(keptLines(result, runId));
  } catch (error) {
    if (!(error instanceof RollbackError)) throw error;
    io.err(`run ${runId} was not rolled back: ${error.message}\n  hint: ${error.hint}\n`);
  }
}

/** `flitstack reconcile`: exit 0 within the tolerance, 1 beyond it (rolled back or not). */
export async function reconcileCommand(options: ReconcileCliOptions, io: CliIo): Promise<number> {
  const id = options.run === undefined ? undefined : runOption(options.run);
  const rate = rateOption(options.rate);
  const path = existingJournal(options.journal, io.cwd);
  const files = ['reconcile.md', 'reconcile.json'];
  const out = laterOutputDirectory('--out', options.out, io.cwd, files);
  const spec = await checkedSpec(options.spec, io);
  if (typeof spec === 'number') return spec;
  // The environment first: a missing variable is a usage error with nothing opened yet.
  const dataverse = dataverseFromEnv(io.env);
  const practicehub = practiceHubFromEnv(io.env, spec.generated, { requestsPerSecond: rate });
  let journal = Journal.open(path, { readonly: true });
  try {
    // Another organisation's journal is refused as that, before what it holds is looked at.
    const tied = journal.organization !== undefined;
    if (tied) await checkJournalOrganization(journal, dataverse, spec.generated.module.TABLES);
    const run = targetRun(journal, id, io);
    if (!run) return 1;
    if (!tied) await checkJournalOrganization(journal, dataverse, spec.generated.module.TABLES);
    if (run.specHash !== spec.specHash)
      io.err(
        `note: the spec changed since run ${run.id}; rows the change affects differ until \`flitstack run\` applies it\n`,
      );
    io.err(unfinishedNotes(journal, run));
    const { module, plan } = spec.generated;
    io.err(`reconciling run ${run.id} (${options.checksums ?? module.MIGRATION.checksums} checksums)\n`);
    const result = await reconcile(
      {
        module,
        plan,
        practicehub,
        dataverse,
        journal,
        account: `${module.MIGRATION.account ?? 'account'}.${module.MIGRATION.region}`,
      },
      { run, ...(options.checksums ? { checksums: options.checksums } : {}) },
    );
    const dir = out.make();
    const [markdown, json] = files.map((f) => join(dir, f)) as [string, string];
    writeFileSync(markdown, reconcileMarkdown(result, module.MIGRATION.name));
    writeFileSync(json, reconcileJson(result));
    io.out(options.format === 'json' ? reconcileJson(result) : summary(result, [markdown, json]));
    // A source that moved on since the run is a delta's work; only what the migration got wrong undoes it.
    // Extra rows are no run's: a rollback would not remove them.
    const defective = result.mappings.some((m) => m.defective);
    const extra = result.mappings.reduce((n, m) => n + m.extra, 0);
    const movedOn = result.mappings.some((m) =>
      Object.values(m.shares).some((s) => beyond(s, result.tolerance)),
    );
    if (!result.ok && options.rollbackOnFail && !defective) {
      if (movedOn)
        io.err(
          `run ${run.id} is not rolled back: what differs is what PracticeHub created, changed or deleted since; run \`flitstack delta\` to pick it up\n`,
        );
      if (extra > 0)
        io.err(
          `run ${run.id} is not rolled back: the ${extra} extra rows are not in the crosswalk, so no run wrote them and a rollback would not remove them; find out who created them (reconcile.md lists them) and delete them in Dataverse if they do not belong\n`,
        );
    }
    if (defective && options.rollbackOnFail) {
      journal.close();
      journal = openJournal(path, io.cwd);
      await rollBack(journal, dataverse, module, run.id, io);
    }
    return result.ok ? 0 : 1;
  } finally {
    journal.close();
    await Promise.all([practicehub.close(), dataverse.close()]);
  }
}
