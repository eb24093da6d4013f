import { describe, expect, it } from 'vitest';
import { compileSpec } from '../../compiler/compile.ts';
import { Interpreter } from '../../compiler/interpret/interpret.ts';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import type { Outcome } from '../../runtime/mapping/index.ts';
import { COMPILE_CASES_DIR, caseSpec } from '../support/cases.ts';
import { loadGenerated } from '../support/generated.ts';

/**
 * Source fields named as members every JavaScript object has (constructor, __proto__), which the source
 * model's names allow, and a field named length inside an object field that arrives as a list (flagged).
 */
function specWithMemberNames() {
  const input = caseSpec('base', 'spec', COMPILE_CASES_DIR);
  const files = new Map(input.files);
  const fields = [
    '      constructor: { type: string, nullable: true }',
    '      __proto__: { type: string, nullable: true }',
    '      details:',
    '        type: object',
    '        nullable: true',
    '        fields:',
    '          constructor: { type: string, nullable: true }',
    '          __proto__: { type: string, nullable: true }',
    '          length: { type: string, nullable: true }',
  ];
  const source = files.get('source/practicehub.yaml')!;
  files.set(
    'source/practicehub.yaml',
    source.replace('      name: { type: string }\n', (n) => `${n}${fields.join('\n')}\n`),
  );
  const custom = (label: string) => `custom: { type: string, max_length: 100, label: ${label} }`;
  const columns = [
    `  - { to: fs_ctor, from: constructor, transform: [truncate], ${custom('Ctor')} }`,
    `  - { to: fs_proto, from: __proto__, transform: [trim, truncate], ${custom('Proto')} }`,
    `  - { to: fs_nested, template: "{details.constructor}/{details.__proto__}", transform: [truncate], ${custom('Nested')} }`,
    `  - { to: fs_length, from: details.length, transform: [truncate], ${custom('Length')} }`,
  ];
  const clinic = `${files.get('objects/clinic.yaml')!}${columns.join('\n')}\nwhere:\n  - { field: details.constructor, present: false }\n`;
  files.set('objects/clinic.yaml', clinic);
  return { ...input, files };
}

describe('source fields named constructor or __proto__ (members of every JavaScript object)', () => {
  it('read only what the record holds: a record without them reads them as missing, in the generated code and the interpreter', async () => {
    const result = compileSpec(specWithMemberNames(), createSchemaValidators());
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const generated = await loadGenerated(result.files[0]!.contents);
    const interpreter = new Interpreter(result.ir!);
    const run = (json: string) => {
      const record = JSON.parse(json) as Record<string, unknown>;
      const outcome = generated.MAPPINGS.clinic!.transform(record) as Outcome<Record<string, unknown>>;
      expect(interpreter.run('clinic', record)).toEqual(outcome);
      return outcome;
    };
    const bare = run('{"id":"1","name":"A","details":["a","b"]}');
    if (bare.kind !== 'rows') throw new Error(JSON.stringify(bare));
    // The list where the object field was expected is said, once per value read through it.
    const list = 'details is a list where an object was expected; value dropped';
    expect(bare.flags.map((f) => `${f.column}: ${f.detail}`)).toEqual([
      `fs_nested: ${list}`,
      `fs_nested: ${list}`,
      `fs_length: ${list}`,
    ]);
    expect(bare.rows[0]!.payload).toMatchObject({
      fs_ctor: null,
      fs_proto: null,
      fs_nested: '/',
      fs_length: null,
    });
    const full = run(
      '{"id":"2","name":"B","constructor":"c","__proto__":"p","details":{"__proto__":"dp","length":"3"}}',
    );
    if (full.kind !== 'rows') throw new Error(JSON.stringify(full));
    expect(full.flags).toEqual([]);
    expect(full.rows[0]!.payload).toMatchObject({
      fs_ctor: 'c',
      fs_proto: 'p',
      fs_nested: '/dp',
      fs_length: '3',
    });
    expect(run('{"id":"3","name":"C","details":{"constructor":"dc"}}')).toMatchObject({ kind: 'skipped' });
  });
});
