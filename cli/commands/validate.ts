import { Option } from 'commander';
import type { RegisterCommand } from './index.ts';

/** `flitstack validate`: checks the spec and prints every diagnostic. */
export const registerValidate: RegisterCommand = (program, io, exit) => {
  program
    .command('validate')
    .description('Check the spec (YAML, schemas, semantic rules) and list every problem with file:line:col.')
    .option('--spec <dir>', 'spec directory', 'spec')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      '\nExamples:\n  $ flitstack validate\n  $ flitstack validate --spec ./spec --format json\n\nExit codes: 0 no errors (warnings allowed), 1 errors, 2 usage error.',
    )
    .action(async (options: { spec: string; format: 'text' | 'json' }) => {
      const { validate } = await import('../actions/validate.ts');
      exit(validate(options, io));
    });
};
