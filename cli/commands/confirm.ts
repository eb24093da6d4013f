import type { RegisterCommand } from './index.ts';
import { formatOption, specOption } from './options.ts';

/** `flitstack confirm`: locks the reviewed spec and its generated files. */
export const registerConfirm: RegisterCommand = (program, io, exit) => {
  program
    .command('confirm')
    .description(
      'Lock the reviewed spec: refuses while proposed lines remain, the spec has errors, or generated/ is stale or holds a file compile does not write; otherwise writes spec/flitstack.lock.',
    )
    .addOption(specOption())
    .option('--generated <dir>', 'the generated/ directory compile writes', 'generated')
    .addOption(formatOption('output format'))
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ flitstack compile && flitstack confirm',
        '',
        'The runtime refuses to move records unless the spec and generated/ are exactly what was confirmed.',
        'A lock that already confirms them is left as it is, date included, so confirming again changes no file.',
        '',
        'Exit codes: 0 confirmed, 1 refused (proposed lines, errors, stale generated files, a file in generated/ compile does not write), 2 usage error.',
      ].join('\n'),
    )
    .action(async (options: ConfirmCliOptions) => {
      const { confirm } = await import('../actions/confirm.ts');
      exit(confirm(options, io));
    });
};

/** The options commander parses for `confirm`. */
export interface ConfirmCliOptions {
  readonly spec: string;
  readonly generated: string;
  readonly format: 'text' | 'json';
}
