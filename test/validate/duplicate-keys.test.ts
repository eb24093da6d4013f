import { describe, expect, it } from 'vitest';
import { parseYamlFile } from '../../compiler/load/yaml-file.ts';

const duplicates = (text: string) =>
  parseYamlFile('spec/valuemaps/x.yaml', text)
    .syntax.filter((p) => p.code === 'FS002')
    .map((p) => `${p.line}:${p.column} ${p.message}`);

describe('FS002 duplicate keys', () => {
  it('names the key and the line of its first occurrence, at the repeat', () => {
    expect(duplicates('version: 1\nentries:\n  card: card\n  cash: cash\n  card: cash\n')).toEqual([
      "5:3 duplicate key 'card': it is already written on line 3 of this mapping",
    ]);
  });

  it('finds keys written once plain and once quoted, and in flow mappings', () => {
    expect(duplicates('entries: { 1: a, "1": b }\nother:\n  - { x: 1, y: 2, x: 3 }\n')).toEqual([
      "1:18 duplicate key '1': it is already written on line 1 of this mapping",
      "3:19 duplicate key 'x': it is already written on line 3 of this mapping",
    ]);
  });

  it('keeps the first of the two in the data', () => {
    expect(parseYamlFile('x.yaml', 'a: 1\nb: 2\na: 3\n').data).toEqual({ a: 1, b: 2 });
  });

  it('does not compare every key with every other: 100,000 entries parse in seconds', () => {
    const lines = Array.from({ length: 100_000 }, (_, i) => `  legacy_${i}: cash`);
    const text = `version: 1\nkind: choice\nentries:\n${lines.join('\n')}\n  legacy_7: card\n`;
    const started = performance.now();
    expect(duplicates(text)).toEqual([
      "100004:3 duplicate key 'legacy_7': it is already written on line 11 of this mapping",
    ]);
    // The parser's own check took about a minute here (quadratic); linear parsing takes a few seconds.
    expect(performance.now() - started).toBeLessThan(20_000);
  }, 120_000);
});
