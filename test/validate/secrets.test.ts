import { beforeAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.ts';
import { formatJson, formatText } from '../../compiler/diagnostics/format.ts';
import { maskDiagnostic, maskSecrets } from '../../compiler/diagnostics/secret-text.ts';
import { validateSpec } from '../../compiler/validate/index.ts';
import { createSchemaValidators, type SchemaValidators } from '../../compiler/validate/schemas.ts';
import { caseSpec } from '../support/cases.ts';

const KEY = 'phk_3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c-eu';

let validators: SchemaValidators;
beforeAll(() => {
  validators = createSchemaValidators();
});

describe('maskSecrets', () => {
  const rows: [string, string][] = [
    [`account: ${KEY}`, `account: ${'*'.repeat(KEY.length)}`],
    ['password: hunter22', 'password: ********'],
    ['  - { to: x, client_secret: "s3cr3t", from: y }', '  - { to: x, client_secret: ********, from: y }'],
    ["api_token: 'abc def' # note", 'api_token: ********* # note'],
    ['value: "Bearer abcdefghijklmnopqrstuvwxyz012345"', `value: "Bearer ${'*'.repeat(32)}"`],
    ['url: "Server=db;Password=abcd1234;"', 'url: "Server=db;Password=********;"'],
    ['# rotated: AKIAABCDEFGHIJKLMNOP', `# rotated: ${'*'.repeat(20)}`],
    [
      '  - { to: fs_name, template: "{currency} {amount}" }',
      '  - { to: fs_name, template: "{currency} {amount}" }',
    ],
    [
      'key: { source: id, prefix: payment-, column: fs_practicehubid }',
      'key: { source: id, prefix: payment-, column: fs_practicehubid }',
    ],
    [
      '  description: Token-based sign-in is not migrated.',
      '  description: Token-based sign-in is not migrated.',
    ],
    // Paths through a random temporary folder look random, but are paths a message must show.
    [
      "this link points to '/tmp/flitstack-YYP3iB/moved/payment.yaml', which does not exist",
      "this link points to '/tmp/flitstack-YYP3iB/moved/payment.yaml', which does not exist",
    ],
    [
      'see ../Q7xZ2kPa9LmW4vRt8YbN3cD6fGhJ1sE5/spec/a.yaml',
      'see ../Q7xZ2kPa9LmW4vRt8YbN3cD6fGhJ1sE5/spec/a.yaml',
    ],
    [
      '  base_url: https://archiver:Winter2026pass@harbourside.sharepoint.com/sites/records',
      `  base_url: https://archiver:${'*'.repeat(14)}@harbourside.sharepoint.com/sites/records`,
    ],
    [
      '  base_url: https://archiver@harbourside.example/x',
      '  base_url: https://archiver@harbourside.example/x',
    ],
    ['  url: https://host.example:8443/path', '  url: https://host.example:8443/path'],
    ['  url: redis://:s3cretpass@cache.example:6379', `  url: redis://:${'*'.repeat(10)}@cache.example:6379`],
    // A random key stays a secret.
    ['key: Q7xZ2kPa9LmW4vRt8YbN3cD6fGhJ1sE5uI0o', `key: ${'*'.repeat(36)}`],
  ];
  for (const [line, expected] of rows)
    it(line, () => {
      expect(maskSecrets(line)).toBe(expected);
    });
});

describe('diagnostics printed over a secret', () => {
  const at = (column: number): Diagnostic => ({
    code: 'FS010',
    severity: 'error',
    message: `unknown key; did you mean ${KEY}?`,
    file: 'spec/migration.yaml',
    line: 1,
    column,
    pointer: '/x',
    hint: `near ${KEY}`,
  });

  it('mask it in the source line, the message and the hint, and keep the caret under the column', () => {
    const line = `source: { account: ${KEY}, regoin: eu }`;
    const masked = maskDiagnostic(at(line.indexOf('regoin') + 1));
    expect(JSON.stringify(masked)).not.toContain(KEY);
    const text = formatText([masked], () => line);
    expect(text).not.toContain(KEY);
    const [, shown, caret] = text.split('\n');
    expect(shown!.indexOf('regoin')).toBe(caret!.indexOf('^'));
    expect(formatJson([maskDiagnostic(at(1))])).not.toContain(KEY);
  });

  it('come masked out of validateSpec, whatever prints them', () => {
    const base = caseSpec('_base');
    const migration = base.files.get('migration.yaml')!.replace('account: base', `account: ${KEY}`);
    const found = validateSpec(
      { root: 'spec', files: new Map([...base.files, ['migration.yaml', migration]]) },
      validators,
    );
    expect(found.diagnostics.length).toBeGreaterThan(0);
    expect(JSON.stringify(found.diagnostics)).not.toContain(KEY);
  });
});

describe('FS117', () => {
  const migration = caseSpec('_base').files.get('migration.yaml')!;
  const withMigration = (text: string) => {
    const base = caseSpec('_base');
    return { root: 'spec', files: new Map([...base.files, ['migration.yaml', text]]) };
  };

  it('finds a key pasted into a comment, at the key', () => {
    const text = migration.replace('name: Golden base\n', `name: Golden base # was ${KEY}\n`);
    const found = validateSpec(withMigration(text), validators).diagnostics;
    expect(found.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`)).toEqual([
      `2:25 FS117 this comment holds what looks like a PracticeHub API key`,
    ]);
  });

  it('reads a # inside a text as text: a key there is reported once, as a value', () => {
    const text = migration.replace('name: Golden base\n', `name: |\n  Golden # ${KEY}\n`);
    const found = validateSpec(withMigration(text), validators).diagnostics;
    expect(found.map((d) => `${d.code} ${d.message}`)).toEqual([
      'FS117 this value looks like a PracticeHub API key',
    ]);
  });
});
