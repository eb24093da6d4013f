import type { RegisterCommand } from './index.ts';
import { formatOption, specOption } from './options.ts';

/** `flitstack schema verify|apply`: compares the organisation with the schema plan, or creates what is missing. */
export const registerSchema: RegisterCommand = (program, io, exit) => {
  const schema = program
    .command('schema')
    .description('Check or create the Dataverse schema the plan needs (generated/schema-plan.json).');
  schema
    .command('verify')
    .description(
      'List every custom table, column, choice option, alternate key and connection role of the plan that the organisation lacks or has otherwise (a choice option of the planned value with another label included), and every column the transformer writes that does not exist.',
    )
    .addOption(specOption())
    .addOption(formatOption('output format'))
    .addHelpText(
      'after',
      '\nNeeds DATAVERSE_URL, AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET (and AZURE_AUTHORITY_HOST for the sandbox).\n\nExamples:\n  $ flitstack schema verify\n\nExit codes: 0 nothing missing, 1 something missing or different (or generated/ stale: run flitstack compile), 2 usage or environment error.',
    )
    .action(async (options: { spec: string; format: 'text' | 'json' }) => {
      const { verify } = await import('../actions/schema.ts');
      exit(await verify(options, io));
    });
  schema
    .command('apply')
    .description(
      "Create the missing custom tables, columns, alternate keys and connection roles through the metadata API, add the choice options the spec gained to existing choice and multi-select columns, change what it can of existing columns (a longer length, a wider range, the required level, a text column's format, a choice option's label), then wait for the keys to become Active, building again a key that failed to build (Active once the rows sharing its values are gone). Safe to repeat.",
    )
    .addOption(specOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ flitstack schema apply\n\nExit codes: 0 the schema matches the plan, 1 something could not be created or a key is still building (listed), 2 usage or environment error.',
    )
    .action(async (options: { spec: string }) => {
      const { apply } = await import('../actions/schema.ts');
      exit(await apply(options, io));
    });
};
