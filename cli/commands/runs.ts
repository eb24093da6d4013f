import type { RegisterCommand } from './index.ts';
import { formatOption, journalOption } from './options.ts';

/** `flitstack runs`: every run in the journal with its accounting. */
export const registerRuns: RegisterCommand = (program, io, exit) => {
  program
    .command('runs')
    .description(
      'List every run in the journal: kind, status, start and end, parent run, spec hash, and its accounting (extracted, loaded, rejected, skipped).',
    )
    .addOption(journalOption())
    .addOption(formatOption('output format'))
    .addHelpText(
      'after',
      '\nFor a rollback, extracted counts the rows to undo, loaded those undone, rejected those that failed.\n\nExamples:\n  $ flitstack runs\n  $ flitstack runs --format json\n\nExit codes: 0 listed, 2 usage error or no journal.',
    )
    .action(async (options: { journal: string; format: 'text' | 'json' }) => {
      const { runsCommand } = await import('../actions/runs.ts');
      exit(await runsCommand(options, io));
    });
};
