import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  collapseWhitespace,
  lowercase,
  nullIfEmpty,
  stripControl,
  titlecase,
  trim,
  uppercase,
} from '../../runtime/transforms/index.ts';
import { isTrimmed, LONE_SURROGATE } from '../../runtime/transforms/text.ts';

type Step = (v: unknown) => string | null;

const big = 'x'.repeat(1_000_000);

const rows: [string, Step, unknown, string | null][] = [
  // trim
  ['trim: spaces both ends', trim, '  Ann  ', 'Ann'],
  ['trim: tabs, newlines, NBSP, BOM, line separator', trim, '\t\n\u00a0\ufeff\u2028Ann\r\n', 'Ann'],
  ['trim: inner whitespace stays', trim, ' a  b ', 'a  b'],
  ['trim: only whitespace → empty text', trim, ' \t ', ''],
  ['trim: number → its text', trim, 42, '42'],
  ['trim: negative zero prints as 0', trim, -0, '0'],
  ['trim: boolean → true/false', trim, false, 'false'],
  ['trim: null stays null', trim, null, null],
  ['trim: undefined is null', trim, undefined, null],
  ['trim: NaN has no text', trim, Number.NaN, null],
  ['trim: Infinity has no text', trim, Number.POSITIVE_INFINITY, null],
  ['trim: object has no text', trim, { a: 1 }, null],
  ['trim: array has no text', trim, ['a'], null],
  ['trim: emoji kept', trim, ' 🌸 ', '🌸'],
  ['trim: huge string', trim, ` ${big} `, big],
  // lowercase / uppercase
  ['lowercase: ASCII', lowercase, 'JOHN', 'john'],
  ['lowercase: accented', lowercase, 'ÉLODIE', 'élodie'],
  ['lowercase: Greek final sigma', lowercase, 'ΟΔΟΣ', 'οδος'],
  ['lowercase: İ would grow to two units, so it stays', lowercase, 'İSTANBUL', 'İstanbul'],
  ['lowercase: number', lowercase, 7, '7'],
  ['lowercase: null', lowercase, null, null],
  ['uppercase: ASCII', uppercase, 'smith', 'SMITH'],
  ['uppercase: ß would grow to SS, so it stays', uppercase, 'straße', 'STRAßE'],
  ['uppercase: emoji unchanged', uppercase, 'jack 👍🏽', 'JACK 👍🏽'],
  ['uppercase: boolean', uppercase, true, 'TRUE'],
  // titlecase
  ['titlecase: all caps', titlecase, 'JOHN SMITH', 'John Smith'],
  ['titlecase: hyphen and apostrophe start words', titlecase, "mary-jane o'neil", "Mary-Jane O'Neil"],
  ['titlecase: internal capitals are lost', titlecase, 'McDonald', 'Mcdonald'],
  ['titlecase: digits are part of a word', titlecase, '3rd floor', '3rd Floor'],
  ['titlecase: combining mark does not start a word', titlecase, 'e\u0301lodie', 'E\u0301lodie'],
  ['titlecase: accented first letter', titlecase, 'éLODIE', 'Élodie'],
  ['titlecase: emoji then word', titlecase, '✨luna✨', '✨Luna✨'],
  ['titlecase: null', titlecase, null, null],
  // collapseWhitespace
  ['collapse: runs of spaces', collapseWhitespace, 'a   b', 'a b'],
  ['collapse: tabs and newlines', collapseWhitespace, 'a\t\n b', 'a b'],
  ['collapse: single tab becomes space', collapseWhitespace, 'a\tb', 'a b'],
  ['collapse: line separator', collapseWhitespace, 'Anne\u2028Marie', 'Anne Marie'],
  ['collapse: does not trim', collapseWhitespace, '  a  ', ' a '],
  ['collapse: clean text unchanged', collapseWhitespace, 'a b c', 'a b c'],
  ['collapse: number', collapseWhitespace, 12, '12'],
  ['collapse: null', collapseWhitespace, null, null],
  // stripControl
  ['strip: NUL and BEL removed', stripControl, 'Eve\u0000 Bob\u0007', 'Eve Bob'],
  ['strip: tab, LF, CR kept', stripControl, 'a\tb\nc\rd', 'a\tb\nc\rd'],
  ['strip: VT and FF removed', stripControl, 'a\u000bb\u000cc', 'abc'],
  ['strip: ESC sequence loses only ESC', stripControl, '\u001b[0m', '[0m'],
  ['strip: DEL and C1 removed', stripControl, 'a\u007fb\u0085c\u009fd', 'abcd'],
  ['strip: U+2028 and U+2029 kept', stripControl, 'one\u2028two\u2029three', 'one\u2028two\u2029three'],
  ['strip: emoji (surrogate pairs) kept', stripControl, 'Zoë 🌸 👨‍👩‍👧', 'Zoë 🌸 👨‍👩‍👧'],
  ['strip: lone high surrogate removed', stripControl, 'a\ud83cb', 'ab'],
  ['strip: lone low surrogate removed', stripControl, 'a\udf38b', 'ab'],
  ['strip: reversed pair removed', stripControl, '\udf38\ud83c', ''],
  ['strip: noncharacters U+FFFE/U+FFFF removed', stripControl, 'a\ufffeb\uffff', 'ab'],
  ['strip: replacement character kept', stripControl, 'a\ufffdb', 'a\ufffdb'],
  ['strip: zero-width joiner kept', stripControl, 'a\u200db', 'a\u200db'],
  ['strip: null', stripControl, null, null],
  // nullIfEmpty
  ['nullIfEmpty: empty', nullIfEmpty, '', null],
  ['nullIfEmpty: whitespace only', nullIfEmpty, ' \t\n', null],
  ['nullIfEmpty: NBSP only', nullIfEmpty, '\u00a0', null],
  ['nullIfEmpty: text kept as is', nullIfEmpty, ' a ', ' a '],
  ['nullIfEmpty: zero is a value', nullIfEmpty, 0, '0'],
  ['nullIfEmpty: false is a value', nullIfEmpty, false, 'false'],
  ['nullIfEmpty: null', nullIfEmpty, null, null],
];

describe('text steps', () => {
  it.each(rows)('%s', (_name, step, input, expected) => {
    expect(step(input)).toBe(expected);
  });
});

/** An independent statement of which code units stripControl removes (besides lone surrogates). */
const removed = (c: number): boolean =>
  c <= 0x08 ||
  c === 0x0b ||
  c === 0x0c ||
  (c >= 0x0e && c <= 0x1f) ||
  (c >= 0x7f && c <= 0x9f) ||
  c >= 0xfffe;

const anyText = fc.string({ unit: 'binary', maxLength: 200 });

describe('text step properties', () => {
  it('every step is idempotent', () => {
    const steps: Step[] = [
      trim,
      lowercase,
      uppercase,
      titlecase,
      collapseWhitespace,
      stripControl,
      nullIfEmpty,
    ];
    fc.assert(
      fc.property(anyText, (s) => {
        for (const step of steps) {
          const once = step(s);
          expect(step(once)).toBe(once);
        }
      }),
    );
  });

  it('isTrimmed holds only for text that String.prototype.trim leaves as it is', () => {
    const edge = fc.constantFrom(
      'a',
      '~',
      '!',
      ' ',
      '\t',
      '\u00a0',
      '\ufeff',
      '\u2028',
      '\u0085',
      '\u007f',
      '',
    );
    fc.assert(
      fc.property(edge, anyText, edge, (a, s, b) => {
        const text = a + s + b;
        if (isTrimmed(text)) expect(text.trim()).toBe(text);
      }),
    );
  });

  it('collapseWhitespace is a replace of every whitespace run, with or without its ASCII shortcut', () => {
    const unit = fc.constantFrom(
      'a',
      'Z',
      ' ',
      ' ',
      '\t',
      '\n',
      '\r',
      '\u000b',
      '\u000c',
      '\u001f',
      '\u00a0',
      '\u2028',
      '\u3000',
      '\ufeff',
      'é',
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 30 }), (s) => {
        expect(collapseWhitespace(s)).toBe(s.replace(/\s+/g, ' '));
      }),
      { numRuns: 3000 },
    );
  });

  it('titlecase on ASCII text follows the same word rule as on Unicode text', () => {
    const rule = (s: string) =>
      s
        .toLowerCase()
        .replace(/(^|[^\p{L}\p{M}\p{N}])(\p{Ll})/gu, (_m, b: string, l: string) => b + l.toUpperCase());
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom('a', 'B', 'z', '9', ' ', '-', "'", '.', '_', '\t'),
          maxLength: 40,
        }),
        (s) => {
          expect(titlecase(s)).toBe(rule(s));
        },
      ),
    );
  });

  it('no step makes text longer', () => {
    const steps: Step[] = [trim, lowercase, uppercase, titlecase, collapseWhitespace, stripControl];
    fc.assert(
      fc.property(anyText, (s) => {
        for (const step of steps) expect(step(s)!.length).toBeLessThanOrEqual(s.length);
      }),
    );
  });

  it('stripControl leaves well-formed text without C0/C1 controls except tab and line breaks', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const out = stripControl(s)!;
        expect(LONE_SURROGATE.test(out)).toBe(false);
        expect([...out].filter((c) => removed(c.charCodeAt(0)))).toEqual([]);
      }),
    );
  });

  it('stripControl keeps well-formed text without controls unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 50 }), (s) => {
        const clean = [...s].filter((c) => !removed(c.charCodeAt(0))).join('');
        expect(stripControl(clean)).toBe(clean);
      }),
    );
  });
});
