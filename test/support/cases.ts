import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SpecInput } from '../../compiler/load/spec-dir.ts';

/** test/cases: one folder per case, overlaying test/cases/_base/spec. */
export const CASES_DIR = fileURLToPath(new URL('../cases/', import.meta.url));

/** Every YAML file under `dir`, relative path → text. */
export function readTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (at: string) => {
    for (const name of readdirSync(at).sort()) {
      const full = join(at, name);
      if (statSync(full).isDirectory()) walk(full);
      else files.set(relative(dir, full).split(sep).join('/'), readFileSync(full, 'utf8'));
    }
  };
  walk(dir);
  return files;
}

/** test/compile-cases: one folder per compiler case (an overlay of test/cases/_base/spec + expected outputs). */
export const COMPILE_CASES_DIR = fileURLToPath(new URL('../compile-cases/', import.meta.url));

/** Case folder names, sorted, without _base. */
export function caseNames(dir = CASES_DIR): string[] {
  return readdirSync(dir)
    .filter((n) => !n.startsWith('_') && statSync(join(dir, n)).isDirectory())
    .sort();
}

/**
 * The spec of a case: the base spec with the case's files laid over it. A case file whose whole
 * text is `# delete` removes that file from the base.
 */
export function caseSpec(name: string, root = 'spec', casesDir = CASES_DIR): SpecInput {
  const files = readTree(join(CASES_DIR, '_base', 'spec'));
  const overlay = join(casesDir, name, 'spec');
  for (const [path, text] of existsSync(overlay) ? readTree(overlay) : []) {
    if (text.trim() === '# delete') files.delete(path);
    else files.set(path, text);
  }
  return { root, files };
}
