import { Option } from 'commander';
import type { RegisterCommand } from './index.ts';

/** `flitstack delta`: picks up what changed since the last completed run. */
export const registerDelta: RegisterCommand = (program, io, exit) => {
  program
    .command('delta')
    .description(
      "Pick up records created, changed or deleted in PracticeHub since the last completed run's watermark (less an overlap window), upsert them and apply deletions per the spec's policies.deleted_records; journaled like a run. A delta with no change writes nothing.",
    )
    .option('--spec <dir>', 'spec directory', 'spec')
    .option('--journal <file>', 'journal (SQLite) file', '.flitstack/journal.db')
    .option(
      '--overlap <duration>',
      'read back this far before the watermark, for clock skew (90s, 10m, 2h)',
      '10m',
    )
    .option('--resume', 'continue an interrupted delta of this spec (the default)', true)
    .option('--no-resume', 'start a new delta even if one was interrupted')
    .option('--archive-dir <dir>', "where archived files and logs go (default: the spec's archive.dir)")
    .option('--rate <n>', 'PracticeHub requests per second, when it differs from the spec')
    .addOption(
      new Option('--format <format>', 'final summary format').choices(['text', 'json']).default('text'),
    )
    .addHelpText(
      'after',
      '\nNeeds the same environment as `flitstack run`.\n\nExamples:\n  $ flitstack delta\n  $ flitstack delta --overlap 30m --format json\n\nDeleted records are picked up where PracticeHub reports them (records listed with deleted_at); a\ndeactivated or deleted row keeps its pre-image in the journal, so `flitstack rollback` restores it.\n\nExit codes: 0 ok, 1 records rejected or no completed run to start from, 2 usage or environment error.',
    )
    .action(
      async (options: {
        spec: string;
        journal: string;
        overlap: string;
        resume: boolean;
        format: 'text' | 'json';
        rate?: string;
        archiveDir?: string;
      }) => {
        const { deltaCommand } = await import('../actions/delta.ts');
        exit(await deltaCommand(options, io));
      },
    );
};
