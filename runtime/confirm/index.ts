import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { parse } from 'yaml';
import type { SpecInput } from '../../compiler/load/spec-dir.ts';
import { type Change, changes, fileHashes, LOCK_FILE, lockProblem, parseLock } from './lock.ts';
import { readSpecFiles } from './read-spec.ts';

export {
  buildLock,
  type Change,
  changes,
  fileHashes,
  LOCK_FILE,
  type Lock,
  lockProblem,
  lockText,
  parseLock,
  setHash,
  sha256,
} from './lock.ts';
export { readSpecFiles, type SpecRead, SpecReadError } from './read-spec.ts';

/** What checkConfirmed found. */
export type ConfirmCheck =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** unconfirmed: no (readable) lock; proposed: drafts await review; changed: files differ from the lock. */
      readonly reason: 'unconfirmed' | 'changed' | 'proposed';
      /** Spec files (relative to the spec directory) and generated files (generated/...) not as confirmed. */
      readonly changed: readonly Change[];
      /** unconfirmed by a lock file that is there but not readable: why (a merge conflict, another version). */
      readonly problem?: string;
    };

/** Options of checkConfirmed. */
export interface CheckOptions {
  /** The lock file (default: flitstack.lock in the spec directory: spec.root resolved from the working directory). */
  readonly lock?: string;
}

/** Files of the generated directory, keyed as the compiler names them (generated/<name>). */
export function readGenerated(generatedDir: string): Map<string, string> {
  const files = new Map<string, string>();
  if (!existsSync(generatedDir) || !statSync(generatedDir).isDirectory()) return files;
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile())
        files.set(
          `generated/${relative(generatedDir, full).split(sep).join('/')}`,
          readFileSync(full, 'utf8'),
        );
    }
  };
  walk(generatedDir);
  return files;
}

/** Whether any mapping file carries a `proposed:` block, at its top or on a field line. */
export function hasProposed(files: ReadonlyMap<string, string>): boolean {
  for (const [path, text] of files) {
    if (!path.startsWith('objects/')) continue;
    let data: unknown;
    try {
      data = parse(text, { merge: true });
    } catch {
      continue;
    }
    const o = data as { proposed?: unknown; fields?: unknown } | null;
    if (o && typeof o === 'object' && o.proposed !== undefined) return true;
    if (
      Array.isArray(o?.fields) &&
      o.fields.some((f) => f && typeof f === 'object' && (f as { proposed?: unknown }).proposed !== undefined)
    )
      return true;
  }
  return false;
}

/**
 * Whether the spec and the generated files are what `flitstack confirm` locked: the runtime calls it
 * before it moves any record. A spec given as SpecInput is the CLI's in-memory spec; a string is the
 * spec directory, read here. Generated files are compared by hash, not recompiled: confirm checked
 * that they matched the spec it locked, so an unchanged spec and unchanged files still match.
 */
export function checkConfirmed(
  spec: SpecInput | string,
  generatedDir: string,
  options: CheckOptions = {},
): ConfirmCheck {
  const specDir = resolve(typeof spec === 'string' ? spec : spec.root);
  const files = typeof spec === 'string' ? readSpecFiles(specDir).files : spec.files;
  const lockPath = options.lock ?? join(specDir, LOCK_FILE);
  const text = existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : undefined;
  const lock = text === undefined ? undefined : parseLock(text);
  if (!lock) {
    const problem = text === undefined ? undefined : lockProblem(text);
    return { ok: false, reason: 'unconfirmed', changed: [], ...(problem && { problem }) };
  }
  const changed = [
    ...changes(lock.files, fileHashes(files)),
    ...changes(lock.generated, fileHashes(readGenerated(generatedDir))),
  ];
  // Files exactly as locked hold no proposed line (confirm refuses them), so only a change is parsed.
  if (changed.length === 0) return { ok: true };
  if (hasProposed(files)) return { ok: false, reason: 'proposed', changed };
  return { ok: false, reason: 'changed', changed };
}
