import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toBigInteger, toBoolean, toDecimal, toInteger } from '../../runtime/transforms/index.ts';
import { MONEY_LIMIT } from '../../runtime/transforms/numbers.ts';
import { run, texts } from './run.ts';

const UNREADABLE = ['unreadable_value_dropped'];
const OUT_OF_RANGE = ['number_out_of_range_dropped'];

// [input, value, flags]
const booleans: [unknown, boolean | null, string[]][] = [
  [true, true, []],
  [false, false, []],
  ['true', true, []],
  ['FALSE', false, []],
  [' Yes ', true, []],
  ['no', false, []],
  ['Y', true, []],
  ['n', false, []],
  ['1', true, []],
  ['0', false, []],
  ['On', true, []],
  ['OFF', false, []],
  ['t', true, []],
  ['F', false, []],
  [1, true, []],
  [0, false, []],
  [-0, false, []],
  [null, null, []],
  [undefined, null, []],
  ['', null, []],
  ['   ', null, []],
  [2, null, UNREADABLE],
  [0.5, null, UNREADABLE],
  [Number.NaN, null, UNREADABLE],
  ['maybe', null, UNREADABLE],
  ['yes please', null, UNREADABLE],
  ['01', null, UNREADABLE],
  ['✓', null, UNREADABLE],
  ['\u0000', null, UNREADABLE],
  [{}, null, UNREADABLE],
  [[true], null, UNREADABLE],
];

const integers: [unknown, number | null, string[]][] = [
  [42, 42, []],
  [-7, -7, []],
  [-0, 0, []],
  [12.0, 12, []],
  ['42', 42, []],
  [' 12 ', 12, []],
  ['+12', 12, []],
  ['-12', -12, []],
  ['007', 7, []],
  ['12.0', 12, []],
  ['12.', 12, []],
  ['2147483647', 2_147_483_647, []],
  ['-2147483648', -2_147_483_648, []],
  [null, null, []],
  ['', null, []],
  ['  ', null, []],
  [12.5, null, UNREADABLE],
  ['12.5', null, UNREADABLE],
  ['0.000001', null, UNREADABLE],
  ['1e3', null, UNREADABLE],
  ['0x10', null, UNREADABLE],
  ['1,000', null, UNREADABLE],
  ['1 000', null, UNREADABLE],
  ['1_000', null, UNREADABLE],
  ['£12', null, UNREADABLE],
  ['NaN', null, UNREADABLE],
  ['Infinity', null, UNREADABLE],
  ['-', null, UNREADABLE],
  ['.', null, UNREADABLE],
  ['+-1', null, UNREADABLE],
  ['١٢', null, UNREADABLE],
  ['１２', null, UNREADABLE],
  [Number.NaN, null, UNREADABLE],
  [Number.POSITIVE_INFINITY, null, UNREADABLE],
  [true, null, UNREADABLE],
  [[1], null, UNREADABLE],
  [2_147_483_648, null, OUT_OF_RANGE],
  ['-2147483649', null, OUT_OF_RANGE],
  ['99999999999999999999999', null, OUT_OF_RANGE],
  [Number.MAX_SAFE_INTEGER + 2, null, OUT_OF_RANGE],
];

// [input, precision, value, flags]
const decimals: [unknown, number, number | null, string[]][] = [
  [1.005, 2, 1.01, []],
  ['1.005', 2, 1.01, []],
  [-1.005, 2, -1.01, []],
  [1.004999, 2, 1, []],
  [2.5, 0, 3, []],
  [-2.5, 0, -3, []],
  [0.5, 0, 1, []],
  [1.45, 1, 1.5, []],
  [9.995, 2, 10, []],
  ['99.9999', 3, 100, []],
  [0.1 + 0.2, 2, 0.3, []],
  [1e-7, 2, 0, []],
  [-0.001, 2, 0, []],
  [1.5e-7, 7, 2e-7, []],
  [123.456, 10, 123.456, []],
  ['0.12345678905', 10, 0.1234567891, []],
  [' +12.345 ', 1, 12.3, []],
  ['.5', 0, 1, []],
  ['5.', 2, 5, []],
  ['100000000000', 0, 100_000_000_000, []],
  ['-100000000000.00', 2, -100_000_000_000, []],
  [42, 2, 42, []],
  [null, 2, null, []],
  ['', 2, null, []],
  ['100000000000.01', 2, null, OUT_OF_RANGE],
  [1e21, 2, null, OUT_OF_RANGE],
  ['99999999999.995', 2, 100_000_000_000, []],
  ['100000000000.005', 2, null, OUT_OF_RANGE],
  ['1e3', 2, null, UNREADABLE],
  ['1,5', 2, null, UNREADABLE],
  ['0x10', 2, null, UNREADABLE],
  [Number.NaN, 2, null, UNREADABLE],
  [Number.NEGATIVE_INFINITY, 2, null, UNREADABLE],
  [false, 2, null, UNREADABLE],
  [{ amount: 1 }, 2, null, UNREADABLE],
];

const DIGITS_DROPPED = ['decimal_digits_dropped'];

// More significant digits than a number carries exactly: rounded from the text to the most places that
// JSON writes unchanged, with a flag; never another decimal without one. [input, precision, value, flags]
const longDecimals: [unknown, number, number | null, string[]][] = [
  ['12345678901.2345678901', 10, 12_345_678_901.234568, DIGITS_DROPPED],
  ['-12345678901.2345678901', 10, -12_345_678_901.234568, DIGITS_DROPPED],
  ['12345678901.234567', 6, 12_345_678_901.23457, DIGITS_DROPPED],
  ['1234567890.12345678', 8, 1_234_567_890.123457, DIGITS_DROPPED],
  ['99999999999.9999999999', 10, 100_000_000_000, DIGITS_DROPPED],
  // Rounded to the column's places first: what is left is carried exactly, no flag.
  ['0.12345678901234567891', 10, 0.123456789, []],
  ['99999999999.99999999995', 10, 100_000_000_000, []],
  ['12345678901.2345678901', 4, 12_345_678_901.2346, []],
  ['1234567.1234567891', 10, 1_234_567.123456789, DIGITS_DROPPED],
  ['1234567.123456789', 10, 1_234_567.123456789, []],
  // A number is already what JSON writes: kept as it is.
  [12_345_678_901.234568, 10, 12_345_678_901.234568, []],
  ['123456789012.5678', 4, null, OUT_OF_RANGE],
  // Dropped for its range, not also flagged for its digits.
  ['123456789012.1234567891', 10, null, OUT_OF_RANGE],
  ['99999999999999999999.5', 0, null, OUT_OF_RANGE],
];

describe('toBoolean', () => {
  it.each(booleans)('%j → %j', (input, value, flags) => {
    expect(run((i, c) => toBoolean(input, i, c))).toMatchObject({ value, flags, rejections: [] });
  });
});

describe('toInteger', () => {
  it.each(integers)('%j → %j', (input, value, flags) => {
    const out = run((i, c) => toInteger(input, i, c));
    expect(out).toMatchObject({ value, flags, rejections: [] });
    if (value === 0) expect(Object.is(out.value, -0)).toBe(false);
  });
});

describe('toDecimal', () => {
  it.each(decimals)('%j at %i places → %j', (input, precision, value, flags) => {
    const out = run((i, c) => toDecimal(input, precision, i, c));
    expect(out).toMatchObject({ value, flags, rejections: [] });
    if (value === 0) expect(Object.is(out.value, -0)).toBe(false);
  });

  it.each(longDecimals)('%j at %i places → %j, as JSON writes it', (input, precision, value, flags) => {
    const out = run((i, c) => toDecimal(input, precision, i, c));
    expect(out).toMatchObject({ value, flags, rejections: [] });
    expect(JSON.parse(JSON.stringify(out.value))).toBe(value);
  });

  it.each([
    ['200000000000.5', 200_000_000_000.5, []],
    ['922337203685477', 922_337_203_685_477, []],
    ['-922337203685476.4999', -922_337_203_685_476.5, ['decimal_digits_dropped']],
    ['922337203685478', null, OUT_OF_RANGE],
  ] as [string, number | null, string[]][])('a Money column takes %j → %j', (input, value, flags) => {
    expect(run((i, c) => toDecimal(input, 4, i, c, {}, MONEY_LIMIT))).toMatchObject({ value, flags });
    // A Decimal column keeps its own ±100,000,000,000.
    expect(run((i, c) => toDecimal(input, 4, i, c)).flags).toEqual(OUT_OF_RANGE);
  });

  it.each([-1, 11, 1.5, Number.NaN])('refuses precision %j', (precision) => {
    expect(() => run((i, c) => toDecimal(1, precision, i, c))).toThrow(RangeError);
  });

  it('explains without the value', () => {
    const out = run((i, c) => toDecimal('123456789012.5', 2, i, c));
    expect(texts(out.issues)).toEqual([
      "number outside the column's range -100,000,000,000 to 100,000,000,000; value dropped",
    ]);
    const huge = run((i, c) => toInteger(`9${'0'.repeat(100_000)}`, i, c));
    expect(huge.flags).toEqual(OUT_OF_RANGE);
  });
});

// A column's declared range narrows its type's: [input, range, value, flags]
const ranged: [unknown, { min?: number; max?: number }, number | null, string[]][] = [
  [0, { min: 0, max: 10 }, 0, []],
  [10, { min: 0, max: 10 }, 10, []],
  ['7', { min: 0, max: 10 }, 7, []],
  [11, { min: 0, max: 10 }, null, OUT_OF_RANGE],
  ['-1', { min: 0, max: 10 }, null, OUT_OF_RANGE],
  [-5, { max: 10 }, -5, []],
  [3_000_000_000, { min: 0 }, null, OUT_OF_RANGE],
  [null, { min: 0, max: 10 }, null, []],
];

// [input, precision, range, value, flags]
const rangedDecimals: [unknown, number, { min?: number; max?: number }, number | null, string[]][] = [
  [42.5, 1, { min: 0, max: 10 }, null, OUT_OF_RANGE],
  ['42.5', 1, { min: 0, max: 10 }, null, OUT_OF_RANGE],
  [7.5, 1, { min: 0, max: 10 }, 7.5, []],
  [10, 1, { min: 0, max: 10 }, 10, []],
  // The rounded value is what is sent, so it is what the range is checked against.
  [10.04, 1, { min: 0, max: 10 }, 10, []],
  [10.05, 1, { min: 0, max: 10 }, null, OUT_OF_RANGE],
  [-0.04, 1, { min: 0, max: 10 }, 0, []],
  [-0.5, 1, { min: 0, max: 10 }, null, OUT_OF_RANGE],
  [-2_000_000, 2, { min: -1_000_000, max: 1_000_000 }, null, OUT_OF_RANGE],
  [999_999.99, 2, { min: -1_000_000, max: 1_000_000 }, 999_999.99, []],
  // A declared range wider than the type's does not widen it.
  ['100000000000.01', 2, { min: -1e15, max: 1e15 }, null, OUT_OF_RANGE],
  ['', 1, { min: 0, max: 10 }, null, []],
  ['10000000.1234567891', 10, { min: 0, max: 10_000_000 }, null, OUT_OF_RANGE],
  ['9.1234567890123456789', 10, { min: 0, max: 10 }, 9.123456789, []],
  ['9999999.1234567891', 10, { min: 0, max: 10_000_000 }, 9_999_999.123456789, ['decimal_digits_dropped']],
];

// A Big Integer column, as far as a number holds whole numbers exactly: [input, range, value, flags]
const big: [unknown, { min?: number; max?: number }, number | null, string[]][] = [
  [3_000_000_000, {}, 3_000_000_000, []],
  ['-3000000000', {}, -3_000_000_000, []],
  [Number.MAX_SAFE_INTEGER, {}, Number.MAX_SAFE_INTEGER, []],
  [String(Number.MIN_SAFE_INTEGER), {}, Number.MIN_SAFE_INTEGER, []],
  [2 ** 53, {}, null, OUT_OF_RANGE],
  // Read from text it would round to 2^53: dropped, not written as another number.
  ['9007199254740993', {}, null, OUT_OF_RANGE],
  [3_000_000_000, { max: 1_000 }, null, OUT_OF_RANGE],
  // A declared range wider than what a number holds does not widen it.
  [2 ** 60, { min: -(2 ** 63), max: 2 ** 63 }, null, OUT_OF_RANGE],
  ['1.5', {}, null, ['unreadable_value_dropped']],
  [null, {}, null, []],
];

describe('toBigInteger', () => {
  it.each(big)('%j within %j → %j', (input, range, value, flags) => {
    expect(run((i, c) => toBigInteger(input, i, c, range))).toMatchObject({ value, flags, rejections: [] });
  });

  it('agrees with toInteger on every whole number a Whole Number column holds', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.double(), fc.string()), (v) => {
        const whole = run((i, c) => toInteger(v, i, c));
        if (whole.flags.some((f) => f === 'number_out_of_range_dropped')) return;
        expect(run((i, c) => toBigInteger(v, i, c))).toEqual(whole);
      }),
    );
  });
});

describe("the column's declared range", () => {
  it.each(ranged)('toInteger %j within %j → %j', (input, range, value, flags) => {
    expect(run((i, c) => toInteger(input, i, c, range))).toMatchObject({ value, flags, rejections: [] });
  });

  it.each(rangedDecimals)(
    'toDecimal %j at %i places within %j → %j',
    (input, precision, range, value, flags) => {
      expect(run((i, c) => toDecimal(input, precision, i, c, range))).toMatchObject({
        value,
        flags,
        rejections: [],
      });
    },
  );

  it('names the range, not the value', () => {
    const out = run((i, c) => toDecimal(42.5, 1, i, c, { min: 0, max: 10 }));
    expect(texts(out.issues)).toEqual(["number outside the column's range 0 to 10; value dropped"]);
    const low = run((i, c) => toDecimal(-1234567.5, 2, i, c, { min: -1_000_000.5 }));
    expect(texts(low.issues)).toEqual([
      "number outside the column's range -1,000,000.5 to 100,000,000,000; value dropped",
    ]);
  });
});

describe('number properties', () => {
  it('toDecimal agrees with exact decimal rounding (BigInt) on generated decimal text', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 14n), max: 10n ** 14n }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 6 }),
        (units, scale, places) => {
          const sign = units < 0n ? '-' : '';
          const abs = (units < 0n ? -units : units).toString().padStart(scale + 1, '0');
          const text = scale === 0 ? `${sign}${abs}` : `${sign}${abs.slice(0, -scale)}.${abs.slice(-scale)}`;
          // Exact: round |units| / 10^scale to `places`, half away from zero, with integers only.
          const magnitude = units < 0n ? -units : units;
          const expectedUnits =
            places >= scale
              ? magnitude * 10n ** BigInt(places - scale)
              : (magnitude + 5n * 10n ** BigInt(scale - places - 1)) / 10n ** BigInt(scale - places);
          const expected = Number(`${expectedUnits}e-${places}`) * (units < 0n ? -1 : 1) + 0;
          const out = run((i, c) => toDecimal(text, places, i, c));
          if (Math.abs(expected) <= 100_000_000_000) expect(out.value).toBe(expected);
          else expect(out.flags).toEqual(OUT_OF_RANGE);
        },
      ),
    );
  });

  it('toDecimal of a number with few decimals (the fast path) equals toDecimal of its text', () => {
    // m / 10^k: values as JSON carries them (7.5, 0.125, 1.005), which round at `places` or already fit.
    const short = fc
      .tuple(fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: 0, max: 10 }))
      .map(([m, k]) => m / 10 ** k);
    fc.assert(
      fc.property(short, fc.integer({ min: 0, max: 10 }), (n, places) => {
        const text = String(n);
        fc.pre(!text.includes('e'));
        const fromNumber = run((i, c) => toDecimal(n, places, i, c));
        const fromText = run((i, c) => toDecimal(text, places, i, c));
        expect(fromNumber).toEqual(fromText);
        expect(Object.is(fromNumber.value, -0)).toBe(false);
      }),
      { numRuns: 5000 },
    );
  });

  it('toDecimal reads a number as the decimal text JavaScript prints for it', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e9, max: 1e9, noNaN: true }),
        fc.integer({ min: 0, max: 10 }),
        (n, places) => {
          const fromNumber = run((i, c) => toDecimal(n, places, i, c)).value;
          const fromText = run((i, c) =>
            toDecimal(String(n).includes('e') ? n.toFixed(20) : String(n), places, i, c),
          ).value;
          if (!String(n).includes('e')) expect(fromNumber).toBe(fromText);
          expect(Math.abs(fromNumber! - n)).toBeLessThanOrEqual(
            0.5 * 10 ** -places + Number.EPSILON * Math.abs(n) * 4,
          );
        },
      ),
    );
  });

  it('toDecimal of long decimal text writes it rounded, digit for digit, flagged unless at the precision', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^-?\d{1,11}\.\d{1,14}$/),
        fc.integer({ min: 0, max: 10 }),
        (text, precision) => {
          const out = run((i, c) => toDecimal(text, precision, i, c));
          const negative = text.startsWith('-');
          const [whole, fraction] = text.replace('-', '').split('.') as [string, string];
          // The text rounded to `places`, half away from zero, in units of 10^-places: integers only.
          const exactUnits = (places: number): bigint => {
            const units = BigInt(whole + fraction.padEnd(places, '0').slice(0, places));
            return units + (fraction.length > places && fraction.charCodeAt(places) >= 0x35 ? 1n : 0n);
          };
          // The decimal JSON writes, in the same units.
          const sentUnits = (places: number): bigint => {
            const [w, f = ''] = JSON.stringify(out.value).replace('-', '').split('.') as [string, string?];
            return f.length > places ? -1n : BigInt(w + f.padEnd(places, '0'));
          };
          const places =
            out.flags.length === 0
              ? precision
              : Number(/rounded to (\d+) decimal places/.exec(texts(out.issues)[0]!)![1]);
          if (out.flags.length > 0) {
            expect(out.flags).toEqual(['decimal_digits_dropped']);
            expect(places).toBeLessThan(precision);
          }
          expect(sentUnits(places)).toBe(exactUnits(places));
          if (out.value !== 0) expect(out.value! < 0).toBe(negative);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('toInteger returns every safe integer in range unchanged, from numbers and from text', () => {
    fc.assert(
      fc.property(fc.integer({ min: -2_147_483_648, max: 2_147_483_647 }), (n) => {
        expect(run((i, c) => toInteger(n, i, c)).value).toBe(n + 0);
        expect(run((i, c) => toInteger(` ${n} `, i, c)).value).toBe(n + 0);
      }),
    );
  });
});
