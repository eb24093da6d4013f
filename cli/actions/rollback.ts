import {
  RollbackError,
  type RollbackErrorCode,
  type RollbackEvent,
  type RollbackResult,
  rollbackRun,
} from '../../runtime/rollback/index.ts';
import type { CliIo } from '../io.ts';
import { checkJournalOrganization, dataverseFromEnv, generatedOf, openJournal } from '../migration.ts';
import { existingJournal, numberOption, runOption } from '../options.ts';
import { textTable } from '../table.ts';

export interface RollbackCommandOptions {
  readonly run: string;
  readonly journal: string;
  readonly batchSize?: string;
  readonly force?: boolean;
  readonly discardChanges?: boolean;
  readonly format: 'text' | 'json';
}

/**
 * Progress lines on standard error, counts only: the start, then each step's running count at most
 * once a second, and its final count.
 */
function progressReporter(io: CliIo, now: () => number = Date.now): (e: RollbackEvent) => void {
  let last: Extract<RollbackEvent, { type: 'batch' }> | undefined;
  let shownAt = 0;
  const show = (e: Extract<RollbackEvent, { type: 'batch' }>) => {
    io.err(`  ${e.phase}: ${e.done} rows${e.failed > 0 ? `, ${e.failed} failed` : ''}\n`);
    shownAt = now();
    last = undefined;
  };
  return (e) => {
    switch (e.type) {
      case 'start':
        io.err(
          `rollback ${e.rollbackRunId} of run ${e.targetRunId}${e.resumed ? ' (resumed)' : ''}: ${e.toDelete} created rows to delete\n`,
        );
        break;
      case 'batch':
        last = e;
        if (now() - shownAt >= 1000) show(e);
        break;
      case 'references':
        io.err(
          `  records made in Dataverse since the run that point to rows to delete: ${e.found} rows pointed to${e.unchecked > 0 ? `, ${e.unchecked} tables unreadable` : ''} (${e.requests} requests)\n`,
        );
        break;
      case 'phase':
      case 'done':
        if (last) show(last);
        break;
    }
  };
}

/** The per-mapping summary as a table. */
export function rollbackTable(result: RollbackResult): string {
  const rows = Object.entries(result.summary).map(([name, c]) => [
    name,
    c.deleted,
    c.restored,
    c.skipped,
    c.failed,
  ]);
  return textTable(['mapping', 'deleted', 'restored', 'skipped', 'failed'], rows, (i) => i > 0);
}

/** Rows shown one a line before the rest are only counted. */
const KEPT_SHOWN = 50;

/** The rows left as they are because they changed in Dataverse after the run wrote them, and what to do. */
export function keptLines(result: RollbackResult, runId: number): string {
  const lines = result.kept
    .slice(0, KEPT_SHOWN)
    .map(
      (k) =>
        `  ${k.mapping} ${k.table ?? '(no table)'} ${k.targetId}, not ${k.undo === 'delete' ? 'deleted' : 'restored'}: ${k.why}\n`,
    );
  const more = result.kept.length - lines.length;
  return `${result.kept.length} rows were left as they are: changed in Dataverse after flitstack wrote them, pointed to by a record created or changed in Dataverse since the run (deleting the row would delete that record or empty its lookup), or pointed to by such a row:\n${lines.join('')}${more > 0 ? `  … and ${more} more (\`flitstack log --run ${result.rollback!.id} --action delete,restore\` lists them)\n` : ''}check the changes, then \`flitstack rollback --run ${runId} --discard-changes\` deletes or restores them too, discarding the changes (and deleting, or unlinking, the records that point to them)\n`;
}

/** The tables that could not be read to find records pointing to the rows to delete, and what to do. */
export function uncheckedLines(result: RollbackResult): string {
  return result.unchecked
    .map((u) => {
      const through = u.relationships.map((r) => `${r.schemaName}: ${r.cascadeDelete}`).join(', ');
      const cause = u.privilege
        ? `the application user lacks ${u.privilege}; grant it (read, organisation level) to its security role and run the rollback again`
        : `Dataverse refused the query (${u.error})`;
      return `${u.table} could not be checked for records pointing to the rows to delete (${through}): ${cause}\n`;
    })
    .join('');
}

/** Refusals that are usage or environment errors (exit 2). */
const USAGE: ReadonlySet<RollbackErrorCode> = new Set(['run_not_found', 'run_running', 'not_undoable']);

/** `flitstack rollback`: exit 0 rolled back or nothing to do, 1 refused or rows failed, 2 usage or environment. */
export async function rollbackCommand(options: RollbackCommandOptions, io: CliIo): Promise<number> {
  const runId = runOption(options.run);
  const batchSize =
    options.batchSize === undefined
      ? undefined
      : numberOption('batch-size', options.batchSize, { integer: true, max: 1000 });
  const path = existingJournal(options.journal, io.cwd);
  const generated = await generatedOf(io.cwd);
  const dataverse = dataverseFromEnv(io.env);
  const journal = openJournal(path, io.cwd);
  try {
    await checkJournalOrganization(journal, dataverse, generated.module.TABLES);
    const result = await rollbackRun(
      {
        dataverse,
        journal,
        module: generated.module,
        onEvent: progressReporter(io),
      },
      runId,
      {
        ...(batchSize !== undefined ? { batchSize } : {}),
        force: options.force === true,
        discardChanges: options.discardChanges === true,
      },
    );
    const rollback = result.rollback;
    if (options.format === 'json') {
      io.out(
        `${JSON.stringify(
          {
            rollback: rollback?.id ?? null,
            target: result.target.id,
            status: result.nothingToDo ? 'nothing-to-do' : rollback?.status,
            targetStatus: result.target.status,
            resumed: result.resumed,
            failed: result.failed,
            kept: result.kept,
            unchecked: result.unchecked,
            summary: result.summary,
            dataverse: dataverse.stats(),
          },
          null,
          2,
        )}\n`,
      );
    } else if (result.nothingToDo) {
      io.out(
        `run ${runId} is already rolled back${rollback ? ` (by rollback ${rollback.id})` : ''}: nothing to do\n`,
      );
    } else {
      io.out(
        `rollback ${rollback!.id} of run ${runId} ${rollback!.status}${result.resumed ? ' (resumed)' : ''}\n${rollbackTable(result)}`,
      );
      if (result.kept.length > 0) io.out(keptLines(result, runId));
      io.out(uncheckedLines(result));
      if (result.failed > result.kept.length)
        io.out(
          `${result.failed - result.kept.length} rows could not be undone: \`flitstack log --run ${rollback!.id} --action delete,restore\` lists them with Dataverse's errors; run the rollback again to retry them\n`,
        );
    }
    return result.failed > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof RollbackError) {
      io.err(`error: ${error.message}\n  hint: ${error.hint}\n`);
      // A run the journal does not hold, or one of a kind never rolled back (a rollback, a schema
      // setup), is a usage error, as `flitstack reconcile --run` of such a run is; a journal a run still
      // writes is in use (as `flitstack run` says of it); any other refusal is a finding.
      return USAGE.has(error.code) ? 2 : 1;
    }
    throw error;
  } finally {
    journal.close();
    await dataverse.close();
  }
}
