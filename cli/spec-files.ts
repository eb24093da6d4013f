import { existsSync, lstatSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { SpecInput } from '../compiler/load/spec-dir.ts';
import { readSpecFiles, SpecReadError } from '../runtime/confirm/index.ts';
import { UsageError } from './errors.ts';

/** Reads every YAML file under a spec directory into memory (the compiler never touches the disk). */
export function readSpecDir(dir: string, cwd: string): SpecInput {
  const absolute = isAbsolute(dir) ? dir : resolve(cwd, dir);
  const stat = statSync(absolute, { throwIfNoEntry: false });
  if (stat && !stat.isDirectory())
    throw new UsageError(
      `spec directory '${dir}' is a file (${absolute}); pass --spec <dir>, the directory holding migration.yaml`,
    );
  if (!stat)
    throw new UsageError(`spec directory '${dir}' not found (looked in ${absolute}); pass --spec <dir>`);
  // A folder that is not a spec (the project folder, spec/objects) is not read: every YAML file in it
  // would be reported as not part of the spec. A migration.yaml behind a broken link is read, as FS007.
  if (!holds(absolute, 'migration.yaml')) {
    const near = [join(absolute, 'spec'), dirname(absolute)].find((d) =>
      existsSync(join(d, 'migration.yaml')),
    );
    throw new UsageError(
      `spec directory '${dir}' holds no migration.yaml (looked in ${absolute}); ` +
        (near === undefined
          ? 'pass --spec <dir>, the directory holding migration.yaml (docs/spec.md shows what a new one holds)'
          : `pass --spec ${displayed(near, cwd)}, the directory holding migration.yaml`),
    );
  }
  const root = displayed(absolute, cwd);
  try {
    const { files, problems } = readSpecFiles(absolute, root);
    return { root, files, problems };
  } catch (error) {
    // Permissions or the disk: an environment problem (exit 2), named by the path the user knows.
    if (error instanceof SpecReadError) throw new UsageError(`${error.message}\n  hint: ${error.hint}`);
    throw error;
  }
}

/** Whether `dir` has an entry `name` (a broken link included); one it may not look at is left to the read. */
function holds(dir: string, name: string): boolean {
  try {
    return lstatSync(join(dir, name), { throwIfNoEntry: false }) !== undefined;
  } catch {
    return true;
  }
}

/** A directory as the user would type it: relative to the working directory, or absolute outside it. */
function displayed(absolute: string, cwd: string): string {
  const shown = relative(cwd, absolute).split(sep).join('/');
  return shown === '' ? '.' : shown.startsWith('..') ? absolute : shown;
}

/**
 * The spec directory as generated files name it: relative to `home`, the directory that holds
 * generated/ (compile's --out), with forward slashes. Diagnostics show the spec as seen from the working
 * directory; generated files do not, so the same spec gives the same bytes from any working directory
 * and however --spec is written (`spec`, `./spec/`, an absolute path).
 */
export function generatedSpecDir(spec: string, cwd: string, home: string): string {
  const path = relative(resolve(cwd, home), resolve(cwd, spec)).split(sep).join('/');
  return path === '' ? '.' : path;
}

/** A function giving each diagnostic file's text (for printing source lines). */
export function sourceLookup(input: SpecInput): (file: string) => string | undefined {
  return (file) => input.files.get(file.slice(input.root.length + 1));
}
