import { describe, expect, it } from 'vitest';
import { cell } from '../../compiler/docs/schema-table.ts';
import { specReference } from '../../compiler/docs/spec-reference.ts';
import { stepsTable } from '../../compiler/docs/steps-table.ts';
import { irStep } from '../../compiler/ir/steps.ts';
import { readMigration } from '../../compiler/model/read-migration.ts';
import { readSchema, SCHEMA_FILES } from '../../compiler/validate/schemas.ts';

type Json = Record<string, unknown>;

const kinds = Object.keys(SCHEMA_FILES) as (keyof typeof SCHEMA_FILES)[];
const schemas = Object.fromEntries(kinds.map((k) => [k, readSchema(k)])) as Record<
  keyof typeof SCHEMA_FILES,
  Json
>;
const page = specReference(schemas);

/** The `{ name: parameters }` forms of the transform steps, as object.schema.json defines them. */
const stepForms = ((schemas.object.$defs as Json).step as { else: { properties: Record<string, Json> } }).else
  .properties;

/** The key column of every table row of the page. */
const keys = [...page.matchAll(/^\| `([^`]+)`/gm)].map((m) => m[1]!);

/** The row of a transform step in the steps table. */
function stepRow(name: string): string {
  const row = page.split('\n').find((line) => line.startsWith(`| \`${name}\` | \``));
  expect(row, `the steps table has a row for ${name}`).toBeDefined();
  return row!;
}

describe('docs/spec.md', () => {
  it('describes a source field once, not again under every nesting of items and fields', () => {
    const section = page.slice(page.indexOf('## Source model'), page.indexOf('## Target metadata snapshot'));
    const rows = section.split('\n').filter((l) => l.startsWith('| `'));
    expect(rows.length).toBeLessThan(25);
    expect(keys.filter((k) => k.endsWith('phi'))).toEqual(['phi']);
    expect(keys.some((k) => k.includes('.items.') || /fields\.<name>\.fields/.test(k))).toBe(false);
    expect(section).toContain(
      '| `resources.<name>.fields` (required) | mapping: name → [source field](#source-field) |',
    );
    expect(section).toContain('### Source field');
    expect(section).toContain('| `items` | [source field](#source-field) |');
  });

  it('describes a custom column once and links to it from each place that declares one', () => {
    expect(keys.filter((k) => k.endsWith('custom.options') || k === 'options')).toEqual(['options']);
    for (const key of ['key.custom', 'fields[].custom', 'archive.custom'])
      expect(page).toContain(`| \`${key}\` | [custom column](#custom-column) |`);
  });

  it("lists every step parameter with its type, and says each optional one's default", () => {
    for (const [name, form] of Object.entries(stepForms)) {
      const row = stepRow(name);
      const properties = form.properties as Record<string, Json> | undefined;
      if (!properties) {
        expect(row).toContain(`the value (${[form.type].flat().join(' \\| ')})`);
        continue;
      }
      const required = new Set((form.required as string[] | undefined) ?? []);
      const entries = row.split(' | ').at(-1)!.split('<br>');
      for (const [parameter, schema] of Object.entries(properties)) {
        const entry = entries.find((e) => e.startsWith(`\`${parameter}\` (`));
        expect(entry, `${name}.${parameter} is listed`).toBeDefined();
        expect(entry).toContain(cell(String(schema.description)));
        if (required.has(parameter)) expect(entry).toMatch(/; required\): /);
        else if (schema.default !== undefined) expect(entry).toMatch(/; default `[^`]+`\): /);
        else {
          expect(entry).toMatch(/; optional\): /);
          expect(String(schema.description), `${name}.${parameter} says its default`).toMatch(/Default: /);
        }
      }
    }
    expect(stepRow('truncate')).toContain(
      "`length` (integer ≥ 1; optional): Maximum length kept. Default: the column's maximum length",
    );
    expect(stepRow('truncate')).toContain('`flag` (boolean; default `true`)');
    expect(stepRow('phone')).toContain('Default: the country of source.region (eu: GB, us: US, au: AU)');
  });

  it('says what the integer step does with a fraction: the value is dropped with a flag, the record loads', () => {
    const row = stepRow('integer');
    expect(row).not.toContain('rejected');
    expect(row).toContain('(12.5)');
    expect(row).toContain('dropped with flag unreadable_value_dropped');
    expect(row).toContain('the record still loads');
  });

  it('says how a choice map names the options of a custom column and of a snapshot column', () => {
    const entries = page.split('\n').find((l) => l.startsWith('| `entries` (required)'))!;
    expect(entries).toContain("the option's key exactly as written under custom.options");
    expect(entries).toContain('labels and derived option values are not accepted');
    expect(entries).toContain('the option value (a number, unquoted) or its label (any case)');
  });
});

describe('step parameter defaults', () => {
  const migration = readMigration({}, 'spec/migration.yaml');
  const resolved = (name: string, params: Json) =>
    irStep(
      { name, params, file: 'spec/objects/x.yaml', pointer: '/fields/0/transform/0' },
      undefined,
      migration,
      (m, as) => `${m}@${as}`,
    );

  it('the default a schema states is the value the compiler uses when the parameter is left out', () => {
    let checked = 0;
    for (const [name, form] of Object.entries(stepForms)) {
      const properties = (form.properties as Record<string, Json> | undefined) ?? {};
      const example = ((form.examples as Json[] | undefined) ?? [])[0] ?? {};
      const required = Object.fromEntries(
        ((form.required as string[] | undefined) ?? []).map((p) => [p, example[p]]),
      );
      for (const [parameter, schema] of Object.entries(properties)) {
        if (schema.default === undefined) continue;
        expect(resolved(name, required), `${name}.${parameter}`).toEqual(
          resolved(name, { ...required, [parameter]: schema.default }),
        );
        // A different value must change the step, or the comparison above proves nothing.
        const other = schema.enum
          ? (schema.enum as unknown[]).find((v) => v !== schema.default)
          : typeof schema.default === 'boolean'
            ? !schema.default
            : `${String(schema.default)}x`;
        expect(resolved(name, { ...required, [parameter]: other })).not.toEqual(resolved(name, required));
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(4);
  });
});

describe('the page generator', () => {
  it('refuses a step the schema allows but the signature catalog does not know, naming it', () => {
    const object = structuredClone(schemas.object);
    const step = (object.$defs as Json).step as { then: { enum: string[] } };
    step.then.enum.push('reverse');
    expect(() => stepsTable(object)).toThrow(/reverse has no signature.*add it to both/);
  });

  it('refuses a definition used in several places that has no title to head its own table', () => {
    const model = structuredClone(schemas['source-model']);
    delete ((model.$defs as Json).field as Json).title;
    expect(() => specReference({ ...schemas, 'source-model': model })).toThrow(
      /\$defs\/field is used in 2 places.*give it a "title"/,
    );
  });
});
