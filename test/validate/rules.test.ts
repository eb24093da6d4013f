import { beforeAll, describe, expect, it } from 'vitest';
import { validateSpec } from '../../compiler/validate/index.ts';
import { createSchemaValidators, type SchemaValidators } from '../../compiler/validate/schemas.ts';
import { caseSpec } from '../support/cases.ts';

let validators: SchemaValidators;
beforeAll(() => {
  validators = createSchemaValidators();
});

/** Diagnostics of the golden base spec with one file's text edited, as `code line:column message`. */
function findings(file: string, edit: (text: string) => string, code: string): string[] {
  const input = caseSpec('_base');
  const text = input.files.get(file);
  if (text === undefined) throw new Error(`no ${file} in the base spec`);
  const edited = edit(text);
  expect(edited, 'the edit changed the file').not.toBe(text);
  const files = new Map(input.files).set(file, edited);
  return validateSpec({ ...input, files }, validators)
    .diagnostics.filter((d) => d.code === code)
    .map((d) => `${d.code} ${d.line}:${d.column} ${d.message}`);
}

describe('FS141 time zones', () => {
  it.each(['UTC', 'Etc/GMT+5', 'America/Argentina/Buenos_Aires', 'Europe/Kiev', 'Australia/Sydney'])(
    'accepts %s',
    (zone) => {
      expect(
        findings(
          'migration.yaml',
          (t) => t.replace('time_zone: Europe/London', `time_zone: ${zone}`),
          'FS141',
        ),
      ).toEqual([]);
    },
  );

  it.each([
    ['Europe/Lodnon', "unknown time zone 'Europe/Lodnon'. Did you mean 'Europe/London'?"],
    ['America/New_Yrok', "unknown time zone 'America/New_Yrok'. Did you mean 'America/New_York'?"],
    ['Utc/Mars', "unknown time zone 'Utc/Mars'."],
  ])('refuses %s', (zone, message) => {
    expect(
      findings('migration.yaml', (t) => t.replace('time_zone: Europe/London', `time_zone: ${zone}`), 'FS141'),
    ).toEqual([`FS141 9:14 ${message}`]);
  });
});
