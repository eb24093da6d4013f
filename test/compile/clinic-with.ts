import { expect } from 'vitest';
import { compileSpec } from '../../compiler/compile.ts';
import { Interpreter } from '../../compiler/interpret/interpret.ts';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import type { Outcome } from '../../runtime/mapping/index.ts';
import { COMPILE_CASES_DIR, caseSpec } from '../support/cases.ts';
import { loadGenerated } from '../support/generated.ts';

/**
 * The base compile case with `columns` (field lines of YAML) added to its clinic mapping, compiled
 * without errors; `transform` runs a record through the generated code and through the interpreter.
 */
export async function clinicWith(
  columns: readonly string[],
): Promise<(record: Record<string, unknown>) => Outcome<Record<string, unknown>>[]> {
  const input = caseSpec('base', 'spec', COMPILE_CASES_DIR);
  const files = new Map(input.files);
  files.set('objects/clinic.yaml', `${files.get('objects/clinic.yaml')!}${columns.join('\n')}\n`);
  const result = compileSpec({ ...input, files }, createSchemaValidators(), { typecheck: false });
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const generated = await loadGenerated(result.files[0]!.contents);
  const interpreter = new Interpreter(result.ir!);
  return (record) => [
    generated.MAPPINGS.clinic!.transform(record) as Outcome<Record<string, unknown>>,
    interpreter.run('clinic', record),
  ];
}
