import type { RegisterCommand } from './index.ts';
import { formatOption, specOption } from './options.ts';

/** `flitstack propose`: drafts mappings for what the spec does not map yet. */
export const registerPropose: RegisterCommand = (program, io, exit) => {
  program
    .command('propose')
    .description(
      'Draft mapping lines for unmapped fields and mapping files for unmapped resources, from the audit and the target snapshot; every draft is marked proposed: for review.',
    )
    .addOption(specOption())
    .option(
      '--audit <file>',
      'audit report to size columns from (default: .flitstack/audit/audit.json when it exists)',
    )
    .option('--only <resources>', 'only draft for these resources (comma-separated)')
    .option('--dry-run', 'write nothing; list what would be drafted')
    .addOption(formatOption('output format'))
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ flitstack audit && flitstack propose',
        '  $ flitstack propose --only patients,appointments --dry-run',
        '',
        'Review each draft: keep it by deleting its proposed: block (or change it), or delete it and list what it read under left_out in migration.yaml, with why, so that propose does not draft it again.',
        '`flitstack confirm` refuses while proposed lines remain.',
        '',
        'Exit codes: 0 drafted (or nothing to draft), 1 the spec has errors, 2 usage error.',
      ].join('\n'),
    )
    .action(async (options: ProposeCliOptions) => {
      const { proposeCommand } = await import('../actions/propose.ts');
      exit(proposeCommand(options, io));
    });
};

/** The options commander parses for `propose`. */
export interface ProposeCliOptions {
  readonly spec: string;
  readonly audit?: string;
  readonly only?: string;
  readonly dryRun?: boolean;
  readonly format: 'text' | 'json';
}
