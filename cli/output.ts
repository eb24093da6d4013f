import { accessSync, constants, rmdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileInTheWay, fsReason, makeDirectory, missingLevels } from '../runtime/shared/paths.ts';
import { UsageError } from './errors.ts';

/**
 * The directory an option such as `--out` names, created now and checked to take `files` (paths
 * relative to it), so that a path that cannot hold them fails before the command's work (a reconcile
 * or an audit takes minutes) instead of after it. Like `log --out`, which opens its file first. A
 * problem is a usage error naming the option, the path and why (exit 2). Returns the absolute path.
 */
export function outputDirectory(
  option: string,
  value: string,
  cwd: string,
  files: readonly string[],
  mode?: number,
): string {
  const dir = resolve(cwd, value);
  const refuse = (why: string) =>
    new UsageError(`${option} ${value}: ${why}; pass a directory this user can write (created if missing)`);
  try {
    makeDirectory(dir, mode);
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw refuse(fsReason(error, dir));
  }
  for (const file of files) {
    const path = join(dir, file);
    const blocking = fileInTheWay(dirname(path));
    if (blocking) throw refuse(`${blocking} is a file, not a directory`);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat?.isDirectory()) throw refuse(`${path} is a directory, not a file`);
    if (stat && !writable(path)) throw refuse(`${path} is not writable by this user`);
  }
  return dir;
}

/**
 * An output directory checked as `outputDirectory` checks it, before the command's work, but made only
 * by `make()` when the command writes its reports: the levels the check made are removed again, so a
 * command that stops before (a spec that is not one, a missing variable, an unreachable service)
 * leaves no empty folder behind.
 */
export function laterOutputDirectory(
  option: string,
  value: string,
  cwd: string,
  files: readonly string[],
  mode?: number,
): { readonly dir: string; make(): string } {
  const { missing } = missingLevels(resolve(cwd, value));
  try {
    outputDirectory(option, value, cwd, files, mode);
  } finally {
    for (const level of missing.reverse()) {
      try {
        rmdirSync(level);
      } catch {
        // Not made, or no longer empty: left as it is.
      }
    }
  }
  return { dir: resolve(cwd, value), make: () => outputDirectory(option, value, cwd, files, mode) };
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
