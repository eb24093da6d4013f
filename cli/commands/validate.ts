import { join } from 'node:path';
import { Option } from 'commander';
import { hasErrors } from '../../compiler/diagnostics/diagnostic.ts';
import { formatJson, formatText } from '../../compiler/diagnostics/format.ts';
import { validateSpec } from '../../compiler/validate/index.ts';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import { readSpecDir, sourceLookup } from '../spec-files.ts';
import { diskCachedParser } from '../yaml-cache.ts';
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
    .action((options: { spec: string; format: 'text' | 'json' }) => {
      const input = readSpecDir(options.spec, io.cwd);
      const parseFile = diskCachedParser(join(io.cwd, '.flitstack', 'cache', 'yaml'));
      const { diagnostics } = validateSpec(input, createSchemaValidators(), { parseFile });
      if (options.format === 'json') io.out(formatJson(diagnostics));
      else io.out(formatText(diagnostics, sourceLookup(input)));
      exit(hasErrors(diagnostics) ? 1 : 0);
    });
};
