import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installRoot } from '../root.ts';
import { readSchema, SCHEMA_FILES } from '../validate/schemas.ts';
import { specReference } from './spec-reference.ts';

/** `npm run docs`: regenerates docs/spec.md from the schemas. With --check, exits 1 when it is stale. */
const target = join(installRoot(), 'docs', 'spec.md');
const kinds = Object.keys(SCHEMA_FILES) as (keyof typeof SCHEMA_FILES)[];
const text = specReference(Object.fromEntries(kinds.map((k) => [k, readSchema(k)])) as never);
if (process.argv.includes('--check')) {
  const current = readFileSync(target, 'utf8');
  if (current !== text) {
    process.stderr.write('docs/spec.md is stale: run npm run docs\n');
    process.exitCode = 1;
  }
} else writeFileSync(target, text);
