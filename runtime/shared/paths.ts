import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * The file that stops `path` from being a directory or from being created: `path` itself or its
 * nearest existing ancestor, when that is not a directory. Undefined when nothing is in the way.
 */
export function fileInTheWay(path: string): string | undefined {
  for (let at = resolve(path); ; at = dirname(at)) {
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(at, { throwIfNoEntry: false });
    } catch {
      // ENOTDIR: a component above is a file; keep walking up to name it.
      stat = undefined;
    }
    if (stat) return stat.isDirectory() ? undefined : at;
    if (dirname(at) === at) return undefined;
  }
}

/**
 * Why a file-system call about `path` failed, in words a person acts on (Node's messages name the
 * syscall and the errno, not which part of the path is wrong).
 */
export function fsReason(error: unknown, path: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOTDIR':
    case 'EEXIST': {
      const file = fileInTheWay(path);
      if (file) return `${file} is a file, not a directory`;
      break;
    }
    case 'EISDIR':
      return `${path} is a directory`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${(error as NodeJS.ErrnoException).path ?? path})`;
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOENT': {
      const why = missingOrReadOnly(path);
      if (why) return why;
      break;
    }
    case 'ENOSPC':
      return 'the disk is full';
  }
  return (error as Error).message;
}

/** Whether `path` is on a file system mounted read-only. */
export function onReadOnlyFileSystem(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EROFS';
  }
}

/** The directories of `path` that do not exist, outermost first, and the nearest one that does. */
export function missingLevels(path: string): { missing: string[]; existing: string } {
  const missing: string[] = [];
  let at = resolve(path);
  while (!existsSync(at) && dirname(at) !== at) {
    missing.unshift(at);
    at = dirname(at);
  }
  return { missing, existing: at };
}

/**
 * Why `path` could not be created when a call answered ENOENT: the first missing directory on the way,
 * or a read-only file system under it (recursive mkdir answers ENOENT there). Undefined when neither.
 */
function missingOrReadOnly(path: string): string | undefined {
  const { missing, existing } = missingLevels(path);
  if (onReadOnlyFileSystem(existing)) return 'the file system is read-only';
  const first = missing[0];
  return first === undefined || first === resolve(path) ? undefined : `${first} does not exist`;
}

/**
 * Creates a directory and the missing ones above it, one level at a time from the nearest existing
 * ancestor (what `mkdirSync(dir, { recursive: true })` does, except that Node 20's recursive mkdir
 * never returns under /proc, where any path can be named but none created). Throws as mkdirSync does;
 * a level another process created meanwhile is taken as it is.
 */
export function makeDirectory(dir: string, mode?: number): void {
  const { missing } = missingLevels(dir);
  // A file in the way makes mkdirSync throw EEXIST or ENOTDIR, as the recursive form does.
  if (missing.length === 0 && !statSync(dir).isDirectory()) mkdirSync(dir);
  for (const level of missing) {
    try {
      mkdirSync(level, mode === undefined ? {} : { mode });
    } catch (error) {
      const raced = (error as NodeJS.ErrnoException).code === 'EEXIST' && statSync(level).isDirectory();
      if (!raced) throw error;
    }
  }
}
