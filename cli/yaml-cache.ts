import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { ParseFile } from '../compiler/load/spec-dir.ts';
import { type LocatedProblem, parseYamlFile, restoredYamlFile } from '../compiler/load/yaml-file.ts';
import { BUILD_ID } from './build-id.ts';

const LIMIT = 400;

/**
 * A parser that keeps each file's parsed data in `dir`, keyed by the build and the file's path and
 * text, so unchanged files are not parsed again (YAML parsing is most of `validate`'s time). Positions
 * are parsed only when a diagnostic needs them. Off when running from source, where the parser may
 * change under the cache. Cache failures only cost time. `read-only` uses what is there and writes
 * nothing, for commands that promise to write nothing (`compile --check`).
 */
export function diskCachedParser(
  dir: string,
  build: string | undefined = BUILD_ID,
  mode: 'read-write' | 'read-only' = 'read-write',
): ParseFile {
  if (!build) return parseYamlFile;
  let prepared = false;
  return (path, text) => {
    const key = createHash('sha256').update(`${build}\u0000${path}\u0000${text}`).digest('hex');
    const entry = join(dir, `${key}.v8`);
    try {
      const { data, syntax } = deserialize(readFileSync(entry)) as {
        data: unknown;
        syntax: LocatedProblem[];
      };
      return restoredYamlFile(path, text, data, syntax);
    } catch {
      const file = parseYamlFile(path, text);
      if (mode === 'read-only') return file;
      try {
        if (!prepared) {
          mkdirSync(dir, { recursive: true, mode: 0o700 });
          prune(dir);
          prepared = true;
        }
        writeFileSync(entry, serialize({ data: file.data, syntax: file.syntax }), { mode: 0o600 });
      } catch {
        // A read-only or full disk only means no cache.
      }
      return file;
    }
  };
}

/** Keeps the newest entries only. */
function prune(dir: string): void {
  const entries = readdirSync(dir).filter((n) => n.endsWith('.v8'));
  if (entries.length <= LIMIT) return;
  const aged = entries.map((n) => ({ n, t: statSync(join(dir, n)).mtimeMs })).sort((a, b) => b.t - a.t);
  for (const { n } of aged.slice(LIMIT / 2)) unlinkSync(join(dir, n));
}
