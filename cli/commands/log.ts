import { Option } from 'commander';
import type { RegisterCommand } from './index.ts';
import { journalOption } from './options.ts';

/** `flitstack log`: the audit log of a run, streamed from the journal. */
export const registerLog: RegisterCommand = (program, io, exit) => {
  program
    .command('log')
    .description(
      "The audit log of a run: every row operation (create, update, unchanged, skip, reject, delete, restore, deactivate, bind) with its source id, row key, table, Dataverse id, reason, Dataverse's error and flags, in load order.",
    )
    .requiredOption('--run <id>', 'the run (see `flitstack runs`)')
    .addOption(journalOption())
    .addOption(
      new Option(
        '--format <format>',
        "log format; in CSV a text cell starting with = + - @, a tab or a carriage return gets a leading ' so that a spreadsheet does not run it as a formula (JSON keeps every value as it is)",
      )
        .choices(['csv', 'json'])
        .default('csv'),
    )
    .option('--out <file>', 'write the log to a file (created 0600) instead of standard output')
    .option('--action <actions>', 'only these actions, comma-separated (e.g. reject,skip)')
    .option(
      '--with-pre-images',
      "add each operation's pre-image: the values a write overwrote or a deletion removed, which are patient data",
    )
    .addHelpText(
      'after',
      "\nWithout --with-pre-images the log holds ids, row keys, actions, reasons, flags and Dataverse's error messages, and no column values of the rows (where Dataverse's message repeats a value of the row, whole or a part of 16 characters or more, or of 8 or more making half of the value, <value> stands in its place). Pre-images hold patient data values: add them only where such data may be kept. The log never holds secrets.\n\nExamples:\n  $ flitstack log --run 3 --out run-3.csv\n  $ flitstack log --run 3 --action reject --format json\n\nExit codes: 0 written, 2 usage error, no journal or no such run.",
    )
    .action(
      async (options: {
        run: string;
        journal: string;
        format: 'csv' | 'json';
        out?: string;
        action?: string;
        withPreImages?: boolean;
      }) => {
        const { logCommand } = await import('../actions/log.ts');
        exit(await logCommand(options, io));
      },
    );
};
