import { describe, expect, it } from 'vitest';
import { htmlText, markdownText, mdLabel, mdName, mdTable } from '../../compiler/diff/markdown.ts';
import { chainTexts, keyParts, templateText } from '../../compiler/diff/words.ts';

describe('Markdown and HTML escaping of spec strings', () => {
  it.each([
    ['fs_name', '`fs_name`'],
    ['patient-clinic', '`patient-clinic`'],
    ['a`b', 'a\\`b'],
    ['x|y', 'x\\|y'],
    ['<b>bold</b>', '&lt;b&gt;bold&lt;/b&gt;'],
    ['line\nbreak', 'line break'],
  ])('mdName(%j) = %j', (name, shown) => {
    expect(mdName(name)).toBe(shown);
  });

  it.each([
    ['</summary><script>', '&#60;/summary&#62;&#60;script&#62;'],
    ['a & b "c" \'d\'', 'a &#38; b &#34;c&#34; &#39;d&#39;'],
    ['one\ntwo\u2028three', 'one&#10;two&#8232;three'],
    ['fs_visit → 16/15', 'fs_visit → 16/15'],
    ['for @ops <#12>', 'for @<!-- -->ops &#60;#<!-- -->12&#62;'],
  ])('htmlText(%j) = %j', (text, shown) => {
    expect(htmlText(text)).toBe(shown);
  });

  // GitHub would notify @ops and link #12, GH-3 and owner/repo#4, even escaped with a backslash or
  // written as &#64; or &#35;: an empty comment after the sign keeps the text and stops the link.
  it.each([
    ['ask @ops', 'ask @<!-- -->ops'],
    ['@octo-org/admins', '@<!-- -->octo-org/admins'],
    [
      'see #12 and GH-3, gh-4, owner/repo#4',
      'see #<!-- -->12 and GH-<!-- -->3, gh-<!-- -->4, owner/repo#<!-- -->4',
    ],
    ['(@ops)', '(@<!-- -->ops)'],
    ['mail ops@example.com', 'mail ops@example.com'],
    ['# heading, #tag, @ alone, AGH-1', '# heading, #tag, @ alone, AGH-1'],
    ['a_@b', 'a\\_@<!-- -->b'],
  ])('markdownText(%j) = %j', (text, shown) => {
    expect(markdownText(text)).toBe(shown);
  });

  it('shows a ref as a code span unless it holds a backtick, a pipe or a line break', () => {
    expect(mdLabel('origin/main')).toBe('`origin/main`');
    expect(mdLabel('HEAD~1')).toBe('`HEAD~1`');
    expect(mdLabel('we`ird|ref')).toBe('we\\`ird\\|ref');
  });

  it('writes a table with a dash in empty cells', () => {
    expect(mdTable(['a', 'b'], [['1', '']])).toEqual(['| a | b |', '| --- | --- |', '| 1 | – |']);
  });
});

describe('step and key words', () => {
  it('names steps as the YAML does and shows parameters only for kinds whose parameters changed', () => {
    expect(
      chainTexts(
        [{ kind: 'trim' }, { kind: 'truncate', length: 100, flag: true }],
        [{ kind: 'trim' }, { kind: 'collapse_whitespace' }, { kind: 'truncate', length: 100, flag: true }],
      ),
    ).toEqual({ before: ['trim', 'truncate'], after: ['trim', 'collapse_whitespace', 'truncate'] });
    expect(
      chainTexts(
        [{ kind: 'truncate', length: 100, flag: true }],
        [{ kind: 'truncate', length: 50, flag: false }],
      ),
    ).toEqual({ before: ['truncate (length: 100)'], after: ['truncate (length: 50, flag: false)'] });
    expect(chainTexts([{ kind: 'map', map: 'gender@contact.gendercode' }], [])).toEqual({
      before: ['map: gender'],
      after: [],
    });
  });

  it("shows how a number default is converted when the column's type, precision or range changed", () => {
    const integer = { kind: 'integer', bits: 32, min: 1, max: 100 } as const;
    const decimal = { kind: 'decimal', precision: 2, min: undefined, max: 10 } as const;
    expect(
      chainTexts(
        [{ kind: 'default', value: 5, convert: integer, converted: false }],
        [{ kind: 'default', value: 5, convert: decimal, converted: false }],
      ),
    ).toEqual({
      before: ['default: 5 (integer, min: 1, max: 100)'],
      after: ['default: 5 (decimal, precision: 2, max: 10)'],
    });
    const big = { kind: 'integer', bits: 64, min: undefined, max: undefined } as const;
    expect(
      chainTexts(
        [{ kind: 'default', value: 5, convert: integer, converted: false }],
        [{ kind: 'default', value: 5, convert: big, converted: false }],
      ),
    ).toEqual({ before: ['default: 5 (integer, min: 1, max: 100)'], after: ['default: 5 (big integer)'] });
  });

  it('doubles literal braces of a template back', () => {
    expect(
      templateText([
        { kind: 'text', text: 'a {b} ' },
        { kind: 'field', path: ['x', 'y'] },
      ]),
    ).toBe('a {{b}} {x.y}');
  });

  it('names the parts of a key that changed', () => {
    const key = { kind: 'alternate' as const, column: 'fs_id', prefix: 'p-', sources: [['id']] };
    expect(keyParts(key, { ...key, prefix: 'q-' })).toEqual(['prefix']);
    expect(keyParts(key, { ...key, column: 'fs_other', sources: [['id'], ['clinic_id']] })).toEqual([
      'column',
      'source',
    ]);
    expect(keyParts(key, { kind: 'derived', prefix: 'p-', sources: [['id']] })).toEqual(['kind']);
  });
});
