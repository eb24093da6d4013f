import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { SpecFileKind } from '../load/spec-dir.ts';

/** The JSON Schema file of each kind of spec file (in schemas/). */
export const SCHEMA_FILES: Record<SpecFileKind, string> = {
  migration: 'migration.schema.json',
  object: 'object.schema.json',
  valuemap: 'valuemap.schema.json',
  'source-model': 'source-model.schema.json',
  'target-metadata': 'target-metadata.schema.json',
};

/** Where the shipped schemas live. */
export const SCHEMAS_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url));

/** A compiled validator per kind; build it once and pass it around (compiling takes tens of ms). */
export type SchemaValidators = Readonly<Record<SpecFileKind, ValidateFunction>>;

/** Reads and parses one shipped schema. */
export function readSchema(kind: SpecFileKind): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(SCHEMA_FILES[kind], `file://${SCHEMAS_DIR}`), 'utf8'));
}

// ajv-formats is CommonJS; its default export arrives as a namespace under some loaders.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

/** Compiles every schema with allErrors (report everything) and strict mode (catch schema mistakes). */
export function createSchemaValidators(): SchemaValidators {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictTypes: false,
    strictRequired: false,
    verbose: true,
  });
  addFormats(ajv);
  const compile = (kind: SpecFileKind) => ajv.compile(readSchema(kind));
  return {
    migration: compile('migration'),
    object: compile('object'),
    valuemap: compile('valuemap'),
    'source-model': compile('source-model'),
    'target-metadata': compile('target-metadata'),
  };
}

export type { ErrorObject };
