import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readSchema, SCHEMA_FILES } from '../../compiler/validate/schemas.ts';
import { ROOT } from '../support/tmp.ts';

type Json = Record<string, unknown>;

/** Every object schema and every property schema, with its path in the schema file. */
function walk(
  node: unknown,
  path: string,
  visit: (node: Json, path: string, isProperty: boolean) => void,
  isProperty = false,
): void {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return;
  const n = node as Json;
  visit(n, path, isProperty);
  for (const [key, value] of Object.entries(n)) {
    if (key === 'properties') {
      for (const [name, property] of Object.entries(value as Json))
        walk(property, `${path}/properties/${name}`, visit, true);
    } else if (key === '$defs') {
      for (const [name, def] of Object.entries(value as Json)) walk(def, `${path}/$defs/${name}`, visit);
    } else if (['items', 'additionalProperties', 'then', 'else', 'if', 'propertyNames'].includes(key)) {
      walk(value, `${path}/${key}`, visit);
    } else if (['anyOf', 'oneOf', 'allOf'].includes(key)) {
      (value as unknown[]).forEach((v, i) => {
        walk(v, `${path}/${key}/${i}`, visit);
      });
    }
  }
}

describe('JSON Schemas in schemas/', () => {
  for (const kind of Object.keys(SCHEMA_FILES) as (keyof typeof SCHEMA_FILES)[]) {
    const schema = readSchema(kind);
    it(`${kind}: draft 2020-12, required version, closed objects, a description and an example on every property`, () => {
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(schema.required).toContain('version');
      const open: string[] = [];
      const undocumented: string[] = [];
      const withoutExample: string[] = [];
      const described = (node: Json): Json => {
        if (typeof node.$ref !== 'string') return node;
        const target = node.$ref
          .slice(2)
          .split('/')
          .reduce<Json>((at, segment) => at[segment] as Json, schema);
        return { ...target, ...node };
      };
      walk(schema, '#', (raw, path, isPropertyOf) => {
        const node = described(raw);
        const isProperty = isPropertyOf && !path.includes('/if/');
        // `if` sub-schemas only test values; they do not describe keys.
        if (node.properties && node.additionalProperties !== false && !path.endsWith('/if')) open.push(path);
        if (isProperty && typeof node.description !== 'string') undocumented.push(path);
        if (isProperty && !Array.isArray(node.examples)) withoutExample.push(path);
      });
      expect(open).toEqual([]);
      expect(undocumented).toEqual([]);
      expect(withoutExample).toEqual([]);
    });
  }

  it('every shipped spec file names its schema for the editor', () => {
    const files: string[] = [];
    const collect = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) collect(`${dir}/${e.name}`);
        else if (e.name.endsWith('.yaml')) files.push(`${dir}/${e.name}`);
      }
    };
    collect(`${ROOT}spec`);
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const first = readFileSync(file, 'utf8').split('\n')[0]!;
      const match = /^# yaml-language-server: \$schema=((?:\.\.\/)+schemas\/([a-z-]+)\.schema\.json)$/.exec(
        first,
      );
      expect(match, file).not.toBeNull();
      const depth = file.slice(`${ROOT}spec/`.length).split('/').length;
      expect(match![1], `${file} points at the schema relative to itself`).toBe(
        `${'../'.repeat(depth)}schemas/${match![2]}.schema.json`,
      );
    }
  });

  it('docs/spec.md is generated from the current schemas', () => {
    execFileSync(process.execPath, ['--import', 'tsx', 'compiler/docs/write.ts', '--check'], { cwd: ROOT });
  });
});
