import type { RegisterCommand } from './index.ts';
import { formatOption, rateOption, specOption } from './options.ts';

/** `flitstack audit`: inventory of the PracticeHub account, model diff and run estimate. */
export const registerAudit: RegisterCommand = (program, io, exit) => {
  program
    .command('audit')
    .description(
      'Inventory the PracticeHub account (counts, fields, types, fill rates, PHI, files), compare it with the source model, and estimate the requests and time of a full run.',
    )
    .addOption(specOption())
    .option('--out <dir>', 'where audit.md and audit.json are written', '.flitstack/audit')
    .option(
      '--sample-pages <n>',
      'pages sampled per resource, spread from the first to the last (0: counts only)',
      '2',
    )
    .addOption(rateOption())
    .option('--target', 'also read the Dataverse organisation and rewrite the target snapshot')
    .option('--write-model', 'rewrite the source model with what the audit saw (adds, never deletes)')
    .addOption(formatOption('stdout format'))
    .addHelpText(
      'after',
      [
        '',
        'Environment: PRACTICEHUB_API_KEY, PRACTICEHUB_BASE_URL (optional, may hold {region} and {account}),',
        'PRACTICEHUB_CONTACT_EMAIL (optional; default owners.fallback: sent in x-app-details);',
        'with --target also DATAVERSE_URL, AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_AUTHORITY_HOST.',
        '',
        'Examples:',
        '  $ flitstack audit',
        '  $ flitstack audit --sample-pages 5 --write-model',
        '  $ flitstack audit --target --format json > audit.json',
        '',
        'Exit codes: 0 ok, 1 the live source differs from the model (and --write-model was not given), or',
        '--write-model left out a field or resource named outside the model language (each is named on stderr),',
        '2 usage or environment error (PracticeHub or Dataverse unreachable or refusing a request, --out not',
        'writable, a rewritten spec file its schema refuses: then no spec file is written).',
      ].join('\n'),
    )
    .action(async (options: AuditCliOptions) => {
      const { audit } = await import('../actions/audit.ts');
      exit(await audit(options, io));
    });
};

/** The options commander parses for `audit`. */
export interface AuditCliOptions {
  readonly spec: string;
  readonly out: string;
  readonly samplePages: string;
  readonly rate?: string;
  readonly target?: boolean;
  readonly writeModel?: boolean;
  readonly format: 'text' | 'json';
}
