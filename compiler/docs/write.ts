import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installRoot } from '../root.ts';
import { readSchema, SCHEMA_FILES } from '../validate/schemas.ts';
import { specReference } from './spec-reference.ts';

/** `npm run docs`: regenerates docs/spec.md from the schemas. With --check, exits 1 when it is stale. */
function main(check: boolean): number {
  const target = join(installRoot(), 'docs', 'spec.md');
  const kinds = Object.keys(SCHEMA_FILES) as (keyof typeof SCHEMA_FILES)[];
  let text: string;
  try {
    text = specReference(Object.fromEntries(kinds.map((k) => [k, readSchema(k)])) as never);
  } catch (error) {
    // The generator refuses schemas it cannot document (a step without a signature, an untitled
    // shared definition); its message says what to change.
    process.stderr.write(`docs/spec.md not generated: ${(error as Error).message}\n`);
    return 1;
  }
  if (!check) {
    writeFileSync(target, text);
    return 0;
  }
  if (readFileSync(target, 'utf8') === text) return 0;
  process.stderr.write('docs/spec.md is stale: run npm run docs\n');
  return 1;
}

process.exitCode = main(process.argv.includes('--check'));
