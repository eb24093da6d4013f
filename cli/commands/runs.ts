import type { RegisterCommand } from './index.ts';
import { formatOption, journalOption } from './options.ts';

/** `flitstack runs`: every run in the journal with its accounting. */
export const registerRuns: RegisterCommand = (program, io, exit) => {
  program
    .command('runs')
    .description(
      'List every run in the journal: kind, status, start and end, parent run, spec hash, and its accounting (extracted, loaded, rejected, skipped), summed over its mappings; with --run, one run and the accounting of each mapping.',
    )
    .addOption(journalOption())
    .option('--run <id>', 'only this run, with the accounting of each of its mappings')
    .addOption(formatOption('output format'))
    .addHelpText(
      'after',
      '\nFor a rollback, extracted counts the rows to undo, loaded those undone, rejected those that failed, skipped those with nothing to restore.\n\nExamples:\n  $ flitstack runs\n  $ flitstack runs --run 2\n  $ flitstack runs --format json\n\nExit codes: 0 listed, 1 a mapping of the --run whose accounting does not balance (extracted ≠ loaded + rejected + skipped), 2 usage error, no journal or no such run.',
    )
    .action(async (options: { journal: string; format: 'text' | 'json'; run?: string }) => {
      const { runsCommand } = await import('../actions/runs.ts');
      exit(await runsCommand(options, io));
    });
};
