import { Option } from 'commander';
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
    .addOption(
      new Option(
        '--rewrite [rows]',
        'write again rows whose record is unchanged: those the last reconcile reported missing or differing (reported), or every row (all); starts a new run',
      )
        .choices(['reported', 'all'])
        .preset('reported'),
    )
    .option(
      '--reconciled <file>',
      'the reconcile report --rewrite reported reads',
      '.flitstack/reconcile/reconcile.json',
    )
    .addOption(archiveDirOption())
    .addOption(rateOption())
    .addOption(formatOption('final summary format'))
    .addHelpText(
      'after',
      '\nNeeds PRACTICEHUB_API_KEY (and PRACTICEHUB_BASE_URL for the sandbox), DATAVERSE_URL, AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET (and AZURE_AUTHORITY_HOST).\n\nExamples:\n  $ flitstack run\n  $ flitstack run --format json > summary.json\n  $ flitstack reconcile || flitstack run --rewrite   # write again what reconcile found\n\nA run leaves alone a row whose record is unchanged since it wrote it, even one deleted in Dataverse\nsince or whose fields someone changed there (reconcile reports it: missing, or mismatch naming the\nfield). --rewrite writes such rows again: those the last reconcile of this journal reported\n(reconcile.json, see --reconciled), or with --rewrite all every row (one write each; a row deactivated\nin Dataverse is set active again, as from the report, which names its statecode). A row found gone\nis created again under its id and journaled as created, a changed row as updated with the values it\nheld as its pre-image, so `flitstack rollback` of that run deletes the one again and puts back what\nthe other held.\n\nExit codes: 0 every record loaded or skipped with a reason, 1 records rejected (or the run refused to start), 2 usage or environment error, 130 interrupted (Ctrl-C: the line printed says what is left and what to do).',
    )
    .action(
      async (options: {
        spec: string;
        journal: string;
        resume: boolean;
        format: 'text' | 'json';
        rate?: string;
        archiveDir?: string;
        rewrite?: 'reported' | 'all';
        reconciled: string;
      }) => {
        const { runCommand } = await import('../actions/run.ts');
        exit(await runCommand(options, io));
      },
    );
};
