/*
 * Reading phone text for phone-plan.ts's readNumber: the digits of text made of digits, spaces, dashes,
 * dots, slashes and brackets ("plain" text), a trailing extension, and whether other text can be a
 * number at all, each as libphonenumber-js would see it.
 */

const isAsciiDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/** True for the characters of plain text other than ASCII digits: space - . / ( ). */
function isSeparator(c: number): boolean {
  return c === 0x20 || c === 0x2d || c === 0x2e || c === 0x2f || c === 0x28 || c === 0x29;
}

/** Plain text up to its first other character (`stop`), and the ASCII digits before that character. */
export interface PlainStart {
  readonly stop: number;
  readonly digits: string;
}

/**
 * The ASCII digits of s[from, end) when it is plain text (ASCII digits and separators); otherwise where
 * its first character that is neither is, with the digits before it (so that a caller reading an
 * extension after them need not scan the text again).
 */
export function plainDigits(s: string, from: number, end: number): string | PlainStart {
  let digits = '';
  let last = from; // digits from `last` to the current character are not yet in `digits`
  for (let i = from; i < end; i += 1) {
    const c = s.charCodeAt(i);
    if (isAsciiDigit(c)) continue;
    if (!isSeparator(c)) return { stop: i, digits: i > last ? digits + s.slice(last, i) : digits };
    if (i > last) digits += s.slice(last, i);
    last = i + 1;
  }
  if (last === from) return from === 0 && end === s.length ? s : s.slice(from, end);
  return last < end ? digits + s.slice(last, end) : digits;
}

// A character that is neither a digit, punctuation nor plus as libphonenumber-js defines them
// (constants.js VALID_DIGITS, VALID_PUNCTUATION, PLUS_CHARS). Outside an extension, such a character
// makes the text not a viable number (helpers/isViablePhoneNumber.js).
const NOT_NUMBER_TEXT =
  /[^0-9\uFF10-\uFF19\u0660-\u0669\u06F0-\u06F9\-\u2010-\u2015\u2212\u30FC\uFF0D\uFF0F/\uFF0E. \u00A0\u00AD\u200B\u2060\u3000()\uFF08\uFF09\uFF3B\uFF3D[\]~\u2053\u223C\uFF5E+\uFF0B]/;

/**
 * True when `s` has a character no number has (NOT_NUMBER_TEXT), `stop` being the first character
 * that is not plain (see plainDigits): an ASCII letter there settles it without the regular expression.
 */
export function notNumberText(s: string, stop: number): boolean {
  const lower = s.charCodeAt(stop) | 0x20;
  return (lower >= 0x61 && lower <= 0x7a) || NOT_NUMBER_TEXT.test(s);
}

// The extension grammar of libphonenumber-js (helpers/extension/createExtensionPattern.js), rebuilt
// here because the library does not export it: ";ext=123", "ext. 123", "x12", "#45", "123#", ",,12".
const DIGITS = '0-9\uFF10-\uFF19\u0660-\u0669\u06F0-\u06F9';
const extDigits = (max: number): string => `([${DIGITS}]{1,${max}})`;
const AFTER_LABEL = '[:\\.\uFF0E]?[ \u00A0\\t,-]*';
const EXTENSION = new RegExp(
  `(?:${[
    `;ext=${extDigits(20)}`,
    `[ \u00A0\\t,]*(?:e?xt(?:ensi(?:o\u0301?|\u00F3))?n?|\uFF45?\uFF58\uFF54\uFF4E?|\u0434\u043E\u0431|anexo)${AFTER_LABEL}${extDigits(20)}#?`,
    `[ \u00A0\\t,]*(?:[x\uFF58#\uFF03~\uFF5E]|int|\uFF49\uFF4E\uFF54)${AFTER_LABEL}${extDigits(9)}#?`,
    `[- ]+${extDigits(6)}#`,
    `[ \u00A0\\t]*(?:,{2}|;)${AFTER_LABEL}${extDigits(15)}#?`,
    `[ \u00A0\\t]*(?:,)+${AFTER_LABEL}${extDigits(9)}#?`,
  ].join('|')})$`,
  'i',
);

/** True when the last character is a digit EXTENSION reads, or "#". */
function endsLikeExtension(s: string): boolean {
  return isExtensionDigitOrHash(s.charCodeAt(s.length - 1));
}

/** True for a digit EXTENSION reads (ASCII, full-width, Arabic-Indic), or "#". */
function isExtensionDigitOrHash(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) ||
    c === 0x23 ||
    (c >= 0xff10 && c <= 0xff19) ||
    (c >= 0x0660 && c <= 0x0669) ||
    (c >= 0x06f0 && c <= 0x06f9)
  );
}

/** Where an extension starts in the text and its digits as typed (any of libphonenumber-js's digits). */
export interface Extension {
  readonly index: number;
  readonly digits: string;
  /**
   * Typed the usual way (see usualExtension): then the text has no ";", the extension is in ASCII
   * digits, and only spaces come between it and the number.
   */
  readonly usual: boolean;
}

/**
 * EXTENSION's match in `s`, `stop` being its first character that is not plain (see plainDigits);
 * null when there is none.
 *
 * The search starts near `stop` rather than at 0: the text before `stop` holds only digits and
 * separators, and every form of EXTENSION reaches before its first other character only over spaces
 * (the space of "[ \u00A0\t,]*" and "[ \u00A0\t]*") or, for "[- ]+digits#", over digits, dashes and
 * spaces before a "#" or a digit beyond ASCII. No match starts further back, so the leftmost match is
 * the same (a search that starts earlier than needed only costs time).
 */
export function extensionOf(s: string, stop: number): Extension | null {
  // Every form of EXTENSION ends with a digit or "#": other text need not be searched.
  if (!endsLikeExtension(s)) return null;
  const usual = usualExtension(s, stop);
  if (usual !== undefined) return usual;
  let from = stop;
  // "[- ]+digits#": its digits may mix ASCII with other digits ("- 1２#"), so the match can start
  // before a "#" or a digit beyond ASCII at `stop`, over the ASCII digits before it.
  if (isExtensionDigitOrHash(s.charCodeAt(stop))) {
    while (from > 0 && isAsciiDigit(s.charCodeAt(from - 1))) from -= 1;
  }
  while (from > 0 && (s.charCodeAt(from - 1) === 0x20 || s.charCodeAt(from - 1) === 0x2d)) from -= 1;
  const m = EXTENSION.exec(from === 0 ? s : s.slice(from));
  if (m === null) return null;
  // One group per form; the first that matched holds the digits (never empty: each reads one or more).
  let k = 1;
  while (!m[k]) k += 1;
  return { index: from + m.index, digits: m[k]!, usual: false };
}

/** True when `s` has `word` (lower-case ASCII letters) at `at`, in any case, as EXTENSION's "i" flag reads. */
function hasWordAt(s: string, at: number, word: string): boolean {
  if (at + word.length > s.length) return false;
  // Without the "u" flag no character beyond ASCII matches an ASCII letter in any case, and
  // `c | 0x20` equals a lower-case letter only for that letter and its capital.
  for (let i = 0; i < word.length; i += 1)
    if ((s.charCodeAt(at + i) | 0x20) !== word.charCodeAt(i)) return false;
  return true;
}

/**
 * EXTENSION's match for the usual way an extension is typed, read without the regular expression:
 * from `stop`, a label "ext", "extn", "extension" (at most 20 digits) or "x" (at most 9) in any case,
 * an optional "." or ":", spaces or dashes, and ASCII digits to the end. Undefined for any other text,
 * which EXTENSION reads.
 *
 * Such text matches the form of its label (";ext=", "#" and "," forms need characters it has not; "x"
 * is no "e?xt" label as no "t" follows), with the spaces before the label and the digits to the end.
 * No match starts further back: the plain text before the spaces has no label, "," or ";" after a
 * space, and "[- ]+digits#" needs a final "#".
 */
function usualExtension(s: string, stop: number): Extension | undefined {
  let i = stop;
  let max: number;
  if ((s.charCodeAt(i) | 0x20) === 0x78) {
    i += 1; // "x"
    max = 9;
  } else if (hasWordAt(s, i, 'ext')) {
    i += 3;
    if (hasWordAt(s, i, 'ension')) i += 6;
    else if ((s.charCodeAt(i) | 0x20) === 0x6e) i += 1; // "extn"
    max = 20;
  } else return undefined;
  const c = s.charCodeAt(i);
  if (c === 0x2e || c === 0x3a) i += 1;
  while (s.charCodeAt(i) === 0x20 || s.charCodeAt(i) === 0x2d) i += 1;
  const digits = i;
  while (i < s.length && isAsciiDigit(s.charCodeAt(i))) i += 1;
  if (i < s.length || i === digits || i - digits > max) return undefined;
  let index = stop;
  while (index > 0 && s.charCodeAt(index - 1) === 0x20) index -= 1;
  return { index, digits: s.slice(digits), usual: true };
}

/** True when `s` is one or more ASCII digits. */
export function asciiDigits(s: string): boolean {
  for (let i = 0; i < s.length; i += 1) if (!isAsciiDigit(s.charCodeAt(i))) return false;
  return s.length > 0;
}
