import type { RegisterCommand } from './index.ts';
import { formatOption, specOption } from './options.ts';

/** `flitstack validate`: checks the spec and prints every diagnostic. */
export const registerValidate: RegisterCommand = (program, io, exit) => {
  program
    .command('validate')
    .description('Check the spec (YAML, schemas, semantic rules) and list every problem with file:line:col.')
    .addOption(specOption())
    .addOption(formatOption('output format'))
    .addHelpText(
      'after',
      '\nExamples:\n  $ flitstack validate\n  $ flitstack validate --spec ./spec --format json\n\nExit codes: 0 no errors (warnings allowed), 1 errors, 2 usage error.',
    )
    .action(async (options: { spec: string; format: 'text' | 'json' }) => {
      const { validate } = await import('../actions/validate.ts');
      exit(validate(options, io));
    });
};
