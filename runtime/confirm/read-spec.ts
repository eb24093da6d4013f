import { type Dirent, readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { ReadProblem } from '../../compiler/load/spec-dir.ts';
import { byText } from '../shared/order.ts';

/**
 * A spec file or folder the operating system will not let us read (permissions, I/O): a problem of
 * the environment, not of the spec. The message names the file as the caller shows the spec directory.
 */
export class SpecReadError extends Error {
  override name = 'SpecReadError';
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/** What readSpecFiles found: each YAML file's text, and what it could not take as it is. */
export interface SpecRead {
  /** Relative path (with /) → text. A file that is not UTF-8 is here with U+FFFD for its bad bytes. */
  readonly files: Map<string, string>;
  readonly problems: readonly ReadProblem[];
  /** Links (relative paths) whose real path is outside `within` (readSpecFiles' option): not followed. */
  readonly outside: readonly string[];
}

const MAX_DEPTH = 6;
type Kind = 'file' | 'folder' | 'other';
// Keeps a byte order mark in the text, as readFileSync(..., 'utf8') did: lock hashes stay the same.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Every YAML file under a spec directory (what the CLI reads as the spec). Links are followed, to
 * files and folders alike; a link that leads nowhere, or back into a folder it is in, is a problem
 * the validator reports. A file or folder that cannot be read throws SpecReadError, naming it under
 * `shown` (how the caller shows the spec directory).
 */
export function readSpecFiles(
  dir: string,
  shown = dir,
  options: { readonly within?: string } = {},
): SpecRead {
  const files = new Map<string, string>();
  const problems: ReadProblem[] = [];
  const outside: string[] = [];
  const within = options.within;
  const inside = (real: string) =>
    within === undefined || real === within || real.startsWith(within.endsWith(sep) ? within : within + sep);
  const rel = (full: string) => relative(dir, full).split(sep).join('/');
  const list = (at: string): Dirent[] => {
    try {
      return readdirSync(at, { withFileTypes: true }).sort((a, b) => byText(a.name, b.name));
    } catch (error) {
      throw unreadable(error, shown, rel(at), 'folder');
    }
  };
  const read = (full: string): Buffer => {
    try {
      return readFileSync(full);
    } catch (error) {
      throw unreadable(error, shown, rel(full), 'file');
    }
  };
  // Real paths of the folders being walked, to tell a link back into one of them (a loop).
  const walk = (at: string, open: readonly string[], depth: number) => {
    if (depth > MAX_DEPTH) return;
    for (const entry of list(at)) {
      const full = join(at, entry.name);
      const hidden = entry.name.startsWith('.');
      const yaml = /\.ya?ml$/.test(entry.name);
      let kind: Kind = entry.isDirectory() ? 'folder' : entry.isFile() ? 'file' : 'other';
      // A folder that is not a link is where its parent's real path says it is.
      let real = join(open.at(-1) ?? at, entry.name);
      if (entry.isSymbolicLink()) {
        const target = followed(full);
        if (target.error !== undefined) throw unreadable(target.error, shown, rel(full), 'file');
        if (!target.ok) {
          if (yaml || !hidden)
            problems.push({ kind: 'broken-link', path: rel(full), target: target.link, loop: target.loop });
          continue;
        }
        ({ kind, real } = target);
        if (!inside(real)) {
          outside.push(rel(full));
          continue;
        }
        if (kind === 'folder' && !hidden && open.includes(real)) {
          problems.push({ kind: 'looping-link', path: rel(full), target: target.link });
          continue;
        }
      }
      if (kind === 'folder' && !hidden) walk(full, [...open, real], depth + 1);
      if (kind !== 'file' || !yaml) continue;
      const { text, bad } = decoded(read(full));
      files.set(rel(full), text);
      if (bad) problems.push({ kind: 'not-utf8', path: rel(full), ...bad });
    }
  };
  walk(dir, [realpathSync.native(dir)], 0);
  return { files, problems, outside };
}

/** Where a link leads: a file or folder (with its real path), nowhere, or an error other than that. */
function followed(
  full: string,
):
  | { ok: true; kind: Kind; real: string; link: string; error?: undefined }
  | { ok: false; link: string; loop: boolean; error?: unknown } {
  let link = '';
  try {
    link = readlinkSync(full);
    const stats = statSync(full);
    const kind = stats.isDirectory() ? 'folder' : stats.isFile() ? 'file' : 'other';
    // The native call resolves each link before a `..` after it, as the system does (`l/..` is the
    // parent of where l leads); the JavaScript one reads `l/..` as text.
    return { ok: true, kind, real: realpathSync.native(full), link };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, link, loop: false };
    if (code === 'ELOOP') return { ok: false, link, loop: true };
    return { ok: false, link, loop: false, error };
  }
}

/**
 * The text of a file. Bytes that are not UTF-8 (a file saved as Latin-1 or Windows-1252) become
 * U+FFFD, and the first one's place is returned so that the validator reports it: the text is never
 * taken as what the author wrote.
 */
function decoded(bytes: Buffer): {
  text: string;
  bad?: { line: number; column: number; byte: number };
} {
  try {
    return { text: UTF8.decode(bytes) };
  } catch {
    const text = bytes.toString('utf8');
    // Up to the first bad byte the text is exact, so a U+FFFD's byte offset is the byte length before
    // it; one whose bytes are EF BF BD was written as U+FFFD and is not the bad byte.
    for (let i = text.indexOf('\uFFFD'); i !== -1; i = text.indexOf('\uFFFD', i + 1)) {
      const at = Buffer.byteLength(text.slice(0, i));
      if (bytes[at] === 0xef && bytes[at + 1] === 0xbf && bytes[at + 2] === 0xbd) continue;
      const before = text.slice(0, i);
      const line = before.split('\n').length;
      return { text, bad: { line, column: i - before.lastIndexOf('\n'), byte: bytes[at] ?? 0 } };
    }
    return { text };
  }
}

/** A read failure as the analyst should see it: which file, why, and what to do. */
function unreadable(error: unknown, shown: string, path: string, what: 'file' | 'folder'): SpecReadError {
  const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
  const name = path === '' ? `the spec directory ${shown}` : `spec ${what} ${shown}/${path}`;
  if (code === 'EACCES' || code === 'EPERM')
    return new SpecReadError(
      `cannot ${what === 'folder' ? 'list' : 'read'} ${name}: permission denied (${code})`,
      `let the user running flitstack ${what === 'folder' ? 'open' : 'read'} it (chmod ${what === 'folder' ? 'a+rx' : 'a+r'} ${shown}/${path}, or change its owner), then run the command again`,
    );
  return new SpecReadError(
    `cannot read ${name}: ${(error as Error).message ?? code}`,
    'check the file and the disk it is on, then run the command again',
  );
}
