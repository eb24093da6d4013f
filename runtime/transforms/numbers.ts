import {
  type DecimalParts,
  isWhole,
  numberParts,
  parseDecimalText,
  roundedText,
  roundHalfAwayFromZero,
  signedNumber,
  writtenExactly,
} from './decimal.ts';
import { flag, unreadable } from './issues.ts';
import { isEmpty } from './text.ts';
import type { Issues } from './types.ts';

/*
 * Booleans and numbers. Empty values (null, '', whitespace) become null without a flag; values that
 * cannot be read become null with `unreadable_value_dropped`; readable numbers outside the column's
 * range (its type's, narrowed by the MinValue/MaxValue the column declares) become null with
 * `number_out_of_range_dropped`, since Dataverse would refuse the row. Texts never include the value.
 */

// Whole number columns: IntegerAttributeMetadata.MinSupportedValue / MaxSupportedValue
// (learn.microsoft.com/dotnet/api/microsoft.xrm.sdk.metadata.integerattributemetadata.maxsupportedvalue).
const INT_MIN = -2_147_483_648;
const INT_MAX = 2_147_483_647;
// Big integer columns hold 64-bit whole numbers (BigIntAttributeMetadata); a JavaScript number holds
// whole numbers exactly only up to 2^53 − 1, so a value beyond is dropped, flagged, not written rounded.
const BIG_MIN = Number.MIN_SAFE_INTEGER;
const BIG_MAX = Number.MAX_SAFE_INTEGER;
// Decimal columns: "Possible values are -100 billion to 100 billion" (DecimalAttributeMetadata.MinValue,
// learn.microsoft.com/previous-versions/dynamicscrm-2016/developers-guide/gg307524(v=crm.8)).
export const DECIMAL_LIMIT = 100_000_000_000;
// Money columns: MoneyAttributeMetadata MinValue/MaxValue ±922,337,203,685,477 (reference §5.1;
// MaxSupportedValue, learn.microsoft.com/previous-versions/dynamicscrm-2016/developers-guide/
// gg306503(v=crm.8)), at up to 4 places (MaxSupportedPrecision). Schema apply gives money columns this
// range too (runtime/schema/bodies.ts RANGES).
export const MONEY_LIMIT = 922_337_203_685_477;
// Decimal columns hold 0–10 decimal places (DecimalAttributeMetadata.Precision).
const MAX_PRECISION = 10;

const TRUE_WORDS = new Set(['true', 'yes', 'y', '1', 'on', 't']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0', 'off', 'f']);

/** Reads true/false, yes/no, y/n, 1/0, on/off, t/f (any case, trimmed) and the numbers 1 and 0. */
export function toBoolean(v: unknown, issues: Issues, column: string): boolean | null {
  if (typeof v === 'boolean') return v;
  if (isEmpty(v)) return null;
  if (typeof v === 'number') {
    if (v === 1) return true;
    if (v === 0) return false;
    return unreadable(issues, column, 'a yes/no value was expected, got a number other than 1 or 0');
  }
  if (typeof v === 'string') {
    const word = v.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    return unreadable(issues, column, 'a yes/no value was expected, the text is not one');
  }
  return unreadable(issues, column, `a yes/no value was expected, got ${describe(v)}`);
}

/** The kind of a value, for messages that must not show the value itself. */
function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : 'an infinite number';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** Decimal parts of a number or numeric text; null after flagging when unreadable. */
function readNumber(v: unknown, issues: Issues, column: string): DecimalParts | null {
  if (typeof v === 'number') {
    return Number.isFinite(v)
      ? numberParts(v)
      : unreadable(issues, column, `a number was expected, got ${describe(v)}`);
  }
  if (typeof v === 'string') {
    return (
      parseDecimalText(v) ??
      unreadable(issues, column, 'a number was expected, the text is not a plain decimal number')
    );
  }
  return unreadable(issues, column, `a number was expected, got ${describe(v)}`);
}

/** The MinValue and MaxValue a column declares (spec `min`/`max`), within its type's own range. */
export interface NumberRange {
  readonly min?: number;
  readonly max?: number;
}

/** The type's limits narrowed by the column's declared range. */
function limits(typeMin: number, typeMax: number, range: NumberRange): [number, number] {
  return [Math.max(typeMin, range.min ?? typeMin), Math.min(typeMax, range.max ?? typeMax)];
}

const usNumber = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: MAX_PRECISION });

/** `value` when it is within [min, max]; else null, flagged with the range (never the value). */
function inRange(value: number, [min, max]: [number, number], issues: Issues, column: string): number | null {
  if (value >= min && value <= max) return value;
  flag(
    issues,
    column,
    'number_out_of_range_dropped',
    `number outside the column's range ${usNumber(min)} to ${usNumber(max)}; value dropped`,
  );
  return null;
}

/**
 * A whole number from a number or numeric text; fractions → null + flag, and values outside a Whole
 * Number column's range, or outside the `range` the column declares, → null + flag.
 */
export function toInteger(
  v: unknown,
  issues: Issues,
  column: string,
  range: NumberRange = {},
): number | null {
  return wholeNumber(v, limits(INT_MIN, INT_MAX, range), issues, column);
}

/** toInteger for a Big Integer column: its range, as far as a number holds it exactly (BIG_MAX). */
export function toBigInteger(
  v: unknown,
  issues: Issues,
  column: string,
  range: NumberRange = {},
): number | null {
  return wholeNumber(v, limits(BIG_MIN, BIG_MAX, range), issues, column);
}

function wholeNumber(v: unknown, bounds: [number, number], issues: Issues, column: string): number | null {
  if (typeof v === 'number' && Number.isInteger(v)) return inRange(v + 0, bounds, issues, column);
  if (isEmpty(v)) return null;
  const parts = readNumber(v, issues, column);
  if (parts === null) return null;
  if (!isWhole(parts))
    return unreadable(issues, column, 'a whole number was expected, the value has a fraction');
  return inRange(roundHalfAwayFromZero(parts, 0), bounds, issues, column);
}

const POWERS_OF_TEN = Array.from({ length: MAX_PRECISION + 1 }, (_, k) => 10 ** k);

/**
 * `n` itself when it already has at most `places` decimals (the common case: 7.5 at 1 place), else
 * undefined. Then n × 10^places is within rounding of a whole number N below 2^53, N / 10^places is the
 * double nearest the decimal N·10^-places, and that decimal is what the decimal rounding would give.
 */
function alreadyRounded(n: number, places: number): number | undefined {
  const scale = POWERS_OF_TEN[places]!;
  const whole = Math.round(n * scale);
  if (!Number.isSafeInteger(whole) || whole / scale !== n) return undefined;
  return n === 0 ? 0 : n; // no negative zero, as roundHalfAwayFromZero
}

/**
 * The value by decimal parts (decimal.ts); null after flagging when unreadable. A value rounded to
 * `precision` that a number cannot carry exactly (more than 15 to 17 significant digits, as in
 * "12345678901234.5678" at 4 places) is rounded, from its text, to the most places it can, with flag
 * `decimal_digits_dropped`: JSON.stringify writes a number as its own shortest text, so the exact decimal
 * cannot reach Dataverse, which stores up to 10 places (DecimalAttributeMetadata.MaxSupportedPrecision,
 * learn.microsoft.com/previous-versions/dynamicscrm-2016/developers-guide/gg306494(v=crm.8)).
 */
function decimalOf(
  v: unknown,
  precision: number,
  bounds: [number, number],
  issues: Issues,
  column: string,
): number | null {
  const parts = readNumber(v, issues, column);
  if (parts === null) return null;
  // At most 15 digits once rounded (a carry adds only a 1 and zeros): always written as they are
  // (writtenExactly). The common case, kept short.
  if (parts.integer.length + Math.min(parts.fraction.length, precision) <= 15)
    return inRange(roundHalfAwayFromZero(parts, precision), bounds, issues, column);
  return longDecimal(parts, precision, bounds, issues, column);
}

/** decimalOf for rounded text of more than 15 digits, which a number may not carry exactly. */
function longDecimal(
  parts: DecimalParts,
  precision: number,
  bounds: [number, number],
  issues: Issues,
  column: string,
): number | null {
  let places = precision;
  let text = roundedText(parts, places);
  let value = signedNumber(parts, text);
  // A whole part of more than 15 digits is carried at no places, but it is beyond every column's range.
  while (!writtenExactly(text, value) && places > 0) {
    places -= 1;
    text = roundedText(parts, places);
    value = signedNumber(parts, text);
  }
  // The range first: a value dropped for it is not flagged for its digits too.
  if (inRange(value, bounds, issues, column) === null) return null;
  if (places < precision)
    flag(
      issues,
      column,
      'decimal_digits_dropped',
      `more significant digits than a number carries exactly; rounded to ${places} decimal places, not ${precision}`,
    );
  return value;
}

/**
 * A number rounded to `precision` decimal places, half away from zero, in decimal (1.005 → 1.01 at 2).
 * Rounded values outside ±`limit` (a Decimal column's ±100,000,000,000 unless a Money column's
 * MONEY_LIMIT is given), or outside the `range` the column declares, → null + flag.
 * @throws RangeError when `precision` is not a whole number from 0 to 10 (a spec error).
 */
export function toDecimal(
  v: unknown,
  precision: number,
  issues: Issues,
  column: string,
  range: NumberRange = {},
  limit: number = DECIMAL_LIMIT,
): number | null {
  if (!Number.isInteger(precision) || precision < 0 || precision > MAX_PRECISION) {
    throw new RangeError(`toDecimal: precision must be a whole number from 0 to ${MAX_PRECISION}`);
  }
  if (isEmpty(v)) return null;
  const bounds = limits(-limit, limit, range);
  const fast = typeof v === 'number' ? alreadyRounded(v, precision) : undefined;
  return fast === undefined
    ? decimalOf(v, precision, bounds, issues, column)
    : inRange(fast, bounds, issues, column);
}
