import fc from 'fast-check';
import {
  type CountryCode,
  getCountries,
  getCountryCallingCode,
  parsePhoneNumberFromString,
} from 'libphonenumber-js/min';
import { describe, expect, it } from 'vitest';
import { type PhonePolicy, phone } from '../../runtime/transforms/index.ts';
import { PlanBook } from '../../runtime/transforms/phone-book.ts';
import { readNumber } from '../../runtime/transforms/phone-plan.ts';
import { isSure, NOTHING_SURE, surelyMatching } from '../../runtime/transforms/phone-sure.ts';
import { extensionOf, plainDigits } from '../../runtime/transforms/phone-text.ts';
import { run, texts } from './run.ts';

// [name, input, default country, E.164]: numbers that are possible (the sandbox's formats included).
const possible: [string, unknown, string, string][] = [
  ['international with spaces', '+44 20 7946 0123', 'GB', '+442079460123'],
  ['national London', '020 7946 0123', 'GB', '+442079460123'],
  ['national mobile (Ofcom drama range)', '07700 900123', 'GB', '+447700900123'],
  ['national mobile, no spaces', '07700900123', 'GB', '+447700900123'],
  ['already E.164', '+447700900123', 'GB', '+447700900123'],
  ['international with (0)', '+44 (0)7700 900 123', 'GB', '+447700900123'],
  ['IDD prefix 00', '00 44 20 7946 0123', 'GB', '+442079460123'],
  ['NANP with brackets (fictional 555)', '(555) 010-1234', 'US', '+15550101234'],
  ['NANP with trunk prefix 1', '1 (213) 373-4253', 'US', '+12133734253'],
  ['NANP international from a GB clinic', '+1 555 010 1234', 'GB', '+15550101234'],
  ['Australian mobile', '0412 345 678', 'AU', '+61412345678'],
  ['Australian fictional range', '0491 570 123', 'AU', '+61491570123'],
  ['Australian international', '+61 491 570 123', 'GB', '+61491570123'],
  ['Irish international', '+353 1 555 1234', 'GB', '+35315551234'],
  ['Jersey number under +44', '01534 123456', 'JE', '+441534123456'],
  // The digits already fit the national pattern and without the trunk digit they would not: kept.
  ['Russian number starting with the trunk digit 8', '8572009951', 'RU', '+78572009951'],
  ['Belarusian number starting with the trunk digit 8', '803 319 1398', 'BY', '+3758033191398'],
  ['dots as separators', '020.7946.0123', 'GB', '+442079460123'],
  ['full-width digits', '０２０ ７９４６ ０１２３', 'GB', '+442079460123'],
  ['a number value', 2079460123, 'GB', '+442079460123'],
  ['surrounding whitespace', '\t 020 7946 0123 \n', 'GB', '+442079460123'],
];

// [name, input, default country]: not one possible number.
const impossible: [string, unknown, string][] = [
  ['N/A', 'N/A', 'GB'],
  ['none', 'none', 'GB'],
  ['a zero', '0', 'GB'],
  ['words', 'call reception', 'GB'],
  ['seven-digit NANP local number', '555-0123', 'US'],
  ['too few digits', '0123 45', 'GB'],
  ['trunk prefix kept by the library (+44 0207946)', '020 7946', 'GB'],
  ['Australian number read as British (no UK number starts 04)', '0491 570 123', 'GB'],
  ['annotation after the number', '07700 900123 (mum)', 'GB'],
  ['two numbers', '07700 900 123 / 020 7946 0123', 'GB'],
  ['too many digits', '020 7946 0123 4567 89', 'GB'],
  ['letters inside', '020 79A6 0123', 'GB'],
  ['emoji', '📞 020 7946 0123', 'GB'],
  ['control character', '020 7946\u0000 0123', 'GB'],
  ['huge digit string', '1'.repeat(100_000), 'GB'],
  ['a boolean', true, 'GB'],
];

describe('phone', () => {
  it.each(possible)('%s', (_name, input, country, expected) => {
    for (const policy of ['reject', 'drop_with_flag', 'keep_with_flag'] as PhonePolicy[]) {
      const out = run((i, c) => phone(input, country, policy, 50, i, c));
      expect(out).toMatchObject({ value: expected, flags: [], rejections: [] });
    }
  });

  it.each(impossible)('reject: %s', (_name, input, country) => {
    expect(run((i, c) => phone(input, country, 'reject', 50, i, c))).toMatchObject({
      value: null,
      flags: [],
      rejections: ['invalid_phone'],
    });
  });

  it.each(impossible)('drop_with_flag: %s', (_name, input, country) => {
    expect(run((i, c) => phone(input, country, 'drop_with_flag', 50, i, c))).toMatchObject({
      value: null,
      flags: ['invalid_phone_dropped'],
      rejections: [],
    });
  });

  it.each([
    ['N/A', 'N/A'],
    ['07700 900123 (mum)', '07700 900123 (mum)'],
    ['  call reception  ', 'call reception'],
    [true, 'true'],
    ['N/A\u0000', 'N/A'],
  ])('keep_with_flag keeps %j as typed, trimmed, without control characters', (input, kept) => {
    expect(run((i, c) => phone(input, 'GB', 'keep_with_flag', 50, i, c))).toMatchObject({
      value: kept,
      flags: ['invalid_phone_kept'],
      rejections: [],
    });
  });

  it('keep_with_flag drops typed text longer than the column', () => {
    const out = run((i, c) => phone('07700 900 123 / 020 7946 0123', 'GB', 'keep_with_flag', 20, i, c));
    expect(out).toMatchObject({ value: null, flags: ['invalid_phone_dropped'], rejections: [] });
    expect(out.issues.flags[0]!.detail).toContain('(29 characters) is longer than 20');
  });

  it('keep_with_flag has nothing to keep of an object', () => {
    expect(run((i, c) => phone({ n: 1 }, 'GB', 'keep_with_flag', 50, i, c))).toMatchObject({
      value: null,
      flags: ['invalid_phone_dropped'],
    });
  });

  it('an E.164 number longer than the column follows the policy', () => {
    expect(run((i, c) => phone('020 7946 0123', 'GB', 'reject', 12, i, c))).toMatchObject({
      value: null,
      rejections: ['invalid_phone'],
    });
  });

  it.each([
    ['020 7946 0123 ext. 123', '+442079460123'],
    ['+44 20 7946 0123 #45', '+442079460123'],
    ['(555) 010-1234 x12', '+445550101234'],
    ['+44 7700 900123;ext=5', '+447700900123'],
    ['+44 20 7946 0123 1\uff12#', '+442079460123'], // "[- ]+digits#" with digits of two kinds
    ['020 7946 0123 90\u0663#', '+442079460123'],
  ])('drops the extension of %j with a flag', (input, expected) => {
    const out = run((i, c) => phone(input, 'GB', 'reject', 50, i, c));
    expect(out).toMatchObject({ value: expected, flags: ['phone_extension_dropped'], rejections: [] });
  });

  it.each([null, undefined, '', '   '])('no value for %j, no flag', (input) => {
    expect(run((i, c) => phone(input, 'GB', 'reject', 50, i, c))).toMatchObject({
      value: null,
      flags: [],
      rejections: [],
    });
  });

  it('says why without the number', () => {
    const out = run((i, c) => phone('0123 45', 'GB', 'reject', 50, i, c));
    expect(texts(out.issues)).toEqual(['not a possible phone number (default country GB)']);
  });

  it('refuses a phone-context URI every time (the library alternates on it)', () => {
    const text = '8000000;phone-context=+44';
    const first = parsePhoneNumberFromString(text, { defaultCountry: 'GB', extract: false })?.number;
    const second = parsePhoneNumberFromString(text, { defaultCountry: 'GB', extract: false })?.number;
    expect([first, second].sort()).toEqual(['+448000000', undefined]);
    for (let k = 0; k < 3; k += 1) {
      expect(run((i, c) => phone(text, 'GB', 'reject', 50, i, c)).rejections).toEqual(['invalid_phone']);
    }
  });

  it('refuses an unknown default country', () => {
    expect(() => run((i, c) => phone('020 7946 0123', 'XX', 'reject', 50, i, c))).toThrow(RangeError);
    expect(() => run((i, c) => phone(null, 'XX', 'reject', 50, i, c))).toThrow(RangeError);
    for (const country of ['constructor', 'toString', '__proto__', 'gb', 'GBR', ''])
      expect(() => run((i, c) => phone('020 7946 0123', country, 'reject', 50, i, c))).toThrow(RangeError);
  });
});

/**
 * What the library alone says: the parts of a possible number, else null. Phone-context URIs are
 * refused by phone() (the library's answer for them depends on its previous calls, see phone-plan.ts).
 */
function library(
  s: string,
  country: string,
): { callingCode: string; national: string; extension?: string } | null {
  if (s.includes(';phone-context=')) return null;
  const parsed = parsePhoneNumberFromString(s, { defaultCountry: country as CountryCode, extract: false });
  if (!parsed?.isPossible()) return null;
  const parts = { callingCode: parsed.countryCallingCode, national: parsed.nationalNumber };
  return parsed.ext === undefined ? parts : { ...parts, extension: parsed.ext };
}

/** readNumber's reading (without the shape check) in the parts `library` gives, to compare the two. */
function fastParse(s: string, country: string, book: PlanBook): ReturnType<typeof library> | undefined {
  const read = readNumber(s, book.home(country)!, book, false);
  if (!read) return read;
  const parts = { callingCode: read.plan.callingCode, national: read.national };
  return read.extension === undefined ? parts : { ...parts, extension: read.extension };
}

const COUNTRIES = [
  'GB',
  'JE',
  'GG',
  'IM',
  'US',
  'CA',
  'AU',
  'IE',
  'DE',
  'FR',
  'IT',
  'RU',
  'KZ',
  'NZ',
  'IN',
  'BR',
  'AR',
  'MX',
  'NU',
];
const EXTENSIONS = [
  '',
  '',
  '',
  ' ext. 123',
  ' ext 45',
  ' x12',
  ' #45',
  ';ext=5',
  ' extension 7',
  '-12#',
  ' 1\uff12#',
  ',,99',
  ' int 3',
  ' (mum)',
  ' / 020 7946 0123',
  ' ~12',
  '\t1',
  ' or 0123',
  ' ext',
  'x',
  '＋1',
  ';phone-context=+44',
];
const PREFIXES = ['', '', '', '', 'Tel: ', 'tel:', '(', '+', 'x', '\u00a0'];

/** Phone-like text: digits grouped with separators, maybe a national prefix, +calling code, IDD or extension. */
const phoneText = fc
  .record({
    country: fc.constantFrom(...COUNTRIES),
    form: fc.constantFrom('national', 'trunk', 'plus', 'plusOther', 'idd', 'plusZero'),
    digits: fc.stringMatching(/^[0-9]{1,14}$/),
    separators: fc.array(fc.constantFrom('', ' ', '-', '.', '(', ')'), { minLength: 14, maxLength: 14 }),
    other: fc.constantFrom(...COUNTRIES),
    extension: fc.constantFrom(...EXTENSIONS),
    prefix: fc.constantFrom(...PREFIXES),
  })
  .map(({ country, form, digits, separators, other, extension, prefix }) => {
    const grouped = [...digits].map((d, i) => d + (i % 3 === 2 ? separators[i]! : '')).join('');
    const code = getCountryCallingCode((form === 'plusOther' ? other : country) as CountryCode);
    const number =
      form === 'trunk'
        ? `0${grouped}`
        : form === 'plus' || form === 'plusOther'
          ? `+${code} ${grouped}`
          : form === 'plusZero'
            ? `+0${grouped}`
            : form === 'idd'
              ? `00 ${code} ${grouped}`
              : grouped;
    // phone() trims before parsing, and fastParse expects trimmed text.
    return { country, text: (prefix + number + extension).trim() };
  });

describe('phone fast path', () => {
  it('agrees with libphonenumber-js whenever it answers, and answers most of the time', () => {
    const book = new PlanBook();
    let answered = 0;
    let total = 0;
    fc.assert(
      fc.property(phoneText, ({ country, text }) => {
        total += 1;
        const fast = fastParse(text, country, book);
        if (fast !== undefined) {
          answered += 1;
          expect(fast).toEqual(library(text, country));
        }
      }),
      { numRuns: 5000 },
    );
    expect(answered / total).toBeGreaterThan(0.6);
  });

  it('knows calling codes as the metadata writes them, without leading zeros', () => {
    const book = new PlanBook();
    expect(book.callingCode('44')?.[0]?.country).toBe('GB');
    for (const code of ['044', '01', '0', '', '1234', '4a']) expect(book.callingCode(code)).toBeUndefined();
    expect(book.fitsShape('01', '2015550123')).toBe(false);
  });

  it('agrees with libphonenumber-js on every phone of the sandbox formats', () => {
    const book = new PlanBook();
    const formats = [
      '+44 20 7946 0123',
      '020 7946 0456',
      '07700 900789',
      '07700900012',
      '+447700900345',
      '+44 (0)7700 900 678',
      '(555) 019-4321',
      '555-0142',
      '+1 555 013 9876',
      '0412 345 678',
      '0491 570 111',
      '+61 491 570 222',
      '+353 1 555 3333',
      '020 7946 0999 ext. 321',
      '(555) 010-4444 x55',
      '07700 900555 (mum)',
      '07700 900 666 / 020 7946 0777',
      'N/A',
      'none',
      '0',
      'call reception',
    ];
    for (const country of ['GB', 'US', 'AU', 'IE']) {
      for (const text of formats) {
        const fast = fastParse(text, country, book);
        if (fast !== undefined)
          expect([text, country, fast]).toEqual([text, country, library(text, country)]);
      }
    }
  });

  it('gives the same result as the library alone, through either path', () => {
    const book = new PlanBook();
    fc.assert(
      fc.property(phoneText, ({ country, text }) => {
        const parts = library(text, country);
        const expected =
          parts && book.fitsShape(parts.callingCode, parts.national)
            ? `+${parts.callingCode}${parts.national}`
            : null;
        const out = run((i, c) => phone(text, country, 'drop_with_flag', undefined, i, c));
        expect(out.value).toBe(expected);
        expect(out.flags.includes('phone_extension_dropped')).toBe(
          expected !== null && parts?.extension !== undefined,
        );
      }),
      { numRuns: 2000 },
    );
  });
});

describe('phone fast path, branch by branch', () => {
  // [text, default country]: the fast path answers, and as the library does.
  it.each([
    ['88572009951', 'RU'], // national prefix "8" matched with startsWith, kept: the digits fit the pattern
    ['0412 345 678', 'AU'], // national prefix "(183[12])|0" needs its regex
    ['021 123 4567', 'NZ'],
    ['01534 123456', 'JE'],
    ['01234 56789', 'GB'], // 9 digits: the countries of +44 disagree on the length
    ['0 1234 567 890 1234 5678', 'GB'], // longer than 17 digits with the prefix and without
    ['020 7946 0123 45#', 'GB'], // "[- ]+digits#" starts before the "#"
    ['020 7946 0123-45#', 'GB'],
    ['020 7946 012345#', 'GB'], // ... and takes digits the number would otherwise have
    ['020 7946 0123 #45', 'GB'],
    ['020 7946 0123   ext 7', 'GB'], // spaces before the label belong to the extension
    ['020 7946 0123 x 12', 'GB'],
    ['020 7946 0123,,45', 'GB'],
    ['020 7946 0123\text 5', 'GB'],
    ['020 7946 0123 !', 'GB'], // a stray character that is not a letter
    ['020 7946 0123 Mum', 'GB'],
    ['+44 (0)7700 900 678', 'GB'],
    ['+7 8 572 009 951', 'GB'],
  ])('%j (%s)', (text, country) => {
    const fast = fastParse(text, country, new PlanBook());
    expect(fast).not.toBeUndefined();
    expect(fast).toEqual(library(text, country));
  });

  // [text, default country]: left to the library.
  it.each([
    ['0011 44 20 7946 0123', 'AU'], // IDD prefix that needs its regex
    ['0161 44 20 7946 0123', 'NZ'],
    ['00 44 20 7946 0123', 'GB'], // IDD prefix "00" matched with startsWith
    ['1832 0412 345 678', 'AU'], // a carrier code in the national prefix
    ['020 7946 0123 ext. \u0661\u0662', 'GB'], // extension in Arabic-Indic digits
    ['020 7946 (mum) ext 5', 'GB'], // other text before the extension
    ['020\u00a07946 0123', 'GB'], // a no-break space: not plain, but possible in a number
    ['\u2013', 'GB'],
  ])('leaves %j (%s) to the library', (text, country) => {
    expect(fastParse(text, country, new PlanBook())).toBeUndefined();
  });

  // [text, where the extension starts, its digits, read without the regular expression]; null: none.
  it.each<[string, number | null, string?, boolean?]>([
    ['020 7946 0123 ext. 123', 13, '123', true],
    ['020 7946 0123   EXT:-5', 13, '5', true], // the spaces before the label belong to it
    ['(555) 010-6714 x84', 14, '84', true],
    ['020 7946 0123 Extension 12', 13, '12', true],
    ['020 7946 0123extn7', 13, '7', true],
    ['020 7946 0123 x-5', 13, '5', true],
    ['020 7946 0123 x123456789', 13, '123456789', true], // "x" reads at most 9 digits
    ['020 7946 0123 x1234567890', null],
    [`020 7946 0123 ext ${'1'.repeat(20)}`, 13, '1'.repeat(20), true], // "ext" at most 20
    [`020 7946 0123 ext ${'1'.repeat(21)}`, null],
    ['020 7946 0123 xt 5', 13, '5', false], // a label the usual forms leave out
    ['020 7946 0123 ex 5', 15, '5', false], // "ex" is no label: the match starts at the "x"
    ['020 7946 0123 x 5#', 13, '5', false],
    ['020 7946 0123 ext. \u0661\u0662', 13, '\u0661\u0662', false],
    ['020 7946 0123 ext, 5', 13, '5', false],
    ['020 7946 0123 ext..5', null],
    ['020 7946 0123 extensions 5', null],
  ])('reads the extension of %j as the extension pattern does', (text, index, digits, usual) => {
    const plain = plainDigits(text, 0, text.length);
    const stop = typeof plain === 'string' ? text.length : plain.stop;
    expect(extensionOf(text, stop)).toEqual(index === null ? null : { index, digits, usual });
  });

  it('checks the shape on the way as PlanBook.fitsShape does', () => {
    const book = new PlanBook();
    fc.assert(
      fc.property(phoneText, ({ country, text }) => {
        const parts = fastParse(text, country, book);
        const read = readNumber(text, book.home(country)!, book, true);
        if (parts === undefined) expect(read).toBeUndefined();
        else if (parts === null || !book.fitsShape(parts.callingCode, parts.national))
          expect(read).toBeNull();
        else
          expect([read?.plan.callingCode, read?.national, read?.extension]).toEqual([
            parts.callingCode,
            parts.national,
            parts.extension,
          ]);
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['0412 345 678', null], // neither with nor without the trunk 0 a UK number
    ['555-0142', null], // seven digits that fit no country of +44
    ['01234 56789', '+44123456789'],
  ])('reads %j as %j (GB)', (text, expected) => {
    const out = run((i, c) => phone(text, 'GB', 'drop_with_flag', 50, i, c));
    expect(out.value).toBe(expected);
    expect(out.flags).toEqual(expected === null ? ['invalid_phone_dropped'] : []);
  });

  it.each([
    ['\u2013', '\u2013'], // no digit, left by the fast path
    ['x'.repeat(260), null], // no digit, too long for the fast path and the column
    ['appel: zéro', 'appel: zéro'], // not ASCII, no control character
  ])('keep_with_flag keeps %j as %j', (input, kept) => {
    expect(run((i, c) => phone(input, 'GB', 'keep_with_flag', 50, i, c))).toMatchObject({
      value: kept,
      flags: [kept === null ? 'invalid_phone_dropped' : 'invalid_phone_kept'],
    });
  });
});

describe('phone fast path, numbers a pattern surely matches', () => {
  it('reads the alternatives made of a first digit and then any digits', () => {
    const sure = surelyMatching('[1-357-9]\\d{9}|[18]\\d{8}|8\\d{6}(?:\\d{2})?');
    expect(isSure(sure, '7700900123')).toBe(true);
    expect(isSure(sure, '4700900123')).toBe(false); // no alternative of 10 digits starts with 4
    expect(isSure(sure, '812345678')).toBe(true);
    expect(isSure(sure, '81234567')).toBe(false); // only the alternative with a group has it: the regex's
    expect(isSure(sure, '')).toBe(false);
    expect(surelyMatching('1\\|2|[2-9]\\d')).toEqual(NOTHING_SURE); // an escape other than \d: not read
  });

  it("never says so of a number its pattern refuses, for any country's plan", () => {
    const book = new PlanBook();
    // For every length and first digit said to match surely, numbers of that form with random digits.
    const tails = fc.sample(fc.stringMatching(/^[0-9]{16}$/), { numRuns: 20, seed: 1 });
    let checked = 0;
    for (const country of getCountries()) {
      const plan = book.home(country)?.plan;
      if (plan === undefined) continue;
      plan.sure.forEach((bits, length) => {
        for (let d = 0; d <= 9; d += 1) {
          if (((bits >> d) & 1) === 0) continue;
          for (const tail of tails) {
            const national = `${d}${tail}`.slice(0, length);
            expect([country, national, plan.nationalNumber.test(national)]).toEqual([
              country,
              national,
              true,
            ]);
            checked += 1;
          }
        }
      });
    }
    expect(checked).toBeGreaterThan(1000);
  });
});
