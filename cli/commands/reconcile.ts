import { Option } from 'commander';
import type { RegisterCommand } from './index.ts';
import { formatOption, journalOption, rateOption, specOption } from './options.ts';

/** The options commander parses for `reconcile`. */
export interface ReconcileCliOptions {
  readonly spec: string;
  readonly journal: string;
  readonly run?: string;
  readonly out: string;
  readonly checksums?: 'all' | 'sample';
  readonly rollbackOnFail?: boolean;
  readonly format: 'text' | 'json';
  readonly rate?: string;
}

/** `flitstack reconcile`: counts and field checksums of a run against the source, within the tolerance. */
export const registerReconcile: RegisterCommand = (program, io, exit) => {
  program
    .command('reconcile')
    .description(
      "Check a run against both systems: per mapping, PracticeHub's count against the run's accounting and the rows the crosswalk holds against Dataverse, rows in Dataverse the crosswalk does not hold (every row of a table the spec creates, and rows with a mapping's key prefix on a shared table), and field checksums of every row (or a sample) against what the spec makes of the current source, with the state of rows whose mapping sets none (active while PracticeHub lists their record). Fails beyond the spec's reconcile.tolerance, or on any extra row, naming each differing record and field and each extra row by key and id. Writes reconcile.md and reconcile.json.",
    )
    .addOption(specOption())
    .addOption(journalOption())
    .option('--run <id>', 'the run to reconcile (default: the latest completed run)')
    .option('--out <dir>', 'where reconcile.md and reconcile.json are written', '.flitstack/reconcile')
    .addOption(
      new Option(
        '--checksums <which>',
        "every record, or a block of pages per resource (default: the spec's reconcile.checksums)",
      ).choices(['all', 'sample']),
    )
    .option(
      '--rollback-on-fail',
      'roll the run back when rows are missing, or fields differ that PracticeHub did not change since, beyond the tolerance',
    )
    .addOption(rateOption())
    .addOption(formatOption('stdout format'))
    .addHelpText(
      'after',
      [
        '',
        'Needs the same environment as `flitstack run`. Reads both systems; writes nothing to them unless',
        '--rollback-on-fail rolls the run back. The reports name records, rows and fields, never values.',
        '',
        'Examples:',
        '  $ flitstack reconcile',
        '  $ flitstack reconcile --run 3 --checksums sample --format json',
        '',
        'Exit codes: 0 within the tolerance, 1 beyond it, on an extra row (or no completed run), 2 usage or environment error.',
      ].join('\n'),
    )
    .action(async (options: ReconcileCliOptions) => {
      const { reconcileCommand } = await import('../actions/reconcile.ts');
      exit(await reconcileCommand(options, io));
    });
};
