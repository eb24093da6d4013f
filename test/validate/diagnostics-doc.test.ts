import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { caseNames } from '../support/cases.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Codes written in the compiler's sources (every place that can emit a diagnostic names its code). */
function emittedCodes(): Set<string> {
  const codes = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts'))
        for (const m of readFileSync(path, 'utf8').matchAll(/'(FS\d{3})'/g)) codes.add(m[1]!);
    }
  };
  walk(`${root}compiler`);
  return codes;
}

function documentedCodes(): Map<string, string> {
  const text = readFileSync(`${root}docs/diagnostics.md`, 'utf8');
  const rows = new Map<string, string>();
  for (const m of text.matchAll(/^\| (FS\d{3}) \| (error|warning|info) \| (.+) \| (.+) \|$/gm))
    rows.set(m[1]!, m[2]!);
  return rows;
}

describe('docs/diagnostics.md', () => {
  it('documents every code the validator can emit', () => {
    const documented = documentedCodes();
    const missing = [...emittedCodes()].filter((c) => !documented.has(c));
    expect(missing).toEqual([]);
  });

  it('lists no code the validator cannot emit', () => {
    const emitted = emittedCodes();
    expect([...documentedCodes().keys()].filter((c) => !emitted.has(c))).toEqual([]);
  });

  it('has a golden case for every documented code (internal errors and read problems have their own tests)', () => {
    const cases = new Set(caseNames().map((n) => n.slice(0, 5)));
    const internal: Record<string, string> = {
      FS000: './internal-error.test.ts',
      FS200: '../compile/typecheck.test.ts',
      // Links and bytes a case overlay cannot hold: these tests build the spec directory on disk.
      FS007: '../cli/spec-files.test.ts',
      FS008: '../cli/spec-files.test.ts',
    };
    const uncovered = [...documentedCodes().keys()].filter((c) => !cases.has(c) && !(c in internal));
    expect(uncovered).toEqual([]);
    for (const [code, file] of Object.entries(internal)) {
      expect(readFileSync(fileURLToPath(new URL(file, import.meta.url)), 'utf8')).toContain(`'${code}'`);
    }
  });

  it('gives each code the severity the validator uses', () => {
    const documented = documentedCodes();
    const sources = readdirSync(`${root}test/cases`).filter((n) => /^FS\d{3}-/.test(n));
    for (const name of sources) {
      const expected = readFileSync(`${root}test/cases/${name}/expected.txt`, 'utf8');
      const code = name.slice(0, 5);
      const line = expected.split('\n').find((l) => l.includes(` ${code}: `));
      expect(line, `${name} reports ${code}`).toBeDefined();
      expect(line).toContain(`: ${documented.get(code)} ${code}:`);
    }
  });
});
