import { Option } from 'commander';
import type { DiffOptions } from '../actions/diff.ts';
import type { RegisterCommand } from './index.ts';

/** `flitstack diff`: what a spec change does to the data, for pull-request review. */
export const registerDiff: RegisterCommand = (program, io, exit) => {
  program
    .command('diff')
    .description(
      'Compare two specs (git refs or directories) and show what changes for the data: mappings, transforms, value maps, keys, lookups, custom columns, the schema plan and load order, with risk notes for data already loaded.',
    )
    .requiredOption(
      '--base <ref|dir>',
      'the spec before the change: a git ref (origin/main, HEAD~1) or a directory (a spec directory, or one holding --spec)',
    )
    .option('--head <ref|dir>', "the spec after the change (default: the working tree's --spec directory)")
    .option('--spec <dir>', 'spec directory, and its path inside git refs', 'spec')
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'json']).default('md'))
    .option(
      '--max-bytes <n>',
      'cut the Markdown to at most n bytes, after the last whole section that fits, with a line saying what is left out (a pull-request comment holds 65,536 characters)',
    )
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ flitstack diff --base origin/main                # working tree against the main branch',
        '  $ flitstack diff --base HEAD~1 --head HEAD --format json',
        '  $ flitstack diff --base ../before/spec --head spec',
        '  $ flitstack diff --base origin/main --max-bytes 60000 > comment.md',
        '',
        'A --base or --head that names an existing directory is read as a directory; anything else as a git ref.',
        'Exit codes: 0 no change, 1 changes found, 2 usage error or a spec that does not validate.',
      ].join('\n'),
    )
    .action(async (options: DiffOptions) => {
      const { diff } = await import('../actions/diff.ts');
      exit(await diff(options, io));
    });
};
