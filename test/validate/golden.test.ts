import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatText } from '../../compiler/diagnostics/format.ts';
import { validateSpec } from '../../compiler/validate/index.ts';
import { createSchemaValidators, type SchemaValidators } from '../../compiler/validate/schemas.ts';
import { CASES_DIR, caseNames, caseSpec } from '../support/cases.ts';

let validators: SchemaValidators;
beforeAll(() => {
  validators = createSchemaValidators();
});

describe('golden diagnostics: one case per rule (test/cases/<code>-<name>/)', () => {
  it('the base spec of the cases is clean', () => {
    const { diagnostics } = validateSpec(caseSpec('_base'), validators);
    expect(diagnostics).toEqual([]);
  });

  for (const name of caseNames()) {
    it(name, async () => {
      const input = caseSpec(name);
      const { diagnostics } = validateSpec(input, validators);
      const code = name.slice(0, 5);
      expect(diagnostics.map((d) => d.code)).toContain(code);
      for (const d of diagnostics) {
        expect(d.line, `${d.code} has a line`).toBeGreaterThan(0);
        expect(d.column, `${d.code} has a column`).toBeGreaterThan(0);
      }
      const text = formatText(diagnostics, (file) => input.files.get(file.slice('spec/'.length)));
      await expect(text).toMatchFileSnapshot(join(CASES_DIR, name, 'expected.txt'));
    });
  }
});
