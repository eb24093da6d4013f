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

const UNREADABLE = 'unreadable_value_dropped';
const OUT_OF_RANGE = 'number_out_of_range_dropped';

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

describe('number defaults are converted as the column reads numbers (its type, precision and range)', () => {
  it.each([
    // Whole number 1–100, default 5.
    ['fs_countdefault', { count: 7 }, 7, []],
    ['fs_countdefault', { count: null }, 5, []],
    ['fs_countdefault', { count: 2.5 }, 5, [UNREADABLE]],
    ['fs_countdefault', { count: 3e9 }, 5, [OUT_OF_RANGE]],
    ['fs_countdefault', { count: 500 }, 5, [OUT_OF_RANGE]],
    ['fs_countdefault', { count: Number.NaN }, 5, [UNREADABLE]],
    ['fs_countdefault', { count: ' 12 ' }, 12, []],
    // Decimal, 1 place, 0–10, default 2.5.
    ['fs_scoredefault', { score: 0.1 + 0.2 }, 0.3, []],
    ['fs_scoredefault', { score: 7.25 }, 7.3, []],
    ['fs_scoredefault', { score: 50 }, 2.5, [OUT_OF_RANGE]],
    ['fs_scoredefault', { score: Number.NaN }, 2.5, [UNREADABLE]],
    ['fs_scoredefault', { score: '' }, 2.5, []],
    // A step asking for 3 places into a column of 2: rounded once, at the column's 2 (1.0049 rounded
    // to 3 places is 1.005, which the column would round again to 1.01).
    ['fs_scorefine', { score: '1.0049' }, 1, []],
    ['fs_scorefine', { score: 1.005 }, 1.01, []],
    ['fs_scorefine', { score: '-2.675' }, -2.68, []],
    // Money, 2 places, default 0.
    ['fs_price', { score: '1.005' }, 1.01, []],
    ['fs_price', { score: 'n/a' }, 0, [UNREADABLE]],
    // Whole number after an integer step, default 0: converted once before the default.
    ['fs_countafter', { count: 2.5 }, 0, [UNREADABLE]],
    ['fs_countafter', { count: 3e9 }, 0, [OUT_OF_RANGE]],
    // No step: the column's own conversion (whole number 1–100) all the same.
    ['fs_countplain', { count: 2.5 }, null, [UNREADABLE]],
    ['fs_countplain', { count: 500 }, null, [OUT_OF_RANGE]],
    ['fs_countplain', { count: ' 12 ' }, 12, []],
    // A whole number inside an object, default 3.
    ['fs_level', { details: { level: 1.5 } }, 3, [UNREADABLE]],
    ['fs_level', { details: { level: '12' } }, 12, []],
  ])('%s of %o is %j, flagged %j', (name, record, value, flags) => {
    const { generated, interpreted } = column('sample-number', record, name);
    expect(generated).toEqual({ value, flags });
    expect(interpreted).toEqual(generated);
  });
});

describe('a Time zone independent column takes the wall-clock time in the time zone (Europe/London)', () => {
  it.each([
    // A user-local column takes the instant in UTC; a Time zone independent one shows what it is sent.
    ['fs_seen', { seen_at: '2024-07-15T09:00:00' }, '2024-07-15T08:00:00Z', []],
    ['fs_seenlocal', { seen_at: '2024-07-15T09:00:00' }, '2024-07-15T09:00:00Z', []],
    ['fs_seenlocal', { seen_at: '2024-07-15T08:00:00Z' }, '2024-07-15T09:00:00Z', []],
    ['fs_seenlocal', { seen_at: '2024-01-15T09:00:00+01:00' }, '2024-01-15T08:00:00Z', []],
    ['fs_seenlocalplain', { seen_at: '2024-07-15T09:00:00' }, '2024-07-15T09:00:00Z', []],
    ['fs_seenlocalplain', { seen_at: '2024-07-15T08:00:00Z' }, '2024-07-15T09:00:00Z', []],
  ])('%s of %o is %j, flagged %j', (name, record, value, flags) => {
    const { generated, interpreted } = column('sample-number', record, name);
    expect(generated).toEqual({ value, flags });
    expect(interpreted).toEqual(generated);
  });
});

describe('a Big Integer column of the target snapshot takes 64-bit whole numbers, as far as a number holds them', () => {
  let big: GeneratedModule;
  let bigInterpreter: Interpreter;
  beforeAll(async () => {
    const input = caseSpec('all-steps', 'spec', COMPILE_CASES_DIR);
    const files = new Map(input.files);
    const target = files.get('target/dataverse.yaml')!;
    const withBig = target.replace(
      '      overriddencreatedon: { type: datetime, create_only: true }\n  contact:',
      '      overriddencreatedon: { type: datetime, create_only: true }\n      fs_bigcount: { type: bigint }\n  contact:',
    );
    expect(withBig).not.toBe(target);
    files.set('target/dataverse.yaml', withBig);
    files.set(
      'objects/sample-big.yaml',
      [
        'version: 1',
        'description: Counts into a Big Integer column.',
        'source: samples',
        'target: account',
        'key: { source: id, prefix: sample-big-, column: fs_practicehubid }',
        'fields:',
        '  - { to: name, from: name, transform: [trim, { default: Sample }, truncate] }',
        '  - { to: fs_bigcount, from: count }',
        '',
      ].join('\n'),
    );
    const result = compileSpec({ ...input, files }, createSchemaValidators(), { typecheck: false });
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => `${d.code} ${d.message}`)).toEqual([]);
    const code = result.files.find((f) => f.path === 'generated/transformer.ts')!.contents;
    expect(code).toContain('"fs_bigcount": toBigInteger(');
    big = await loadGenerated(code);
    bigInterpreter = new Interpreter(result.ir!);
  });

  it.each([
    [3_000_000_000, 3_000_000_000, []],
    [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, []],
    [-Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, []],
    [2 ** 53, null, [OUT_OF_RANGE]],
    ['9007199254740993', null, [OUT_OF_RANGE]],
    [2.5, null, [UNREADABLE]],
  ])('count %j is %j', (count, value, flags) => {
    const record = { id: '1', name: 'Big', count };
    const of = (out: Outcome<Record<string, unknown>>) => {
      if (out.kind !== 'rows') throw new Error(`expected rows, got ${JSON.stringify(out)}`);
      const codes = out.flags.filter((f) => f.column === 'fs_bigcount').map((f) => f.code);
      return { value: out.rows[0]!.payload.fs_bigcount, flags: codes };
    };
    const generatedColumn = of(
      big.MAPPINGS['sample-big']!.transform(record) as Outcome<Record<string, unknown>>,
    );
    expect(generatedColumn).toEqual({ value, flags });
    expect(of(bigInterpreter.run('sample-big', record))).toEqual(generatedColumn);
  });
});
