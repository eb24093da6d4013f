import type { RegisterCommand } from './index.ts';
import { formatOption, journalOption } from './options.ts';

/** `flitstack rollback`: undoes a run in Dataverse, journaled and resumable. */
export const registerRollback: RegisterCommand = (program, io, exit) => {
  program
    .command('rollback')
    .description(
      'Undo a run in Dataverse: delete the rows it created (children first), restore the pre-images of the rows it updated, reactivate or recreate what a delta deactivated or deleted. Journaled as a run of its own; run it again to continue after an interruption.',
    )
    .requiredOption('--run <id>', 'the run to roll back (see `flitstack runs`)')
    .addOption(journalOption())
    .option('--batch-size <n>', "requests per $batch (default: the spec's batch_size, at most 1000)")
    .option(
      '--force',
      'roll back an interrupted run without resuming it first: what the journal holds, and the writes whose answer never came (from the images staged before them)',
    )
    .option(
      '--discard-changes',
      "also delete or restore the rows changed in Dataverse after the run wrote them (by a user, a flow), discarding those changes, and delete the rows that records created or changed in Dataverse since the run point to (Dataverse then deletes those records or empties their lookup, by the relationship's delete rule)",
    )
    .addOption(formatOption('final summary format'))
    .addHelpText(
      'after',
      "\nNeeds DATAVERSE_URL, AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET (and AZURE_AUTHORITY_HOST), and generated/ in the working directory.\n\nLater runs that built on the run (every later run or delta, a later sample that wrote rows) must be rolled back first, newest first.\n\nA row changed in Dataverse after the run wrote it (its modifiedon is later) is neither deleted nor restored: the rollback lists it (and the rows of the run it points to, which it leaves too), undoes the rest and ends failed (exit 1); check the change, then run the rollback again, with --discard-changes to undo such rows too.\n\nBefore deleting, the rollback also looks for records flitstack did not write, created or changed in Dataverse since the run (a task, a note, an opportunity, a contact at a migrated account), whose lookup points to a row it would delete, through each relationship of the row's table (one query per lookup column, paged): deleting the row would delete that record (Cascade) or empty its lookup (RemoveLink). Such a row is left, listed with the record's table, id and relationship, with the rows of the run it points to; a table the application user cannot read is named with the privilege it lacks, and the rows its lookups could take are left too (exit 1). --discard-changes deletes them anyway.\n\nExamples:\n  $ flitstack runs\n  $ flitstack rollback --run 3\n  $ flitstack rollback --run 3 --format json > rollback.json\n  $ flitstack rollback --run 3 --discard-changes\n\nExit codes: 0 rolled back (or already rolled back), 1 refused (the error says why) or some rows could not be deleted or restored or were left as changed since the run (`flitstack log` lists them), 2 usage or environment error (a run the journal does not hold, one still running, or a rollback or schema setup, which is not rolled back), 130 interrupted (Ctrl-C: the line printed says what is left and what to do).",
    )
    .action(
      async (options: {
        run: string;
        journal: string;
        batchSize?: string;
        force?: boolean;
        discardChanges?: boolean;
        format: 'text' | 'json';
      }) => {
        const { rollbackCommand } = await import('../actions/rollback.ts');
        exit(await rollbackCommand(options, io));
      },
    );
};
