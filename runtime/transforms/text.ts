import { flag } from './issues.ts';
import type { Issues } from './types.ts';

/*
 * Text steps. Each takes any JSON value: strings pass through, numbers and booleans become their
 * string form, null and undefined stay null. Values that have no text form (objects, arrays, NaN,
 * Infinity) become null: the compiler only lets text-like fields reach these steps, so this only
 * happens with data that does not match its declared type.
 *
 * The compiler assumes a text step never makes a value longer (compiler/transforms/signatures.ts,
 * `textStep`), and Dataverse rejects a whole request for one over-long string, so the case steps
 * keep the length: a character whose mapping has another length (ß → SS, İ → i̇) stays as it is.
 */

/**
 * A source value read as text: its text form; null for no value; and for a value that has none (a
 * list, an object, NaN) null with an `unreadable_value_dropped` flag, so that data of another shape
 * than the source model says is not lost without a trace. The flag names the kind of value, never it.
 */
export function textOf(v: unknown, issues: Issues, column: string): string | null {
  if (typeof v === 'string') return v;
  const text = asText(v);
  if (text === null && v !== null && v !== undefined)
    flag(
      issues,
      column,
      'unreadable_value_dropped',
      `${Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : 'a number that is not finite'} where text was expected; value dropped`,
    );
  return text;
}

/** The text form of a scalar, or null when there is none. */
export function asText(v: unknown): string | null {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return Number.isFinite(v) ? String(v) : null;
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return String(v);
    default:
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
      return null;
  }
}

/**
 * True when `s` starts and ends with printable ASCII: then trim() would return it unchanged (every
 * character it removes is a control, a space or beyond ASCII), and ids can skip the call.
 */
export function isTrimmed(s: string): boolean {
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(s.length - 1);
  return first > 0x20 && first < 0x7f && last > 0x20 && last < 0x7f;
}

/** Removes leading and trailing whitespace (JavaScript's definition: Unicode White_Space, BOM, line breaks). */
export function trim(v: unknown): string | null {
  return typeof v === 'string' ? v.trim() : (asText(v)?.trim() ?? null);
}

/** Maps the case of `s` without changing its length (see the file comment). */
function sameLength(s: string, mapped: string, map: (c: string) => string): string {
  if (mapped.length === s.length) return mapped;
  let out = '';
  for (const c of s) {
    const m = map(c);
    out += m.length === c.length ? m : c;
  }
  return out;
}

const toLower = (c: string): string => c.toLowerCase();
const toUpper = (c: string): string => c.toUpperCase();

/** Lower-cases text with the locale-independent Unicode mapping; length is kept. */
export function lowercase(v: unknown): string | null {
  const s = asText(v);
  return s === null ? null : sameLength(s, s.toLowerCase(), toLower);
}

/** Upper-cases text with the locale-independent Unicode mapping; length is kept. */
export function uppercase(v: unknown): string | null {
  const s = asText(v);
  return s === null ? null : sameLength(s, s.toUpperCase(), toUpper);
}

// A word starts at a letter that follows anything but a letter, mark or digit: "mary-jane o'neil" →
// "Mary-Jane O'Neil". The same rule capitalises "it's" as "It'S"; titlecase is meant for names.
const WORD_START = /(^|[^\p{L}\p{M}\p{N}])(\p{Ll})/gu;

/**
 * Capitalises the first letter of each word and lower-cases the rest ("JOHN SMITH" → "John Smith").
 * Internal capitals are lost ("McDonald" → "Mcdonald"), which is why it is a step an analyst opts into.
 */
export function titlecase(v: unknown): string | null {
  const lower = lowercase(v);
  if (lower === null) return null;
  // ASCII text in one pass; the first character beyond ASCII hands the text to the Unicode rule.
  let out = '';
  let from = 0;
  let inWord = false;
  for (let i = 0; i < lower.length; i += 1) {
    const c = lower.charCodeAt(i);
    if (c >= 0x80) return titlecaseUnicode(lower);
    if (c >= 0x61 && c <= 0x7a) {
      if (!inWord) {
        out += lower.slice(from, i) + String.fromCharCode(c - 0x20);
        from = i + 1;
      }
      inWord = true;
    } else inWord = c >= 0x30 && c <= 0x39;
  }
  return from === 0 ? lower : out + lower.slice(from);
}

function titlecaseUnicode(lower: string): string {
  return lower.replace(WORD_START, (_m, before: string, letter: string) => {
    const upper = letter.toUpperCase();
    return before + (upper.length === letter.length ? upper : letter);
  });
}

const NEEDS_COLLAPSE = /[^\S ]| {2}/;
const WHITESPACE_RUN = /\s+/g;

/** Replaces each run of whitespace (spaces, tabs, line breaks, no-break spaces) with one space. Does not trim. */
export function collapseWhitespace(v: unknown): string | null {
  const s = asText(v);
  if (s === null) return null;
  return NEEDS_COLLAPSE.test(s) ? s.replace(WHITESPACE_RUN, ' ') : s;
}

/*
 * Removed: C0 controls except TAB, LF and CR (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F), DEL and
 * the C1 controls (U+007F–U+009F), the noncharacters U+FFFE and U+FFFF, and unpaired surrogates. The
 * C0 set, U+FFFE/U+FFFF and unpaired surrogates are exactly what XML 1.0 excludes from `Char`
 * (https://www.w3.org/TR/xml/#charsets), and Dataverse text travels through XML (FetchXML, exports,
 * the SOAP endpoint). Kept: emoji (paired surrogates), and U+2028/U+2029, which are legal XML and JSON
 * characters that Dataverse stores as sent; a note pasted from a PDF keeps its line structure.
 */
const CONTROL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this step's purpose
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// The same pattern without the g flag, so that test() keeps no lastIndex between calls.
const HAS_CONTROL = new RegExp(CONTROL.source);

/** Matches a surrogate code unit that is not part of a pair (text that is not valid UTF-16). */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Removes control characters (keeping tab and line breaks) and unpaired surrogates. */
export function stripControl(v: unknown): string | null {
  const s = asText(v);
  if (s === null) return null;
  return HAS_CONTROL.test(s) ? s.replace(CONTROL, '') : s;
}

/** True for null, undefined, and text that is empty or only whitespace: "no value" everywhere in this library. */
export function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v !== 'string') return false;
  if (v.length === 0) return true;
  const first = v.charCodeAt(0);
  // A printable ASCII first character settles it without scanning the string.
  if (first > 0x20 && first < 0x7f) return false;
  return v.trim().length === 0;
}

/** Text, or null when it is empty or only whitespace (a blank is not a value worth writing). */
export function nullIfEmpty(v: unknown): string | null {
  const s = asText(v);
  return s === null || isEmpty(s) ? null : s;
}
