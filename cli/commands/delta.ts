import type { RegisterCommand } from './index.ts';
import { archiveDirOption, formatOption, journalOption, rateOption, specOption } from './options.ts';

/** `flitstack delta`: picks up what changed since the last delta, or the first run. */
export const registerDelta: RegisterCommand = (program, io, exit) => {
  program
    .command('delta')
    .description(
      "Pick up records created, changed or deleted in PracticeHub since the watermark of the last delta, or of the first run when no delta stands (a full run's whole read lists no deletion, so it leaves the watermark where it was), less an overlap window, upsert them and apply deletions per the spec's policies.deleted_records; journaled like a run. A delta with no change writes nothing.",
    )
    .addOption(specOption())
    .addOption(journalOption())
    .option(
      '--overlap <duration>',
      'read back this far before the watermark, for clock skew (90s, 10m, 2h, 1d); a number without a unit is seconds (90 is 90s)',
      '10m',
    )
    .option('--resume', 'continue an interrupted delta of this spec (the default)', true)
    .option('--no-resume', 'start a new delta even if one was interrupted')
    .addOption(archiveDirOption())
    .addOption(rateOption())
    .addOption(formatOption('final summary format'))
    .addHelpText(
      'after',
      '\nNeeds the same environment as `flitstack run`.\n\nExamples:\n  $ flitstack delta\n  $ flitstack delta --overlap 30m --format json\n\nDeleted records are picked up where PracticeHub reports them (records listed with deleted_at); a\ndeactivated or deleted row keeps its pre-image in the journal, so `flitstack rollback` restores it.\n\nBesides the records that changed, a delta reads again, one request each, a record rejected for a\nrequired lookup or loaded with a lookup left empty once the row that lookup names has been loaded, and\na record whose row Dataverse wrote but whose state (statecode, statuscode) it refused, to set the state.\n\nExit codes: 0 ok, 1 records rejected or no completed run to start from, 2 usage or environment error, 130 interrupted (Ctrl-C: the line printed says what is left and what to do).',
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
