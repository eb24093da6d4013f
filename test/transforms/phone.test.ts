import fc from 'fast-check';
import { type CountryCode, getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { describe, expect, it } from 'vitest';
import { type PhonePolicy, phone } from '../../runtime/transforms/index.ts';
import { fastParse, PlanBook } from '../../runtime/transforms/phone-plan.ts';
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
  ])('keep_with_flag keeps %j as typed, trimmed', (input, kept) => {
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

  it('refuses an unknown default country', () => {
    expect(() => run((i, c) => phone('020 7946 0123', 'XX', 'reject', 50, i, c))).toThrow(RangeError);
  });
});

/** What the library alone says: the parts of a possible number, else undefined. */
function library(s: string, country: string): { callingCode: string; national: string } | undefined {
  const parsed = parsePhoneNumberFromString(s, { defaultCountry: country as CountryCode, extract: false });
  return parsed?.isPossible()
    ? { callingCode: parsed.countryCallingCode, national: parsed.nationalNumber }
    : undefined;
}

const COUNTRIES = [
  'GB',
  'JE',
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
];

/** Phone-like text: digits grouped with separators, maybe a national prefix, maybe +calling code. */
const phoneText = fc
  .record({
    country: fc.constantFrom(...COUNTRIES),
    form: fc.constantFrom('national', 'trunk', 'plus', 'plusOther', 'idd'),
    digits: fc.stringMatching(/^[0-9]{4,13}$/),
    separators: fc.array(fc.constantFrom('', ' ', '-', '.', '(', ')'), { minLength: 14, maxLength: 14 }),
    other: fc.constantFrom(...COUNTRIES),
  })
  .map(({ country, form, digits, separators, other }) => {
    const grouped = [...digits].map((d, i) => d + (i % 3 === 2 ? separators[i]! : '')).join('');
    const code = getCountryCallingCode((form === 'plusOther' ? other : country) as CountryCode);
    const text =
      form === 'trunk'
        ? `0${grouped}`
        : form === 'plus' || form === 'plusOther'
          ? `+${code} ${grouped}`
          : form === 'idd'
            ? `00 ${code} ${grouped}`
            : grouped;
    return { country, text };
  });

describe('phone fast path', () => {
  it('agrees with libphonenumber-js whenever it answers, and answers often', () => {
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
      { numRuns: 3000 },
    );
    expect(answered / total).toBeGreaterThan(0.2);
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
      }),
      { numRuns: 1500 },
    );
  });
});
