import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { compileSpec } from '../../compiler/compile.ts';
import { hasErrors } from '../../compiler/diagnostics/diagnostic.ts';
import { formatText } from '../../compiler/diagnostics/format.ts';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import { readSpecDir, sourceLookup } from '../spec-files.ts';
import { diskCachedParser } from '../yaml-cache.ts';
import type { RegisterCommand } from './index.ts';

/** `flitstack compile`: writes generated/ (transformer and schema plan); `--check` only compares. */
export const registerCompile: RegisterCommand = (program, io, exit) => {
  program
    .command('compile')
    .description(
      'Validate the spec and generate generated/transformer.ts, generated/schema-plan.md and generated/schema-plan.json.',
    )
    .option('--spec <dir>', 'spec directory', 'spec')
    .option('--out <dir>', 'directory that receives generated/ (default: the current directory)', '.')
    .option('--check', 'write nothing; exit 1 and list the files that are stale')
    .addHelpText(
      'after',
      '\nExamples:\n  $ flitstack compile\n  $ flitstack compile --check   # in CI: fails when generated/ is stale\n\nExit codes: 0 ok (or up to date), 1 errors in the spec or stale files, 2 usage error.',
    )
    .action((options: { spec: string; out: string; check?: boolean }) => {
      const input = readSpecDir(options.spec, io.cwd);
      const result = compileSpec(input, createSchemaValidators(), {
        parseFile: diskCachedParser(join(io.cwd, '.flitstack', 'cache', 'yaml')),
      });
      if (hasErrors(result.diagnostics)) {
        io.err(formatText(result.diagnostics, sourceLookup(input)));
        io.err('compile: nothing written\n');
        exit(1);
        return;
      }
      const out = isAbsolute(options.out) ? options.out : resolve(io.cwd, options.out);
      const stale = result.files.filter((f) => {
        const path = join(out, f.path);
        return !existsSync(path) || readFileSync(path, 'utf8') !== f.contents;
      });
      if (options.check) {
        if (stale.length === 0) io.out(`generated/ is up to date (${result.files.length} files)\n`);
        else {
          for (const f of stale) io.err(`stale: ${f.path}\n`);
          io.err('run `npx flitstack compile` and commit the result\n');
        }
        exit(stale.length === 0 ? 0 : 1);
        return;
      }
      for (const f of result.files) {
        const path = join(out, f.path);
        mkdirSync(dirname(path), { recursive: true });
        if (stale.includes(f)) writeFileSync(path, f.contents);
        io.out(`${stale.includes(f) ? 'wrote' : 'unchanged'} ${f.path}\n`);
      }
      const warnings = result.diagnostics.filter((d) => d.severity === 'warning').length;
      if (warnings > 0) io.err(formatText(result.diagnostics, sourceLookup(input)));
      exit(0);
    });
};
