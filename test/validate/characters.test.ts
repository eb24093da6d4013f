import { describe, expect, it } from 'vitest';
import { strangeCharacter, visible } from '../../compiler/diagnostics/characters.ts';

describe('strangeCharacter: what a name holds that it cannot, and what to do', () => {
  const rows: [string, number, string, string][] = [
    [
      'fs_nickn\u0430me',
      8,
      "'\u0430' (U+0430), which looks like 'a' but is another character",
      "retype it as 'a'",
    ],
    [
      'patient\u2013',
      7,
      "'\u2013' (U+2013), which looks like '-' but is another character",
      "retype it as '-'",
    ],
    ['to:\u00a0x', 3, 'a non-breaking space (U+00A0)', 'delete it, or type a plain space'],
    ['go\u200bld', 2, 'an invisible character (U+200B)', 'delete it, or type a plain space'],
    ['caf\u00e9', 3, "'\u00e9' (U+00E9), which is not plain ASCII", 'write it with plain ASCII letters'],
    ['a\tb', 1, 'a control character (U+0009)', 'delete it'],
    ['\u{1F9B7}x\u0430', 0, "'\u{1F9B7}' (U+1F9B7), which is not plain ASCII", 'write it with plain ASCII'],
  ];
  for (const [text, index, words, fix] of rows)
    it(JSON.stringify(text), () => {
      const found = strangeCharacter(text);
      expect(found?.index).toBe(index);
      expect(found?.words).toBe(words);
      expect(found?.fix.startsWith(fix)).toBe(true);
    });

  it('finds nothing in plain ASCII, and counts UTF-16 units past an astral character', () => {
    expect(strangeCharacter('fs_practicehubid-1 x')).toBeUndefined();
    expect(strangeCharacter('\u{1F9B7}')?.index).toBe(0);
    expect(strangeCharacter('ok\u{1F9B7}')?.index).toBe(2);
  });

  it('visible writes the characters that do not show as <U+XXXX>, and keeps the rest', () => {
    expect(visible('go\u200bld to:\u00a0x caf\u00e9 \u0430')).toBe(
      'go<U+200B>ld to:<U+00A0>x caf\u00e9 \u0430',
    );
  });

  it('visible writes control characters as <U+XXXX> too, so that a terminal shows them, but keeps line feeds', () => {
    expect(visible('Referral\u0007 source\rx\ty\u0085\nnext line')).toBe(
      'Referral<U+0007> source<U+000D>x<U+0009>y<U+0085>\nnext line',
    );
  });
});
