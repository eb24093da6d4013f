import { Option } from 'commander';
import type { RegisterCommand } from './index.ts';
import { specOption } from './options.ts';

/** `flitstack compile`: writes generated/ (transformer and schema plan); `--check` only compares. */
export const registerCompile: RegisterCommand = (program, io, exit) => {
  program
    .command('compile')
    .description(
      'Validate the spec and generate generated/transformer.ts, generated/schema-plan.md and generated/schema-plan.json.',
    )
    .addOption(specOption())
    .addOption(
      new Option('--out <dir>', 'directory that receives generated/').default('.', 'the current directory'),
    )
    .option('--check', 'write nothing; exit 1 and list the files that are stale')
    .addHelpText(
      'after',
      '\nExamples:\n  $ flitstack compile\n  $ flitstack compile --check   # in CI: fails when generated/ is stale\n\nExit codes: 0 ok (or up to date), 1 errors in the spec or stale files, 2 usage error.',
    )
    .action(async (options: { spec: string; out: string; check?: boolean }) => {
      const { compile } = await import('../actions/compile.ts');
      exit(compile(options, io));
    });
};
