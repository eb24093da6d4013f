import { existsSync } from 'node:fs';
import { Journal } from '../runtime/journal/index.ts';
import type { RunRecord } from '../runtime/journal/types.ts';

/** The commands whose Ctrl-C says what it left: they read for long, or write to Dataverse and the journal. */
const INTERRUPTIBLE = ['audit', 'sample', 'run', 'delta', 'rollback'] as const;

/** The exit code of a process stopped by SIGINT, as shells report it (128 + 2). */
export const INTERRUPTED_EXIT = 130;

const rows = (n: number) => `${n} row${n === 1 ? '' : 's'}`;

/** Rows a run wrote (created, updated, deactivated, deleted or restored), from its accounting. */
function loaded(run: RunRecord): number {
  return Object.values(run.summary ?? {}).reduce((n, c) => n + c.loaded, 0);
}

/** What to do next about a run stopped part-way, by its kind. */
function nextStep(run: RunRecord): string {
  switch (run.kind) {
    case 'run':
    case 'delta':
      return `run the same command again to continue it where it stopped, or \`flitstack rollback --run ${run.id} --force\` to remove what it wrote`;
    case 'sample':
      return `\`flitstack rollback --run ${run.id} --force\` removes what it loaded; run \`flitstack sample\` again for a new sample (no report was written)`;
    case 'rollback':
      return `run \`flitstack rollback --run ${run.parentRun}\` again to continue it`;
    default:
      return 'run the same command again';
  }
}

/**
 * Marks `interrupted` the runs this process has running in the journal, so that the state left is
 * known now rather than at the next command; returns them as they are after. The journal's writes are
 * synchronous and each is one transaction, so none is half-done when the signal's handler runs.
 */
function markOwnRuns(path: string): RunRecord[] {
  const journal = Journal.open(path);
  try {
    return journal.interruptOwnRuns();
  } finally {
    journal.close();
  }
}

/**
 * The one line printed when Ctrl-C stops `command`: that it was interrupted, what it left (the run
 * marked interrupted and the rows it wrote) and what to do. Never throws: the user is stopping the
 * command, and a journal that cannot be read is said so in the line.
 */
export function interruptedLine(command: string, journal: string | undefined): string {
  if (command === 'audit')
    return 'interrupted: the audit stopped before writing its report (it writes nothing to PracticeHub or Dataverse); run `flitstack audit` again';
  if (!journal || !existsSync(journal))
    return `interrupted: flitstack ${command} stopped before it started a run; nothing was written; run it again`;
  let runs: RunRecord[];
  try {
    runs = markOwnRuns(journal);
  } catch (error) {
    return `interrupted: flitstack ${command} stopped; the journal ${journal} could not be updated (${(error as Error).message}): the next command marks its run interrupted, and \`flitstack runs\` lists it`;
  }
  const run = runs.at(-1);
  if (!run)
    return `interrupted: flitstack ${command} stopped before it started a run; nothing was written; run it again`;
  const what =
    run.kind === 'rollback' ? `rollback ${run.id} of run ${run.parentRun}` : `${run.kind} ${run.id}`;
  return `interrupted: ${what} is marked interrupted in ${journal} after writing ${rows(loaded(run))} (the rows of its last batch may be in Dataverse without being in the journal); ${nextStep(run)}`;
}

/**
 * Prints what Ctrl-C left while `command` runs, then exits 130. Installed for the commands above only
 * (the others stop at once with nothing to say); returns the function that removes it.
 */
export function onInterrupt(
  command: string,
  journal: () => string | undefined,
  write: (text: string) => void,
): () => void {
  if (!(INTERRUPTIBLE as readonly string[]).includes(command)) return () => undefined;
  const handler = () => {
    write(`\n${interruptedLine(command, journal())}\n`);
    process.exit(INTERRUPTED_EXIT);
  };
  process.once('SIGINT', handler);
  return () => process.removeListener('SIGINT', handler);
}
