import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../cli/io.ts';
import { run } from '../../cli/main.ts';
import { cutMarkdown } from '../../compiler/diff/cut.ts';
import { diffSides } from '../../compiler/diff/diff.ts';
import { renderJson } from '../../compiler/diff/render-json.ts';
import { renderMarkdown } from '../../compiler/diff/render-md.ts';
import { createSchemaValidators, type SchemaValidators } from '../../compiler/validate/schemas.ts';
import { CASES_DIR } from '../support/cases.ts';
import { tempDir } from '../support/tmp.ts';
import { built, caseSide } from './support.ts';

let validators: SchemaValidators;
beforeAll(() => {
  validators = createSchemaValidators();
});

const code = (i: number) => `code-${String(i).padStart(4, '0')}`;

/**
 * The gender value map with `codes` entries, `code-0000` on: base maps 0–2,999 to Male; head maps
 * 0–999 to Female (1,000 changed), keeps 1,000–1,999, drops 2,000–2,999 and adds 3,000–4,999.
 */
function genderMap(side: 'base' | 'head'): string {
  const entries = ['  female: Female', '  male: Male', '  other: ~'];
  for (let i = 0; i < 5000; i += 1) {
    if (side === 'base' && i < 3000) entries.push(`  ${code(i)}: Male`);
    if (side === 'head' && i < 1000) entries.push(`  ${code(i)}: Female`);
    if (side === 'head' && i >= 1000 && i < 2000) entries.push(`  ${code(i)}: Male`);
    if (side === 'head' && i >= 3000) entries.push(`  ${code(i)}: Female`);
  }
  return ['version: 1', 'kind: choice', 'entries:', ...entries, ''].join('\n');
}

/** The base spec of the golden cases with the generated gender map. */
function side(which: 'base' | 'head') {
  // No folder test/diff-cases/generated: the base spec as it is, before the map is laid over it.
  const input = caseSide('generated', 'base');
  const files = new Map(input.files).set('valuemaps/gender.yaml', genderMap(which));
  return built({ ...input, files }, validators);
}

const LABELS = { base: 'base', head: 'head' };

/** `<details>` and `</details>` lines pair up, in order, and none is left open. */
function balanced(markdown: string): boolean {
  let depth = 0;
  for (const line of markdown.split('\n')) {
    if (line === '<details>') depth += 1;
    if (line === '</details>' && --depth < 0) return false;
  }
  return depth === 0;
}

describe('a value map of thousands of changed entries', () => {
  it('lists the first entries and a row counting them all in Markdown, and every entry in JSON', () => {
    const diff = diffSides(side('base'), side('head'));
    const md = renderMarkdown(diff, LABELS);
    // With every entry listed, this map made 175,059 bytes of Markdown.
    expect(Buffer.byteLength(md)).toBeLessThan(5000);
    expect(md).toContain(
      '| (3990 more) | 4000 entries: 1000 changed, 1000 removed, 2000 added | all of them: `flitstack diff --format json` |',
    );
    const rows = md.split('\n').filter((l) => l.startsWith('| code-'));
    expect(rows).toHaveLength(10);
    expect(rows[0]).toBe('| code-0000 | Male (1) | Female (2) |');
    expect(md).toContain('"code-0002": Male (1) → Female (2), and 997 more.**');
    const json = JSON.parse(renderJson(diff, LABELS));
    const entries = json.mappings[0].changes[0].entries as { source: string }[];
    expect(entries).toHaveLength(4000);
    expect(entries.map((e) => e.source)).toContain(code(4999));
    expect(json.risks[0].count).toBe(1000);
  });
});

describe('cutMarkdown', () => {
  /** A diff of one mapping section holding `rows` table rows, and sections after it. */
  const long = (rows: number) =>
    [
      '## Mapping diff',
      '',
      'Base `base` → head `head`.',
      '',
      '**Summary:** 2 mappings changed.',
      '',
      '### Mappings',
      '',
      '<details>',
      '<summary><code>patient</code>: 1 change</summary>',
      '',
      '| change | what | before | after |',
      '| --- | --- | --- | --- |',
      ...Array.from({ length: rows }, (_, i) => `| field added | \`fs_${i}\` | – | from x${i} · ä |`),
      '',
      '</details>',
      '',
      '<details>',
      '<summary><code>clinic</code>: 1 change</summary>',
      '',
      '| change | what | before | after |',
      '| --- | --- | --- | --- |',
      '| source | `name` | from name | from title |',
      '',
      '</details>',
      '',
      '### Migration settings',
      '',
      '| setting | before | after |',
      '| --- | --- | --- |',
      '| name | a | b |',
      '',
    ].join('\n');

  it('leaves Markdown that fits as it is', () => {
    expect(cutMarkdown(long(3), 60000)).toBe(long(3));
  });

  it('keeps whole sections within the budget, closes every <details> and says what is left out, at any budget', () => {
    const md = long(60);
    for (let budget = 1000; budget < Buffer.byteLength(md); budget += 37) {
      const cut = cutMarkdown(md, budget);
      expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(budget);
      expect(balanced(cut)).toBe(true);
      expect(cut).toMatch(/\n\n\*The diff is cut here to keep within \d+ bytes; not shown: .+\*\n$/);
      // Whole lines of the diff, in order, then the closing of a section cut inside, and the cut line.
      const body = cut.slice(0, cut.indexOf('*The diff is cut'));
      const unclosed = [body.replace(/\n<\/details>\n\n$/, ''), body.replace(/\n$/, '')];
      expect(unclosed.some((b) => md.startsWith(b))).toBe(true);
    }
    // Room for the first section and the cut line, not for the second section.
    const md15 = long(15);
    const budget = Buffer.byteLength(md15.slice(0, md15.indexOf('<details>\n<summary><code>clinic'))) + 160;
    expect(Buffer.byteLength(md15)).toBeGreaterThan(budget);
    expect(cutMarkdown(md15, budget)).toContain(
      `</details>\n\n*The diff is cut here to keep within ${budget} bytes; not shown: 1 collapsed section, Migration settings.`,
    );
  });

  it('cuts a section too long for any budget after a whole table row, and closes it', () => {
    const md = long(5000);
    const cut = cutMarkdown(md, 60000);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(60000);
    expect(Buffer.byteLength(cut)).toBeGreaterThan(59000);
    expect(balanced(cut)).toBe(true);
    const lines = cut.split('\n');
    const last = lines.findLastIndex((l) => l.startsWith('| field added'));
    expect(lines.slice(last + 1, last + 3)).toEqual(['', '</details>']);
    expect(lines[last]).toMatch(/^\| field added \| `fs_\d+` \| – \| from x\d+ · ä \|$/);
    expect(cut).toContain('not shown: the rest of this section, 1 collapsed section, Migration settings.');
    // What a byte count alone (head -c) does: a section left open and a row cut in two.
    const byBytes = Buffer.from(md).subarray(0, 60000).toString();
    expect(balanced(byBytes)).toBe(false);
  });
});

describe('flitstack diff --max-bytes', () => {
  async function flitstack(cwd: string, ...args: string[]) {
    const io = bufferIo(cwd);
    const exit = await run(['node', 'flitstack', ...args], io);
    return { exit, out: io.stdout(), err: io.stderr() };
  }

  function specs(): string {
    const dir = tempDir('flitstack-diff-budget-');
    for (const which of ['base', 'head'] as const) {
      cpSync(join(CASES_DIR, '_base', 'spec'), join(dir, which), { recursive: true });
      mkdirSync(join(dir, which, 'valuemaps'), { recursive: true });
      writeFileSync(join(dir, which, 'valuemaps/gender.yaml'), genderMap(which));
    }
    return dir;
  }

  it('cuts the comment at a section boundary with every <details> closed', async () => {
    const dir = specs();
    const whole = await flitstack(dir, 'diff', '--base', 'base', '--head', 'head');
    const cut = await flitstack(dir, 'diff', '--base', 'base', '--head', 'head', '--max-bytes', '1000');
    expect(cut.exit).toBe(1);
    expect(Buffer.byteLength(whole.out)).toBeGreaterThan(1000);
    expect(Buffer.byteLength(cut.out)).toBeLessThanOrEqual(1000);
    expect(balanced(cut.out)).toBe(true);
    expect(cut.out).toContain(
      '*The diff is cut here to keep within 1000 bytes; not shown: 1 collapsed section, Mappings.',
    );
    const roomy = await flitstack(dir, 'diff', '--base', 'base', '--head', 'head', '--max-bytes', '60000');
    expect(roomy.out).toBe(whole.out);
  });

  it('refuses a budget too small to hold the summary, or one given with --format json (exit 2)', async () => {
    const dir = specs();
    const small = await flitstack(dir, 'diff', '--base', 'base', '--head', 'head', '--max-bytes', '60k');
    expect(small.exit).toBe(2);
    expect(small.err).toContain('--max-bytes 60k: give a whole number of bytes, at least 1000');
    const json = await flitstack(
      dir,
      'diff',
      '--base',
      'base',
      '--head',
      'head',
      '--format',
      'json',
      '--max-bytes',
      '60000',
    );
    expect(json.exit).toBe(2);
    expect(json.err).toContain('the JSON output is never cut');
  });
});
