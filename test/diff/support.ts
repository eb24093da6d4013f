import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DiffSide } from '../../compiler/diff/side.ts';
import { specSide } from '../../compiler/diff/side.ts';
import type { SpecInput } from '../../compiler/load/spec-dir.ts';
import type { SchemaValidators } from '../../compiler/validate/schemas.ts';
import { CASES_DIR, readTree } from '../support/cases.ts';

/** test/diff-cases: one folder per case, `base/` and `head/` each overlaying test/cases/_base/spec. */
export const DIFF_CASES_DIR = fileURLToPath(new URL('../diff-cases/', import.meta.url));

/**
 * One side of a diff case: the base spec with the side's files laid over it (a file whose whole text
 * is `# delete` removes that file). A missing side folder means the base spec unchanged.
 */
export function caseSide(name: string, side: 'base' | 'head'): SpecInput {
  const files = readTree(join(CASES_DIR, '_base', 'spec'));
  const overlay = join(DIFF_CASES_DIR, name, side);
  for (const [path, text] of existsSync(overlay) ? readTree(overlay) : []) {
    if (text.trim() === '# delete') files.delete(path);
    else files.set(path, text);
  }
  return { root: 'spec', files };
}

/** A side built from spec input; fails the test with the diagnostics when it does not validate. */
export function built(input: SpecInput, validators: SchemaValidators): DiffSide {
  const result = specSide(input, validators);
  if (!result.ok)
    throw new Error(
      `spec does not validate:\n${result.diagnostics.map((d) => `${d.file}:${d.line}: ${d.code} ${d.message}`).join('\n')}`,
    );
  return result.side;
}
