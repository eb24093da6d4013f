import { beforeAll, describe, expect, it } from 'vitest';
import type { SpecInput } from '../../compiler/load/spec-dir.ts';
import { validateSpec } from '../../compiler/validate/index.ts';
import { createSchemaValidators, type SchemaValidators } from '../../compiler/validate/schemas.ts';
import { caseSpec } from '../support/cases.ts';

let validators: SchemaValidators;
beforeAll(() => {
  validators = createSchemaValidators();
});

/** The base spec of the golden cases with some files replaced. */
function specWith(files: Record<string, string>): SpecInput {
  const base = caseSpec('_base');
  return { root: 'spec', files: new Map([...base.files, ...Object.entries(files)]) };
}

function edited(path: string, change: (text: string) => string): Record<string, string> {
  return { [path]: change(caseSpec('_base').files.get(path)!) };
}

const codes = (input: SpecInput) =>
  validateSpec(input, validators).diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`);

describe('YAML syntax errors', () => {
  it('give one error per file, the first, however many the parser reports after it', () => {
    const patient = edited('objects/patient.yaml', (t) =>
      t
        .replace('transform: [date_only] }', 'transform: [date_only }')
        .replace('from: email,', 'from: email: x,')
        .replace('{ map: gender }', '{ map: gender'),
    );
    expect(codes(specWith(patient))).toEqual(['spec/objects/patient.yaml:12:32 FS001']);
  });

  it('keep the duplicate keys found before the error, which the parser read correctly', () => {
    const patient = edited('objects/patient.yaml', (t) =>
      t
        .replace('target: contact\n', 'target: contact\ntarget: account\n')
        .replace('{ map: gender }', '{ map: gender'),
    );
    expect(codes(specWith(patient))).toEqual([
      'spec/objects/patient.yaml:4:1 FS002',
      'spec/objects/patient.yaml:15:46 FS001',
    ]);
  });

  it('bring no errors from the rules that read across files, while other files are still checked on their own', () => {
    // gender.yaml stops parsing at its description: its entries are unknown, so FS112 (no entry for a
    // value) and FS138 (unused map) would be false; clinic.yaml's unknown key is its own problem.
    const files = {
      'valuemaps/gender.yaml':
        'version: 1\ndescription: "Sex codes\nkind: choice\nentries: { female: Female }\n',
      ...edited('objects/clinic.yaml', (t) =>
        t.replace('source: clinics\n', 'source: clinics\nsoruce_note: x\n'),
      ),
    };
    const found = codes(specWith(files));
    expect(found).toContain('spec/valuemaps/gender.yaml:2:14 FS001');
    expect(found.filter((c) => c.endsWith('FS010'))).toHaveLength(1);
    expect(found).toHaveLength(2);
  });

  it('in migration.yaml do not make the files it names look missing or stray', () => {
    const migration = edited('migration.yaml', (t) => `name: "Unclosed\n${t.replace(/^name: .*\n/m, '')}`);
    expect(codes(specWith(migration))).toEqual(['spec/migration.yaml:1:7 FS001']);
  });

  it('run the rules again once every file parses', () => {
    const patient = edited('objects/patient.yaml', (t) => t.replace('from: first_name', 'from: frist_name'));
    expect(codes(specWith(patient)).map((c) => c.split(' ')[1])).toEqual(['FS102']);
  });

  it('name a non-breaking space where YAML needs a plain one, at the space, not where the parser lost its place', () => {
    const nbsp = '\u00a0';
    const at = (change: (t: string) => string) =>
      validateSpec(specWith(edited('objects/patient.yaml', change)), validators).diagnostics.map(
        (d) => `${d.line}:${d.column} ${d.code} ${d.message}`,
      );
    expect(at((t) => t.replace('\n  - to: parentcustomerid', `\n ${nbsp}- to: parentcustomerid`))).toEqual([
      '16:2 FS001 YAML syntax error: a non-breaking space (U+00A0) in the indentation, where YAML needs a plain space, so it reads the line as text',
    ]);
    expect(at((t) => t.replace('  - to: parentcustomerid', `  -${nbsp}to: parentcustomerid`))).toEqual([
      "16:4 FS001 YAML syntax error: a non-breaking space (U+00A0) after '-', where YAML needs a plain space, so it reads the line as text",
    ]);
    expect(
      at((t) => t.replace('    from: clinic_assignments', `    from:${nbsp}clinic_assignments`)),
    ).toEqual([
      "17:10 FS001 YAML syntax error: a non-breaking space (U+00A0) after ':', where YAML needs a plain space, so it reads the line as text",
    ]);
    // One in a text the parser read, far above an unclosed bracket, is not blamed for it.
    const far = at((t) =>
      t
        .replace('version: 1\n', `version: 1\ndescription: Note:${nbsp}patients\n`)
        .replace('{ map: gender }', '{ map: gender'),
    );
    expect(far).toEqual(['15:46 FS001 YAML syntax error: this { is never closed with }']);
  });
});
