import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { compileSpec } from '../../compiler/compile.ts';
import { formatText } from '../../compiler/diagnostics/format.ts';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import { buildLock, LOCK_FILE, lockText, parseLock, readGenerated } from '../../runtime/confirm/index.ts';
import type { ConfirmCliOptions } from '../commands/confirm.ts';
import type { CliIo } from '../io.ts';
import { generatedSpecDir, readSpecDir, sourceLookup } from '../spec-files.ts';

/** Confirms the spec: refuses with the reasons, or writes the lock; returns the exit code. */
export function confirm(options: ConfirmCliOptions, io: CliIo): number {
  const input = readSpecDir(options.spec, io.cwd);
  const specDir = isAbsolute(options.spec) ? options.spec : resolve(io.cwd, options.spec);
  const generatedDir = isAbsolute(options.generated) ? options.generated : resolve(io.cwd, options.generated);
  // Compiled as `compile --out <the directory holding generated/>` writes it.
  const result = compileSpec(input, createSchemaValidators(), {
    specDir: generatedSpecDir(specDir, io.cwd, dirname(generatedDir)),
  });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  const proposed = result.diagnostics.filter((d) => d.code === 'FS140');
  const refusals: string[] = [];
  if (errors.length > 0 || proposed.length > 0) {
    io.err(formatText([...errors, ...proposed], sourceLookup(input)));
    if (errors.length > 0)
      refusals.push(`${errors.length} error${errors.length === 1 ? '' : 's'} in the spec`);
    if (proposed.length > 0)
      refusals.push(`${proposed.length} proposed line${proposed.length === 1 ? '' : 's'} not reviewed`);
  } else {
    const stale = result.files.filter((f) => {
      const path = join(generatedDir, f.path.replace(/^generated\//, ''));
      return !existsSync(path) || readFileSync(path, 'utf8') !== f.contents;
    });
    for (const f of stale) io.err(`stale: ${f.path}\n`);
    if (stale.length > 0) refusals.push('generated/ is stale: run flitstack compile');
    // The runtime checks every file of generated/ against the lock, so one compile does not write
    // (a .gitkeep, an editor's backup) would make every run refuse a spec confirm had locked.
    const written = new Set(result.files.map((f) => f.path));
    const extra = [...readGenerated(generatedDir).keys()].filter((p) => !written.has(p)).sort();
    for (const path of extra) io.err(`not written by compile: ${path}\n`);
    if (extra.length > 0)
      refusals.push(
        `generated/ holds ${extra.length === 1 ? 'a file' : `${extra.length} files`} flitstack compile does not write: delete ${extra.length === 1 ? 'it' : 'them'}`,
      );
  }
  if (refusals.length > 0) {
    io.err(`confirm: refused (${refusals.join('; ')}); nothing written\n`);
    if (options.format === 'json') io.out(`${JSON.stringify({ confirmed: false, refusals }, null, 2)}\n`);
    return 1;
  }
  const generated = new Map(result.files.map((f) => [f.path, f.contents]));
  const built = buildLock(input.files, generated, new Date());
  // Confirming what is already locked keeps the lock as it is: a new date alone would be a change to
  // commit, and one that conflicts with every other branch that confirmed the same spec.
  const lockPath = join(specDir, LOCK_FILE);
  const before = existsSync(lockPath) ? parseLock(readFileSync(lockPath, 'utf8')) : undefined;
  const same =
    before !== undefined &&
    before.spec_hash === built.spec_hash &&
    before.generated_hash === built.generated_hash &&
    lockText({ ...before, confirmed_at: built.confirmed_at }) === lockText(built);
  const lock = same ? before : built;
  if (!same) writeFileSync(lockPath, lockText(lock));
  const mappings = [...input.files.keys()].filter((p) => p.startsWith('objects/')).length;
  const maps = [...input.files.keys()].filter((p) => p.startsWith('valuemaps/')).length;
  if (options.format === 'json') io.out(`${JSON.stringify({ confirmed: true, lock }, null, 2)}\n`);
  else
    io.out(
      [
        `confirmed ${input.files.size} spec files (${mappings} mappings, ${maps} value maps) and ${generated.size} generated files`,
        `spec sha256 ${lock.spec_hash}`,
        `generated sha256 ${lock.generated_hash}`,
        same
          ? `${input.root}/${LOCK_FILE} already confirms them (since ${lock.confirmed_at}): left as it is`
          : `wrote ${input.root}/${LOCK_FILE}`,
        '',
      ].join('\n'),
    );
  return 0;
}
