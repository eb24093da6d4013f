import { expect, it } from 'vitest';
import { compileSpec } from '../../compiler/compile.ts';
import { Interpreter } from '../../compiler/interpret/interpret.ts';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import type { Outcome } from '../../runtime/mapping/index.ts';
import { COMPILE_CASES_DIR, caseSpec } from '../support/cases.ts';
import { loadGenerated } from '../support/generated.ts';

it('reads a constant written -0 as 0, in the generated code and the interpreter alike', async () => {
  const input = caseSpec('base', 'spec', COMPILE_CASES_DIR);
  const files = new Map(input.files);
  const columns = [
    '  - { to: fs_score, value: -0, custom: { type: decimal, precision: 2, label: Score } }',
    '  - { to: fs_count, value: -0.0, custom: { type: integer, label: Count } }',
  ];
  files.set('objects/clinic.yaml', `${files.get('objects/clinic.yaml')!}${columns.join('\n')}\n`);
  const result = compileSpec({ ...input, files }, createSchemaValidators(), { typecheck: false });
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const generated = await loadGenerated(result.files[0]!.contents);
  const record = { id: '1', name: 'A' };
  for (const outcome of [
    generated.MAPPINGS.clinic!.transform(record) as Outcome<Record<string, unknown>>,
    new Interpreter(result.ir!).run('clinic', record),
  ]) {
    if (outcome.kind !== 'rows') throw new Error(JSON.stringify(outcome));
    const { fs_score, fs_count } = outcome.rows[0]!.payload;
    expect([Object.is(fs_score, 0), Object.is(fs_count, 0)]).toEqual([true, true]);
  }
});
