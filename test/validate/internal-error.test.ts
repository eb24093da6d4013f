import { describe, expect, it } from 'vitest';
import { validateSpec } from '../../compiler/validate/index.ts';
import { RULES } from '../../compiler/validate/rules/index.ts';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import { caseSpec } from '../support/cases.ts';

describe('a rule that fails', () => {
  it("is reported as 'FS000' naming the rule, and the other rules still run", () => {
    const broken = {
      ...RULES,
      exploding: () => {
        throw new Error('boom');
      },
    };
    const input = caseSpec('FS102-unknown-source-field');
    const { diagnostics } = validateSpec(input, createSchemaValidators(), { rules: broken });
    const internal = diagnostics.find((d) => d.code === 'FS000');
    expect(internal?.message).toBe("internal error in validation rule 'exploding': boom");
    expect(internal?.file).toBe('spec/migration.yaml');
    expect(diagnostics.map((d) => d.code)).toContain('FS102');
  });
});
