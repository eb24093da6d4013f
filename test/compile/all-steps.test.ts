import { beforeAll, describe, expect, it } from 'vitest';
import { compileSpec } from '../../compiler/compile.ts';
import { Interpreter } from '../../compiler/interpret/interpret.ts';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import type { GeneratedModule, Outcome } from '../../runtime/mapping/index.ts';
import { COMPILE_CASES_DIR, caseSpec } from '../support/cases.ts';
import { loadGenerated } from '../support/generated.ts';

let generated: GeneratedModule;
let interpreter: Interpreter;
beforeAll(async () => {
  const result = compileSpec(caseSpec('all-steps', 'spec', COMPILE_CASES_DIR), createSchemaValidators(), {
    typecheck: false,
  });
  generated = await loadGenerated(result.files.find((f) => f.path === 'generated/transformer.ts')!.contents);
  interpreter = new Interpreter(result.ir!);
});

/** One column of a mapping's single row, from the generated code and from the interpreter. */
function column(mapping: string, record: Record<string, unknown>, name: string) {
  const of = (out: Outcome<Record<string, unknown>>) => {
    if (out.kind !== 'rows') throw new Error(`expected rows, got ${JSON.stringify(out)}`);
    return {
      value: out.rows[0]!.payload[name],
      flags: out.flags.filter((f) => f.column === name).map((f) => f.code),
    };
  };
  const record_ = { id: '1', ...record };
  return {
    generated: of(generated.MAPPINGS[mapping]!.transform(record_) as Outcome<Record<string, unknown>>),
    interpreted: of(interpreter.run(mapping, record_)),
  };
}

describe('join of one field (test/compile-cases/all-steps, sample-text)', () => {
  it.each([
    ['fs_tags', { tags: ['phone', ' ', null, 'email'] }, 'phone, email'],
    ['fs_tags', { tags: 'phone' }, 'phone'],
    ['fs_tags', { tags: [] }, null],
    ['fs_methods', { details: { methods: ['post', 'phone'] } }, 'post; phone'],
    ['fs_names', { name: 'Ann', other_name: 'Lee' }, 'Ann Lee'],
  ])('%s of %o is %j', (name, record, expected) => {
    const { generated, interpreted } = column('sample-text', record, name);
    expect(generated).toEqual({ value: expected, flags: [] });
    expect(interpreted).toEqual(generated);
  });
});
