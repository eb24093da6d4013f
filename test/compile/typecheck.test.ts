import { describe, expect, it } from 'vitest';
import { compileSpec } from '../../compiler/compile.ts';
import { emitTransformer } from '../../compiler/emit/transformer/module.ts';
import { typecheckGenerated } from '../../compiler/emit/typecheck.ts';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import { COMPILE_CASES_DIR, caseSpec } from '../support/cases.ts';

describe('the in-memory type check of generated code', () => {
  it('reports type errors of the generated file with their line and column', () => {
    const errors = typecheckGenerated(
      'generated/transformer.ts',
      'export const x: number = "text";\nimport { trim } from "../runtime/transforms/index.ts";\nexport const y: number = trim(" a ");\n',
    );
    expect(errors.map((e) => [e.line, e.column])).toEqual([
      [1, 14],
      [3, 14],
    ]);
    expect(errors[0]!.message).toContain("Type 'string' is not assignable to type 'number'");
  });

  it('does not read the folder the file will be written to: a file in its place is no reason to fail', () => {
    // package.json stands for a file named generated: a folder of that name cannot be read.
    const errors = typecheckGenerated(
      'package.json/transformer.ts',
      'import { trim } from "../runtime/transforms/index.ts";\nexport const y: number = trim(" a ");\n',
    );
    expect(errors.map((e) => [e.line, e.column])).toEqual([[2, 14]]);
  });

  it("turns generated code that does not type-check into 'FS200' diagnostics, and writes nothing", () => {
    const broken: typeof emitTransformer = (ir, sources) =>
      `${emitTransformer(ir, sources)}\nexport const broken: number = MIGRATION.name;\n`;
    const result = compileSpec(caseSpec('base', 'spec', COMPILE_CASES_DIR), createSchemaValidators(), {
      emitTransformer: broken,
    });
    expect(result.files).toEqual([]);
    const [d] = result.diagnostics;
    expect(d).toMatchObject({ code: 'FS200', severity: 'error', file: 'generated/transformer.ts' });
    expect(d!.message).toContain('generated code does not type-check');
    expect(d!.line).toBeGreaterThan(1);
  });

  it("turns a failure of the emitter into an 'FS200' diagnostic instead of a crash", () => {
    const failing: typeof emitTransformer = () => {
      throw new Error('emitter broke');
    };
    const result = compileSpec(caseSpec('base', 'spec', COMPILE_CASES_DIR), createSchemaValidators(), {
      emitTransformer: failing,
    });
    expect(result.diagnostics).toMatchObject([
      { code: 'FS200', message: 'code generation failed: emitter broke' },
    ]);
  });
});
