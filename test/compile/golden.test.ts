import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileSpec } from '../../compiler/compile.ts';
import { createSchemaValidators, type SchemaValidators } from '../../compiler/validate/schemas.ts';
import { COMPILE_CASES_DIR, caseNames, caseSpec } from '../support/cases.ts';

let validators: SchemaValidators;
beforeAll(() => {
  validators = createSchemaValidators();
});

describe('compile golden cases (test/compile-cases/<name>/: spec overlay → expected/)', () => {
  for (const name of caseNames(COMPILE_CASES_DIR)) {
    it(name, async () => {
      const result = compileSpec(caseSpec(name, 'spec', COMPILE_CASES_DIR), validators);
      expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(result.files.map((f) => f.path)).toEqual([
        'generated/transformer.ts',
        'generated/schema-plan.md',
        'generated/schema-plan.json',
      ]);
      for (const file of result.files) {
        await expect(file.contents).toMatchFileSnapshot(
          join(COMPILE_CASES_DIR, name, 'expected', file.path.replace('generated/', '')),
        );
      }
    });
  }

  it('is deterministic: the same spec gives the same bytes', () => {
    const input = caseSpec('injection', 'spec', COMPILE_CASES_DIR);
    const a = compileSpec(input, validators, { typecheck: false });
    const b = compileSpec(
      { root: input.root, files: new Map([...input.files].reverse()) },
      createSchemaValidators(),
      { typecheck: false },
    );
    expect(b.files).toEqual(a.files);
  });
});
