// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings that look like template code are the test data
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSpecDir } from '../../cli/spec-files.ts';
import { compileSpec } from '../../compiler/compile.ts';
import { Interpreter } from '../../compiler/interpret/interpret.ts';
import type { Ir, IrSourceField, IrSourceType } from '../../compiler/ir/types.ts';
import { SIGNATURES } from '../../compiler/transforms/signatures.ts';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import * as generatedModule from '../../generated/transformer.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import { COMPILE_CASES_DIR, caseSpec } from '../support/cases.ts';
import { loadGenerated } from '../support/generated.ts';
import { ROOT } from '../support/tmp.ts';

/** A compiled spec: its IR, for the interpreter, and its generated transformer. */
interface Compiled {
  readonly ir: Ir;
  readonly generated: GeneratedModule;
}

let shipped: Compiled;
/** test/compile-cases/all-steps: every step of the catalog, which the shipped spec does not use. */
let allSteps: Compiled;
beforeAll(async () => {
  const validators = createSchemaValidators();
  shipped = {
    ir: compileSpec(readSpecDir('spec', ROOT), validators, { typecheck: false }).ir!,
    generated: generatedModule,
  };
  const result = compileSpec(caseSpec('all-steps', 'spec', COMPILE_CASES_DIR), validators, {
    typecheck: false,
  });
  const transformer = result.files.find((f) => f.path === 'generated/transformer.ts')!;
  allSteps = { ir: result.ir!, generated: await loadGenerated(transformer.contents) };
});

/** Single values no field should expect: wrong types, empty and odd text, control characters, surrogates. */
const hostileScalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    undefined,
    '',
    ' ',
    '\u0000',
    '\u2028',
    '\ud800',
    '🦷',
    'NaN',
    '0x10',
    '1e3',
    ' 12 ',
    '1,000',
    'true',
    'no',
    '0000-00-00',
    '1752-12-31',
    '2024-02-30',
    '2024-03-31T01:30:00',
    '9999-12-31T23:59:59Z',
    '*/',
    '${x}',
    '"); process.exit(1); //',
  ),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.double(),
  fc.integer(),
  fc.boolean(),
);

/**
 * Hostile single values, and lists and objects (empty or not) where a field holds a single value. The
 * objects have a prototype, as the ones JSON.parse makes of a PracticeHub page.
 */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  hostileScalar,
  fc.constantFrom([], {}, ['phone', 'email'], [' Phone ', null, ''], [['x']], [{}], { text: 'x' }),
  fc.array(hostileScalar, { minLength: 1, maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), hostileScalar, {
    minKeys: 1,
    maxKeys: 3,
    noNullPrototype: true,
  }),
);

const isoDate = fc.date({
  min: new Date('1600-01-01T00:00:00Z'),
  max: new Date('2100-01-01T00:00:00Z'),
  noInvalidDate: true,
});

/** A plausible value of a source type, or (sometimes) a hostile one. */
function arbitraryValue(type: IrSourceType, depth = 0): fc.Arbitrary<unknown> {
  const plausible: fc.Arbitrary<unknown> = (() => {
    switch (type.kind) {
      case 'id':
        return fc.oneof(fc.bigInt({ min: 1n, max: 10n ** 18n }).map(String), fc.nat());
      case 'string':
        return fc.string({ unit: 'grapheme', maxLength: 300 });
      case 'text':
        return fc.oneof(
          fc.string({ unit: 'grapheme', maxLength: 500 }),
          fc.nat({ max: 250_000 }).map((n) => 'x '.repeat(n / 2)),
        );
      case 'integer':
        return fc.integer();
      case 'decimal':
        return fc.oneof(
          fc.double({ noNaN: true, min: -1e12, max: 1e12 }),
          fc.double().map(String),
          // More digits than a number carries: rounded from the text, flagged decimal_digits_dropped.
          fc.stringMatching(/^-?\d{1,12}\.\d{1,12}$/),
        );
      case 'boolean':
        return fc.boolean();
      case 'date':
        return isoDate.map((d) => d.toISOString().slice(0, 10));
      case 'datetime':
        return isoDate.map((d) => d.toISOString());
      case 'enum':
        return fc.oneof(
          fc.constantFrom(...(type.values.length ? type.values : ['x'])),
          fc.string({ maxLength: 8 }),
        );
      case 'array':
        return depth > 2
          ? fc.constant([])
          : fc.array(arbitraryValue(type.items, depth + 1), { maxLength: 4 });
      case 'object':
        return depth > 2 ? fc.constant({}) : recordOf(type.fields, depth + 1);
    }
  })();
  return fc.oneof({ weight: 5, arbitrary: plausible }, { weight: 1, arbitrary: hostile });
}

function recordOf(fields: readonly IrSourceField[], depth = 0): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(Object.fromEntries(fields.map((f) => [f.name, arbitraryValue(f.type, depth)])), {
    requiredKeys: [],
  });
}

/** Runs every mapping on generated records through both sides and compares the outcomes. */
function agreeOnEveryMapping({ ir, generated }: Compiled): void {
  const interpreter = new Interpreter(ir);
  for (const m of ir.mappings) {
    const resource = ir.resources.find((r) => r.name === m.source)!;
    fc.assert(
      fc.property(recordOf(resource.fields), (record) => {
        const fromGenerated = generated.MAPPINGS[m.name]!.transform(record);
        expect(interpreter.run(m.name, record)).toEqual(fromGenerated);
      }),
      { numRuns: 400, seed: 42 },
    );
  }
}

describe('generated transformer vs reference interpreter (property)', () => {
  it('agree on every mapping of the shipped spec for generated records, hostile values included', () => {
    agreeOnEveryMapping(shipped);
  });

  it('agree on every mapping of the all-steps case, which uses every step of the catalog', () => {
    const fields = allSteps.ir.mappings.flatMap((m) => m.fields);
    const steps = fields.flatMap((f) => f.steps);
    expect(new Set(steps.map((s) => s.kind))).toEqual(new Set(SIGNATURES.keys()));
    const defaults = steps.flatMap((s) =>
      s.kind !== 'default' ? [] : [s.convert ? `number as ${s.convert.kind}` : typeof s.value],
    );
    expect(new Set(defaults)).toEqual(
      new Set(['string', 'boolean', 'number as integer', 'number as decimal']),
    );
    const joinsOfOneField = fields.filter((f) => f.source.kind === 'path' && f.steps[0]?.kind === 'join');
    expect(joinsOfOneField.map((f) => f.column)).toEqual(['fs_tags', 'fs_methods']);
    agreeOnEveryMapping(allSteps);
  });

  it('agree that a truncate leaving nothing of the text writes no value (null), not empty text', async () => {
    const input = caseSpec('base', 'spec', COMPILE_CASES_DIR);
    const files = new Map(input.files);
    const fields = [
      '  - { to: fs_initial, from: title, transform: [{ truncate: { length: 1 } }], custom: { type: string, max_length: 1, label: Initial } }',
      '  - { to: fs_mark, from: title, transform: [trim, { truncate: { length: 1 } }], custom: { type: string, max_length: 1, label: Mark } }',
    ];
    files.set(
      'objects/appointment.yaml',
      files.get('objects/appointment.yaml')!.replace(/^owner:/m, `${fields.join('\n')}\nowner:`),
    );
    const result = compileSpec({ ...input, files }, createSchemaValidators(), { typecheck: false });
    const generated = await loadGenerated(result.files[0]!.contents);
    const record = { id: '1', status: 'booked', title: '🦷 check-up' };
    const fromGenerated = generated.MAPPINGS.appointment!.transform(record);
    expect(fromGenerated.kind === 'rows' && fromGenerated.rows[0]!.payload).toMatchObject({
      fs_initial: null,
      fs_mark: null,
    });
    expect(new Interpreter(result.ir!).run('appointment', record)).toEqual(fromGenerated);
  });

  it('agree on the order of flags of a split mapping with a state map: the split column before the state', async () => {
    const input = caseSpec('base', 'spec', COMPILE_CASES_DIR);
    const files = new Map(input.files);
    const body =
      '  - { to: fs_body, from: title, transform: [{ split: { length: 100 } }], custom: { type: memo, max_length: 100, label: Body } }\n';
    files.set(
      'objects/appointment.yaml',
      files.get('objects/appointment.yaml')!.replace(/^owner:/m, `${body}owner:`),
    );
    const states = files.get('valuemaps/appointment-status.yaml')!;
    files.set('valuemaps/appointment-status.yaml', `${states}unmapped: drop_with_flag\n`);
    const result = compileSpec({ ...input, files }, createSchemaValidators(), { typecheck: false });
    const generated = await loadGenerated(result.files[0]!.contents);
    const record = { id: '1', status: 'lost', title: ['not text'] };
    const fromGenerated = generated.MAPPINGS.appointment!.transform(record);
    expect(fromGenerated.kind === 'rows' && fromGenerated.flags.map((f) => f.column)).toEqual([
      'subject',
      'fs_body',
      'statecode',
    ]);
    expect(new Interpreter(result.ir!).run('appointment', record)).toEqual(fromGenerated);
  });
});
