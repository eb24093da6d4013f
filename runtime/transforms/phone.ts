import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { flag, refuse } from './issues.ts';
import { PlanBook } from './phone-book.ts';
import { readNumber } from './phone-plan.ts';
import { asText, isTrimmed, stripControl } from './text.ts';
import type { Issues, PhonePolicy } from './types.ts';

/*
 * Phone numbers to E.164 ("+447700900123") with libphonenumber-js and its `min` metadata.
 *
 * A number is accepted when the whole text parses as one number (`extract: false`), its length is
 * possible for its country (`isPossible()`) and it has the country's general number shape
 * (PlanBook.fitsShape); not when its digits match the assigned ranges (`isValid()`): the library's
 * author advises against relying on range data because it goes stale and then rejects newly assigned
 * numbers (README, "Using phone number validation feature"), and Dataverse itself does not check phone
 * columns (FormatName Phone only changes how the form shows the value). Fictional ranges (Ofcom's
 * 07700 900xxx, NANP 555-01xx) therefore pass. `min` and `max` metadata share the length and shape
 * data, so `min` gives the same answers with a smaller load.
 *
 * Whole-text parsing is deliberate: "07700 900123 (mum)" is the mother's number, and "07700 900123 /
 * 020 7946 0123" is two numbers; taking the first digits out of such text would write a wrong number
 * with no trace, so such values go to the invalid-phone policy (keep_with_flag keeps the text).
 *
 * E.164 has no extension: an extension ("020 7946 0123 ext. 123") is dropped with a
 * `phone_extension_dropped` flag, so the loss is visible in the run report.
 */

// Compiled numbering plans, filled on first use per country. Module-level because the generated code
// calls `phone(...)` with no context to carry it; it is safe to share: it only memoises values computed
// from the library's immutable metadata, so no result depends on what it already holds.
const BOOK = new PlanBook();

// The digits libphonenumber-js reads (constants.js VALID_DIGITS): ASCII, full-width, Arabic-Indic.
const ANY_DIGIT = /[0-9\uFF10-\uFF19\u0660-\u0669\u06F0-\u06F9]/;

const CODES = { rejection: 'invalid_phone', flag: 'invalid_phone_dropped' } as const;

const notPossible = (country: string): string => `not a possible phone number (default country ${country})`;

function invalid(
  text: string,
  why: string,
  policy: PhonePolicy,
  maxLength: number | undefined,
  issues: Issues,
  column: string,
): string | null {
  if (policy !== 'keep_with_flag') return refuse(issues, column, policy, CODES, why);
  if (maxLength !== undefined && text.length > maxLength) {
    flag(
      issues,
      column,
      'invalid_phone_dropped',
      `${why}; the text as typed (${text.length} characters) is longer than ${maxLength}; value dropped`,
    );
    return null;
  }
  flag(issues, column, 'invalid_phone_kept', `${why}; kept as typed`);
  // As typed, less control characters (strip_control's set), which Dataverse text must not hold.
  return stripControl(text);
}

/**
 * A phone number in E.164, read with `defaultCountry` (ISO 3166-1 alpha-2, e.g. "GB") when it has no
 * country code. Empty → null. Unreadable, or longer than `maxLength` → `policy`: a rejection, null with
 * a flag, or (keep_with_flag) the trimmed text with a flag when it fits `maxLength`.
 * @throws RangeError when libphonenumber-js has no metadata for `defaultCountry` (a spec error).
 */
export function phone(
  v: unknown,
  defaultCountry: string,
  policy: PhonePolicy,
  maxLength: number | undefined,
  issues: Issues,
  column: string,
): string | null {
  const home = BOOK.home(defaultCountry);
  if (home === undefined) {
    throw new RangeError(`phone: no numbering plan for default country '${defaultCountry}'`);
  }
  if (v === null || v === undefined) return null;
  const text = asText(v);
  if (text === null) {
    // Nothing typed to keep: an object or a non-finite number.
    const drop = policy === 'reject' ? 'reject' : 'drop_with_flag';
    return refuse(issues, column, drop, CODES, 'not a phone number');
  }
  // Most phone text starts and ends with a digit, and trim() would return it unchanged.
  const s = isTrimmed(text) ? text : text.trim();
  if (s.length === 0) return null;
  // The fast path also checks the number's shape (PlanBook.fitsShape) on the way.
  const read = readNumber(s, home, BOOK, true);
  if (read === null) return invalid(s, notPossible(defaultCountry), policy, maxLength, issues, column);
  let e164: string;
  let extension: string | undefined;
  if (read !== undefined) {
    e164 = read.plan.plus + read.national;
    extension = read.extension;
  } else {
    // Text without a digit is no number (readNumber leaves some such text to the library).
    if (!ANY_DIGIT.test(s)) return invalid(s, notPossible(defaultCountry), policy, maxLength, issues, column);
    const parsed = parsePhoneNumberFromString(s, {
      defaultCountry: defaultCountry as CountryCode,
      extract: false,
    });
    if (!parsed?.isPossible() || !BOOK.fitsShape(parsed.countryCallingCode, parsed.nationalNumber))
      return invalid(s, notPossible(defaultCountry), policy, maxLength, issues, column);
    e164 = `+${parsed.countryCallingCode}${parsed.nationalNumber}`;
    extension = parsed.ext;
  }
  if (maxLength !== undefined && e164.length > maxLength) {
    return invalid(s, `phone number longer than ${maxLength} characters`, policy, maxLength, issues, column);
  }
  if (extension) {
    flag(issues, column, 'phone_extension_dropped', 'extension dropped: E.164 has no extension');
  }
  return e164;
}
