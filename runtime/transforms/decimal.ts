/*
 * Decimal text: reading it strictly and rounding it in decimal, not in binary floating point, so that
 * 1.005 rounded to 2 places is 1.01 (as written), not 1 (as 1.005 is stored in a double,
 * 1.00499999999999989...).
 */

/** A decimal number as sign, integer digits and fraction digits (no exponent). */
export interface DecimalParts {
  readonly negative: boolean;
  readonly integer: string;
  readonly fraction: string;
}

/*
 * Text accepted as a number: optional sign, digits with at most one decimal point, surrounding
 * whitespace. Refused: exponents ('1e3' could be a code as easily as a thousand), hexadecimal ('0x10',
 * which Number() would read as 16), thousands separators ('1,000' is one thousand in en-GB and one in
 * de-DE), currency signs, 'NaN', 'Infinity', and a lone sign or point.
 */
const PLAIN = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/;
// JavaScript's own number text, which may carry an exponent (String(1e-7) === '1e-7').
const JS_NUMBER = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/;

/** Parses decimal text as written by a person; undefined when it is not a plain decimal number. */
export function parseDecimalText(text: string): DecimalParts | undefined {
  const m = PLAIN.exec(text);
  if (!m) return undefined;
  const integer = m[2] ?? '';
  const fraction = m[3] ?? '';
  if (integer.length === 0 && fraction.length === 0) return undefined;
  return { negative: m[1] === '-', integer, fraction };
}

/**
 * The shortest decimal text of a finite number (the text JSON had), as parts. JavaScript prints that
 * text (Number.prototype.toString), sometimes with an exponent, which is shifted into the digits here.
 */
export function numberParts(n: number): DecimalParts {
  const m = JS_NUMBER.exec(String(n))!;
  const negative = m[1] === '-';
  let digits = m[2]! + (m[3] ?? '');
  let point = m[2]!.length + Number(m[4] ?? 0);
  if (point <= 0) {
    digits = '0'.repeat(1 - point) + digits;
    point = 1;
  } else if (point > digits.length) {
    digits += '0'.repeat(point - digits.length);
  }
  return { negative, integer: digits.slice(0, point), fraction: digits.slice(point) };
}

/** Adds one unit in the last place to a string of decimal digits ("129" → "130", "99" → "100"). */
function increment(digits: string): string {
  let i = digits.length - 1;
  while (i >= 0 && digits[i] === '9') i -= 1;
  if (i < 0) return `1${'0'.repeat(digits.length)}`;
  return (
    digits.slice(0, i) + String.fromCharCode(digits.charCodeAt(i) + 1) + '0'.repeat(digits.length - i - 1)
  );
}

/** The digits of `parts` rounded to `places` fraction digits, half away from zero, unsigned ("1.01"). */
export function roundedText(parts: DecimalParts, places: number): string {
  const { integer, fraction } = parts;
  if (fraction.length <= places) return `${integer || '0'}.${fraction || '0'}`;
  let kept = (integer || '0') + fraction.slice(0, places);
  if (fraction.charCodeAt(places) >= 0x35) kept = increment(kept);
  const point = kept.length - places;
  return places === 0 ? kept : `${kept.slice(0, point)}.${kept.slice(point)}`;
}

/** The double nearest the unsigned decimal `text`, with the sign of `parts`, never negative zero. */
export function signedNumber(parts: DecimalParts, text: string): number {
  const value = Number(text);
  // No negative zero: -0.001 rounded to 2 places is 0, and JSON would print -0 as 0 anyway.
  return parts.negative && value !== 0 ? -value : value;
}

/** Rounds to `places` fraction digits, half away from zero, and returns the nearest double. */
export function roundHalfAwayFromZero(parts: DecimalParts, places: number): number {
  return signedNumber(parts, roundedText(parts, places));
}

/** `digits` without leading zeros, or without trailing ones when `trailing`. */
function strip(digits: string, trailing: boolean): string {
  return trailing ? digits.replace(/0+$/, '') : digits.replace(/^0+/, '');
}

/**
 * Whether the double `value` is written as exactly the unsigned decimal `text`: JSON carries a number
 * as the shortest text that reads back as the same double, which for a decimal of more than 15
 * significant digits ("12345678901234.5678") is often another decimal ("12345678901234.568"). Text of
 * at most 15 digits always comes back unchanged (a double holds 15 significant decimal digits), so
 * only longer text is compared.
 */
export function writtenExactly(text: string, value: number): boolean {
  if (text.length <= 16) return true;
  const point = text.indexOf('.');
  const written = numberParts(Math.abs(value));
  return (
    strip(point < 0 ? text : text.slice(0, point), false) === strip(written.integer, false) &&
    strip(point < 0 ? '' : text.slice(point + 1), true) === strip(written.fraction, true)
  );
}

/** True when the fraction digits are absent or all zero ("12", "12.", "12.000"). */
export function isWhole(parts: DecimalParts): boolean {
  for (let i = 0; i < parts.fraction.length; i += 1) if (parts.fraction.charCodeAt(i) !== 0x30) return false;
  return true;
}
