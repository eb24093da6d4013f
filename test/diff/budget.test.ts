import { beforeAll, describe, expect, it } from 'vitest';
import { diffSides } from '../../compiler/diff/diff.ts';
import { renderJson } from '../../compiler/diff/render-json.ts';
import { renderMarkdown } from '../../compiler/diff/render-md.ts';
import { createSchemaValidators, type SchemaValidators } from '../../compiler/validate/schemas.ts';
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
