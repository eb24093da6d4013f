import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { split, truncate } from '../../runtime/transforms/index.ts';
import { run } from './run.ts';

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;
/** True when a cut between two strings separates a surrogate pair. */
const splitsPair = (before: string, after: string) =>
  before.length > 0 &&
  after.length > 0 &&
  isHigh(before.charCodeAt(before.length - 1)) &&
  isLow(after.charCodeAt(0));

// [name, input, length, flag, value, flag detail or null]
const truncations: [string, string | null, number, boolean, string | null, string | null][] = [
  ['fits: unchanged, no flag', 'Ann', 50, true, 'Ann', null],
  ['exactly the length', 'abcde', 5, true, 'abcde', null],
  ['cut with a flag', 'abcdefgh', 5, true, 'abcde', 'cut from 8 to 5 characters'],
  ['cut without a flag', 'abcdefgh', 5, false, 'abcde', null],
  ['emoji counts two units', 'Zoë 🌸', 5, true, 'Zoë ', 'cut from 6 to 4 characters'],
  ['emoji fits in two units', 'ab🌸', 4, true, 'ab🌸', null],
  ['cut after a whole pair', 'ab🌸cd', 4, true, 'ab🌸', 'cut from 6 to 4 characters'],
  [
    'length 1 before a pair: nothing fits, no value rather than empty text',
    '🌸x',
    1,
    true,
    null,
    'cut from 3 to 0 characters: its first character takes 2 units; no value written',
  ],
  ['nothing fits, without a flag', '🌸', 1, false, null, null],
  [
    'combining mark may be cut off its letter',
    'e\u0301e\u0301',
    3,
    true,
    'e\u0301e',
    'cut from 4 to 3 characters',
  ],
  ['lone surrogate is cut like any unit', 'ab\ud800cd', 3, true, 'ab\ud800', 'cut from 5 to 3 characters'],
  ['null stays null', null, 5, true, null, null],
  ['empty stays empty', '', 5, true, '', null],
  [
    'the long first name of the sandbox (50)',
    'Maria-Guadalupe Concepción de los Ángeles Fernández-Villanueva y Montoya',
    50,
    true,
    'Maria-Guadalupe Concepción de los Ángeles Fernánde',
    'cut from 72 to 50 characters',
  ],
];

describe('truncate', () => {
  it.each(truncations)('%s', (_name, input, length, withFlag, value, detail) => {
    const out = run((i, c) => truncate(input, length, withFlag, i, c));
    expect(out.value).toBe(value);
    expect(out.issues.flags).toEqual(detail === null ? [] : [{ column: 'col', code: 'truncated', detail }]);
  });

  it('cuts a number that arrives where text was declared as its text form', () => {
    const out = run((i, c) => truncate(1234567 as unknown as string, 3, true, i, c));
    expect(out).toMatchObject({ value: '123', flags: ['truncated'] });
    expect(run((i, c) => truncate(undefined as unknown as string, 3, true, i, c)).value).toBeNull();
    expect(run((i, c) => split(123456 as unknown as string, 4, i, c)).value).toEqual(['1234', '56']);
    expect(run((i, c) => split({} as unknown as string, 4, i, c)).value).toEqual([]);
  });

  it('cuts a huge string', () => {
    const out = run((i, c) => truncate('x'.repeat(2_000_000), 32_768, true, i, c));
    expect(out.value!.length).toBe(32_768);
    expect(out.issues.flags[0]!.detail).toBe('cut from 2000000 to 32768 characters');
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses length %j', (length) => {
    expect(() => run((i, c) => truncate('abc', length, true, i, c))).toThrow(RangeError);
  });
});

// [name, input, length, parts, flag detail or null]
const splits: [string, string | null, number, string[], string | null][] = [
  ['null → no parts', null, 10, [], null],
  ['empty → no parts', '', 10, [], null],
  ['fits → one part, no flag', 'short', 10, ['short'], null],
  ['exactly the length → one part', '0123456789', 10, ['0123456789'], null],
  [
    'hard cut without whitespace',
    'abcdefghijklmnopqrstuvwxy',
    10,
    ['abcdefghij', 'klmnopqrst', 'uvwxy'],
    'split into 3 parts of at most 10 characters',
  ],
  [
    'breaks after a space in the last tenth',
    'aaaaaaaaa bbbbbbbbb ccc',
    10,
    ['aaaaaaaaa ', 'bbbbbbbbb ', 'ccc'],
    'split into 3 parts of at most 10 characters',
  ],
  [
    'ignores a space before the last tenth',
    'aaaa bbbbbbbbbbbbbbbb',
    10,
    ['aaaa bbbbb', 'bbbbbbbbbb', 'b'],
    'split into 3 parts of at most 10 characters',
  ],
  [
    'breaks after a newline',
    `${'a'.repeat(95)}\n${'b'.repeat(50)}`,
    100,
    [`${'a'.repeat(95)}\n`, 'b'.repeat(50)],
    'split into 2 parts of at most 100 characters',
  ],
  [
    'breaks after the last whitespace of the window',
    `${'a'.repeat(91)} b c ${'d'.repeat(20)}`,
    100,
    [`${'a'.repeat(91)} b c `, 'd'.repeat(20)],
    'split into 2 parts of at most 100 characters',
  ],
  [
    'does not break at a no-break space',
    'aaaaaaaaa\u00a0bbbbbbbbb',
    10,
    ['aaaaaaaaa\u00a0', 'bbbbbbbbb'],
    'split into 2 parts of at most 10 characters',
  ],
  [
    'never inside a surrogate pair',
    'abcdefghi🌸jklmnop',
    10,
    ['abcdefghi', '🌸jklmnop'],
    'split into 2 parts of at most 10 characters',
  ],
  ['length 2 with pairs only', '🌸🌸🌸', 2, ['🌸', '🌸', '🌸'], 'split into 3 parts of at most 2 characters'],
];

describe('split', () => {
  it.each(splits)('%s', (_name, input, length, parts, detail) => {
    const out = run((i, c) => split(input, length, i, c));
    expect(out.value).toEqual(parts);
    expect(out.issues.flags).toEqual(detail === null ? [] : [{ column: 'col', code: 'split', detail }]);
  });

  it('splits a note longer than 32,768 characters in parts that rejoin', () => {
    const note = `${'Session notes. '.repeat(8000)}end`;
    const out = run((i, c) => split(note, 32_768, i, c));
    // 'Session notes. ' has spaces at offsets 7 and 14 of every 15 characters. Windows end at 32,768
    // (index 32,767 ≡ 7), 65,535 (index 65,534 ≡ 14) and 98,303 (index 98,302 ≡ 7): each part ends
    // right after a space; 120,003 − 98,303 = 21,700 remain.
    expect(out.value.map((p) => p.length)).toEqual([32_768, 32_767, 32_768, 21_700]);
    expect(out.value.slice(0, -1).every((p) => p.endsWith(' '))).toBe(true);
    expect(out.value.join('')).toBe(note);
  });

  it.each([1, 0, 2.5])('refuses length %j', (length) => {
    expect(() => run((i, c) => split('abc', length, i, c))).toThrow(RangeError);
  });
});

const text = fc.string({
  unit: fc.constantFrom('a', 'b', ' ', '\n', '🌸', 'é', '\u00a0', '\ud800'),
  maxLength: 300,
});

describe('length properties', () => {
  it('truncate never exceeds the length, never splits a pair, keeps a prefix, and never cuts to empty text', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 60 }), (s, length) => {
        const out = run((i, c) => truncate(s, length, true, i, c));
        if (s.length > 0) expect(out.value).not.toBe('');
        const value = out.value ?? '';
        expect(value.length).toBeLessThanOrEqual(length);
        expect(s.startsWith(value)).toBe(true);
        expect(splitsPair(value, s.slice(value.length))).toBe(false);
        expect(value.length).toBeGreaterThanOrEqual(Math.min(s.length, length) - 1);
        expect(out.flags).toEqual(s.length > length ? ['truncated'] : []);
      }),
    );
  });

  it('split parts join back to the original, each within the length and none splitting a pair', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 2, max: 60 }), (s, length) => {
        const out = run((i, c) => split(s, length, i, c));
        expect(out.value.join('')).toBe(s);
        for (const [k, part] of out.value.entries()) {
          expect(part.length).toBeGreaterThan(0);
          expect(part.length).toBeLessThanOrEqual(length);
          const next = out.value[k + 1];
          if (next !== undefined) expect(splitsPair(part, next)).toBe(false);
        }
        expect(out.flags).toEqual(out.value.length > 1 ? ['split'] : []);
      }),
    );
  });
});
