import { createHash } from 'node:crypto';
import { byText } from '../shared/order.ts';

/** spec/flitstack.lock: what `flitstack confirm` confirmed. */
export interface Lock {
  readonly version: 1;
  readonly confirmed_at: string;
  /** sha256 over every spec file's path and hash. */
  readonly spec_hash: string;
  /** Spec file (relative to the spec directory) → sha256 of its text. */
  readonly files: Readonly<Record<string, string>>;
  /** sha256 over every generated file's path and hash. */
  readonly generated_hash: string;
  /** Generated file (e.g. generated/transformer.ts) → sha256 of its text. */
  readonly generated: Readonly<Record<string, string>>;
}

/** A file that is not as confirmed. */
export interface Change {
  readonly file: string;
  readonly change: 'added' | 'removed' | 'modified';
}

/** The lock's file name inside the spec directory. */
export const LOCK_FILE = 'flitstack.lock';

/** sha256 of a text (UTF-8), hex. */
export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Hashes of files, sorted by path. */
export function fileHashes(files: ReadonlyMap<string, string>): Record<string, string> {
  return Object.fromEntries([...files].sort(([a], [b]) => byText(a, b)).map(([p, t]) => [p, sha256(t)]));
}

/** One hash over a set of files: each path and its hash on a line, in path order. */
export function setHash(hashes: Readonly<Record<string, string>>): string {
  return sha256(
    Object.keys(hashes)
      .sort()
      .map((p) => `${p}\t${hashes[p]}\n`)
      .join(''),
  );
}

/** The lock for a spec and its generated files. */
export function buildLock(
  spec: ReadonlyMap<string, string>,
  generated: ReadonlyMap<string, string>,
  confirmedAt: Date,
): Lock {
  const files = fileHashes(spec);
  const gen = fileHashes(generated);
  return {
    version: 1,
    confirmed_at: confirmedAt.toISOString(),
    spec_hash: setHash(files),
    files,
    generated_hash: setHash(gen),
    generated: gen,
  };
}

/** The lock as written: JSON, two-space indented, one trailing newline. */
export function lockText(lock: Lock): string {
  return `${JSON.stringify(lock, null, 2)}\n`;
}

const HEX = /^[0-9a-f]{64}$/;

/** Reads a lock; undefined when the text is not a lock of this version (treated as unconfirmed). */
export function parseLock(text: string): Lock | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  const l = data as Partial<Lock> | null;
  const hashes = (v: unknown): v is Record<string, string> =>
    !!v && typeof v === 'object' && Object.values(v).every((h) => typeof h === 'string' && HEX.test(h));
  if (l?.version !== 1 || typeof l.confirmed_at !== 'string' || !hashes(l.files) || !hashes(l.generated))
    return undefined;
  if (typeof l.spec_hash !== 'string' || typeof l.generated_hash !== 'string') return undefined;
  return l as Lock;
}

/**
 * Why a lock's text is not a lock this release reads, in words (for a refusal that says what to do);
 * undefined when parseLock reads it.
 */
export function lockProblem(text: string): string | undefined {
  const conflict = /^(<{7}|={7}|>{7})(?: |\r?$)/m.exec(text);
  if (conflict) {
    const line = text.slice(0, conflict.index).split('\n').length;
    return `line ${line} holds a merge conflict marker (${conflict[1]}): two branches each confirmed their spec`;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return `it is not JSON (${(error as Error).message})`;
  }
  const version = (data as { version?: unknown } | null)?.version;
  if (version !== 1)
    return typeof version === 'number'
      ? `it is a version ${version} lock, written by another flitstack release (this one reads version 1)`
      : 'it has no version: it is not a lock flitstack confirm wrote';
  return parseLock(text)
    ? undefined
    : 'it lacks hashes, or holds some that are not sha256 hex (edited by hand?)';
}

/** How `now` differs from `then` (hash maps by path), sorted by path. */
export function changes(
  then: Readonly<Record<string, string>>,
  now: Readonly<Record<string, string>>,
  prefix = '',
): Change[] {
  const paths = [...new Set([...Object.keys(then), ...Object.keys(now)])].sort();
  return paths.flatMap((p): Change[] => {
    const file = `${prefix}${p}`;
    if (!(p in then)) return [{ file, change: 'added' }];
    if (!(p in now)) return [{ file, change: 'removed' }];
    return then[p] === now[p] ? [] : [{ file, change: 'modified' }];
  });
}
