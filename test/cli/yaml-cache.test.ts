import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { diskCachedParser } from '../../cli/yaml-cache.ts';
import { validateSpec } from '../../compiler/validate/index.ts';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import { caseSpec } from '../support/cases.ts';
import { tempDir } from '../support/tmp.ts';

describe('the YAML parse cache of the CLI', () => {
  it('gives the same diagnostics, with the same positions, from a cold and a warm cache', () => {
    const dir = join(tempDir(), 'cache');
    const validators = createSchemaValidators();
    const input = caseSpec('FS003-tab-indentation');
    const plain = validateSpec(input, validators).diagnostics;
    const cold = validateSpec(input, validators, { parseFile: diskCachedParser(dir, 'build-a') }).diagnostics;
    const entries = readdirSync(dir).length;
    const warm = validateSpec(input, validators, { parseFile: diskCachedParser(dir, 'build-a') }).diagnostics;
    expect(entries).toBe(input.files.size);
    expect(cold).toEqual(plain);
    expect(warm).toEqual(plain);
    expect(warm.some((d) => d.code === 'FS003')).toBe(true);
  });

  it('keeps a file the parser gave up on as such: a warm cache brings no follow-on errors either', () => {
    const dir = join(tempDir(), 'cache');
    const validators = createSchemaValidators();
    const input = caseSpec('FS001-unclosed-quote');
    const plain = validateSpec(input, validators).diagnostics;
    validateSpec(input, validators, { parseFile: diskCachedParser(dir, 'build-a') });
    const warm = validateSpec(input, validators, { parseFile: diskCachedParser(dir, 'build-a') }).diagnostics;
    expect(plain.map((d) => d.code)).toEqual(['FS001']);
    expect(warm).toEqual(plain);
  });

  it('keys entries by build, so another build never reads them', () => {
    const dir = join(tempDir(), 'cache');
    const input = caseSpec('_base');
    validateSpec(input, createSchemaValidators(), { parseFile: diskCachedParser(dir, 'build-a') });
    validateSpec(input, createSchemaValidators(), { parseFile: diskCachedParser(dir, 'build-b') });
    expect(readdirSync(dir).length).toBe(2 * input.files.size);
  });

  it('is off when running from source (no build id)', () => {
    const dir = join(tempDir(), 'cache');
    validateSpec(caseSpec('_base'), createSchemaValidators(), {
      parseFile: diskCachedParser(dir, undefined),
    });
    expect(() => readdirSync(dir)).toThrow();
  });

  it('read-only uses the entries there and writes none', () => {
    const dir = join(tempDir(), 'cache');
    const input = caseSpec('FS003-tab-indentation');
    const validators = createSchemaValidators();
    const plain = validateSpec(input, validators).diagnostics;
    const readOnly = () => diskCachedParser(dir, 'build-a', 'read-only');
    expect(validateSpec(input, validators, { parseFile: readOnly() }).diagnostics).toEqual(plain);
    expect(() => readdirSync(dir)).toThrow();
    validateSpec(input, validators, { parseFile: diskCachedParser(dir, 'build-a') });
    const entries = readdirSync(dir).sort();
    expect(validateSpec(input, validators, { parseFile: readOnly() }).diagnostics).toEqual(plain);
    expect(readdirSync(dir).sort()).toEqual(entries);
    // What it returns comes from the entries: one changed there shows in the diagnostics.
    for (const entry of entries) {
      const path = join(dir, entry);
      const stored = deserialize(readFileSync(path)) as { syntax: { message: string }[] };
      for (const problem of stored.syntax) problem.message = 'as stored in the cache';
      writeFileSync(path, serialize(stored));
    }
    const cached = validateSpec(input, validators, { parseFile: readOnly() }).diagnostics;
    expect(cached.filter((d) => d.code === 'FS003').map((d) => d.message)).toContain(
      'as stored in the cache',
    );
  });
});
