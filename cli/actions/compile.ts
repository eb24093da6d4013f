import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { compileSpec } from '../../compiler/compile.ts';
import { hasErrors } from '../../compiler/diagnostics/diagnostic.ts';
import { formatText } from '../../compiler/diagnostics/format.ts';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import { makeDirectory } from '../../runtime/shared/paths.ts';
import { BUILD_ID } from '../build-id.ts';
import type { CliIo } from '../io.ts';
import { outputDirectory } from '../output.ts';
import { generatedSpecDir, readSpecDir, sourceLookup } from '../spec-files.ts';
import { diskCachedParser } from '../yaml-cache.ts';

/** Compiles the spec and writes generated/ (or, with check, only compares); returns the exit code. */
export function compile(options: { spec: string; out: string; check?: boolean }, io: CliIo): number {
  const input = readSpecDir(options.spec, io.cwd);
  const result = compileSpec(input, createSchemaValidators(), {
    specDir: generatedSpecDir(options.spec, io.cwd, options.out),
    // --check writes nothing, not even the parse cache (CI runs it on a clean checkout).
    parseFile: diskCachedParser(
      join(io.cwd, '.flitstack', 'cache', 'yaml'),
      BUILD_ID,
      options.check ? 'read-only' : 'read-write',
    ),
  });
  if (hasErrors(result.diagnostics)) {
    io.err(formatText(result.diagnostics, sourceLookup(input)));
    io.err('compile: nothing written\n');
    return 1;
  }
  // Checked before the first write, so generated/ is never left half written.
  const out = options.check
    ? resolve(io.cwd, options.out)
    : outputDirectory(
        '--out',
        options.out,
        io.cwd,
        result.files.map((f) => f.path),
      );
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
    return stale.length === 0 ? 0 : 1;
  }
  for (const f of result.files) {
    const path = join(out, f.path);
    makeDirectory(dirname(path));
    if (stale.includes(f)) writeFileSync(path, f.contents);
    io.out(`${stale.includes(f) ? 'wrote' : 'unchanged'} ${f.path}\n`);
  }
  const warnings = result.diagnostics.filter((d) => d.severity === 'warning').length;
  if (warnings > 0) io.err(formatText(result.diagnostics, sourceLookup(input)));
  return 0;
}
