import { describe, expect, it } from 'vitest';
import { readSpecDir } from '../../cli/spec-files.ts';
import { compileSpec } from '../../compiler/compile.ts';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import { ROOT } from '../support/tmp.ts';

/** Lines of `after` not in `before`, and of `before` not in `after`, counted as multisets. */
function changedLines(before: string, after: string): { removed: string[]; added: string[] } {
  const count = (text: string) => {
    const counts = new Map<string, number>();
    for (const line of text.split('\n')) counts.set(line, (counts.get(line) ?? 0) + 1);
    return counts;
  };
  const only = (a: Map<string, number>, b: Map<string, number>) =>
    [...a].flatMap(([line, n]) => Array<string>(Math.max(0, n - (b.get(line) ?? 0))).fill(line));
  const [a, b] = [count(before), count(after)];
  return { removed: only(a, b), added: only(b, a) };
}

function transformer(files: ReadonlyMap<string, string>): string {
  const result = compileSpec({ root: 'spec', files }, createSchemaValidators(), { typecheck: false });
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return result.files.find((f) => f.path === 'generated/transformer.ts')!.contents;
}

describe('generated/transformer.ts in a pull request', () => {
  it('changes by a few short lines when the spec gains one custom column', () => {
    const shipped = readSpecDir('spec', ROOT).files;
    const insurance = shipped.get('objects/insurance.yaml')!;
    const added = `${insurance.trimEnd()}
  - to: fs_insurancevalidfrom
    from: valid_from
    transform: [date_only]
    custom: { type: date, label: Insurance valid from }
`;
    const before = transformer(shipped);
    const after = transformer(new Map([...shipped, ['objects/insurance.yaml', added]]));
    const { removed, added: lines } = changedLines(before, after);
    // The column appears in the row type, the transform, TABLES, RESOURCES and the mapping's column list.
    expect(lines.some((l) => l.includes('"fs_insurancevalidfrom": {"type":"date"'))).toBe(true);
    expect(lines.some((l) => /^ +"valid_from",$/.test(l))).toBe(true);
    expect(removed.length).toBeLessThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(6);
    // No rewritten line carries the rest of a constant with it (TABLES was one 12,000-character line).
    expect(Math.max(...[...removed, ...lines].map((l) => l.length))).toBeLessThan(200);
  });

  it('keeps every exported constant an entry per line', () => {
    const text = transformer(readSpecDir('spec', ROOT).files);
    for (const name of [
      'MIGRATION',
      'LOAD_ORDER',
      'TABLES',
      'RESOURCES',
      'VALUE_MAPS',
      'STATE_MAPS',
      'MAPPINGS',
    ]) {
      const start = text.indexOf(`export const ${name} = `);
      expect(start, name).toBeGreaterThan(0);
      const body = text.slice(start, text.indexOf(' satisfies ', start)).split('\n');
      expect(body.length, name).toBeGreaterThan(3);
      for (const line of body)
        if (!line.trimStart().startsWith('description: '))
          expect(line.length, `${name}: ${line}`).toBeLessThanOrEqual(130);
    }
  });
});
