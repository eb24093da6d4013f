import type { RegisterCommand } from './index.ts';
import { archiveDirOption, formatOption, journalOption, rateOption, specOption } from './options.ts';

/** `flitstack run`: the migration, resumable. */
export const registerRun: RegisterCommand = (program, io, exit) => {
  program
    .command('run')
    .description(
      'Run the migration: extract from PracticeHub, transform with generated/transformer.ts, load into Dataverse, journal every operation. Continues an interrupted run of the same spec.',
    )
    .addOption(specOption())
    .addOption(journalOption())
    .option('--resume', 'continue the interrupted run of this spec (the default)', true)
    .option('--no-resume', 'start a new run even if one was interrupted')
    .addOption(archiveDirOption())
    .addOption(rateOption())
    .addOption(formatOption('final summary format'))
    .addHelpText(
      'after',
      '\nNeeds PRACTICEHUB_API_KEY (and PRACTICEHUB_BASE_URL for the sandbox), DATAVERSE_URL, AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET (and AZURE_AUTHORITY_HOST).\n\nExamples:\n  $ flitstack run\n  $ flitstack run --format json > summary.json\n\nExit codes: 0 every record loaded or skipped with a reason, 1 records rejected (or the run refused to start), 2 usage or environment error, 130 interrupted (Ctrl-C: the line printed says what is left and what to do).',
    )
    .action(
      async (options: {
        spec: string;
        journal: string;
        resume: boolean;
        format: 'text' | 'json';
        rate?: string;
        archiveDir?: string;
      }) => {
        const { runCommand } = await import('../actions/run.ts');
        exit(await runCommand(options, io));
      },
    );
};
