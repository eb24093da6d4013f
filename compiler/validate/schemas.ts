import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { SpecFileKind } from '../load/spec-dir.ts';
import { installRoot } from '../root.ts';

/** The JSON Schema file of each kind of spec file (in schemas/). */
export const SCHEMA_FILES: Record<SpecFileKind, string> = {
  migration: 'migration.schema.json',
  object: 'object.schema.json',
  valuemap: 'valuemap.schema.json',
  'source-model': 'source-model.schema.json',
  'target-metadata': 'target-metadata.schema.json',
};

/** Where the shipped schemas live. */
export function schemasDir(): string {
  return join(installRoot(), 'schemas');
}

/** A compiled validator per kind; build it once and pass it around (compiling takes tens of ms). */
export type SchemaValidators = Readonly<Record<SpecFileKind, ValidateFunction>>;

/** Reads and parses one shipped schema. */
export function readSchema(kind: SpecFileKind): Record<string, unknown> {
  return JSON.parse(readFileSync(join(schemasDir(), SCHEMA_FILES[kind]), 'utf8'));
}

export { createSchemaValidators } from './compile-validators.ts';
export type { ErrorObject };
