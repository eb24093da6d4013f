import { escapeRegExp } from '../shared/redact.ts';

/**
 * Dataverse repeats the value it refused in some of its error messages ("The value 42.5 of
 * 'fs_painscore' on record of type 'contact' is outside the valid range."), and a row's values may be
 * patient data. Messages that reach the journal, a log or the console go through `maskValues` first:
 * the value gives way to VALUE_MARK, and the error's wording, column and table stay.
 */

/** What stands in for a value in a Dataverse message. */
export const VALUE_MARK = '<value>';

// A quoted value ends at the quote that the text goes on after (a space, punctuation or the end), so a
// value holding the quote itself (O'Brien) is masked whole.
const QUOTED = String.raw`'[\s\S]*?'(?=[\s.,;:!?)\]}]|$)|"[\s\S]*?"(?=[\s.,;:!?)\]}]|$)`;

/** Words that follow "value" in Dataverse's messages where no value is quoted ("the value of", "value is outside"). */
const NOT_A_VALUE = /^(?:of|is|was|for|in|type|the|a|an|not|must|cannot|supported)$/i;

/**
 * The message templates of Dataverse and its OData layer that carry a value (reference §8, the
 * Dataverse error list, and answers seen in public issue threads):
 * - 0x8004431a: "The value <v> of '<column>' on record of type '<table>' is outside the valid range."
 * - decimal, money and duration ranges: "value <v> is outside the valid range(<min> to <max>)"
 * - OData conversion (0x80048d19): "Cannot convert the literal '<v>' to the expected type 'Edm.Int32'."
 * - dates: "DateTime is less than minimum value supported by CrmDateTime. Actual value: <v>, Minimum…"
 *   and "The date-time format for <v> is invalid, or value is outside the supported range."
 * - any quoted value or literal: "The value '<v>' is not valid …"
 */
const TEMPLATES: readonly [RegExp, (match: string, ...groups: string[]) => string][] = [
  [new RegExp(String.raw`\b(value|literal)(\s+)(?:${QUOTED})`, 'gi'), quoted],
  [
    /\b(value)(\s+)([^\s'"]+)(?=\s+(?:of|is)\b)/gi,
    (match, word, space, value) => (NOT_A_VALUE.test(value ?? '') ? match : `${word}${space}${VALUE_MARK}`),
  ],
  [/\b(Actual value:)(\s*)[^,\r\n]+/gi, (_, label, space) => `${label}${space}${VALUE_MARK}`],
  [
    /\b(date-time format for)(\s+)[\s\S]+?(?=\s+is invalid)/gi,
    (_, label, space) => `${label}${space}${VALUE_MARK}`,
  ],
];

function quoted(match: string, word: string, space: string): string {
  const quote = match.at(-1);
  return `${word}${space}${quote}${VALUE_MARK}${quote}`;
}

/**
 * Values shorter than this are left to the templates: a 1 or a "no" in the row would otherwise mask
 * ordinary words and numbers of the message itself.
 */
const MIN_VALUE_LENGTH = 3;

/**
 * A pattern for one of the row's values as a whole token: not inside a longer word, number or hex code
 * (`0x8004431a`). A number also matches as Dataverse may print it, with trailing zeros (42.5 as 42.50).
 */
function valuePattern(value: string | number): RegExp {
  const text = String(value);
  const body =
    typeof value === 'number'
      ? `${escapeRegExp(text)}${text.includes('.') ? '0*' : String.raw`(?:\.0+)?`}`
      : escapeRegExp(text);
  return new RegExp(String.raw`(?<![\p{L}\p{N}_]|\p{N}[.,])${body}(?![\p{L}\p{N}_]|[.,]\p{N})`, 'gu');
}

/** The row's values that could be repeated in a message: text and finite numbers, longest first. */
function tokens(values: Iterable<unknown>): (string | number)[] {
  const out = new Set<string | number>();
  for (const value of values) {
    if (typeof value === 'string' && value.trim().length >= MIN_VALUE_LENGTH) out.add(value);
    else if (typeof value === 'number' && Number.isFinite(value) && String(value).length >= MIN_VALUE_LENGTH)
      out.add(value);
  }
  return [...out].sort((a, b) => String(b).length - String(a).length);
}

/**
 * A part of a text value that a message quotes (a plug-in's "…: \"<the first 40 characters of the
 * note>…\"", "patients living on <the street of the address line>") is masked from this many
 * characters, letters or digits at both ends: a shorter run that a long free text shares with the
 * message is as often the message's own wording ("on the right", "the patient").
 */
const MIN_FRAGMENT = 16;

/**
 * A part of a shorter value counts from half of it, and from this many characters: the street
 * ("Victoria Road") of an address line ("111 Victoria Road"), which the message's wording hardly
 * shares by chance.
 */
const MIN_SHORT_FRAGMENT = 8;

const WORD = /[\p{L}\p{N}]/u;
const isWord = (c: string | undefined) => c !== undefined && WORD.test(c);

/**
 * The end of the longest run of `text` from `at` that `value` holds, given that it holds the run up to
 * `end`: found in steps that double, then halve (any start of a run it holds it holds too), so that a
 * long value quoted whole costs a few searches of it rather than one a character.
 */
function heldRunEnd(text: string, at: number, end: number, value: string): number {
  const held = (stop: number) => stop <= text.length && value.includes(text.slice(at, stop));
  let step = 1;
  while (held(end + step)) {
    end += step;
    step *= 2;
  }
  for (step = Math.floor(step / 2); step >= 1; step = Math.floor(step / 2)) if (held(end + step)) end += step;
  return end;
}

/**
 * The [start, end) ranges of `text` that quote part of one of `values`: each longest run of the text
 * that the value holds too, without the spaces and punctuation at its ends (unless it is the whole
 * value), when it is long enough (see MIN_FRAGMENT), widened to the whole words it starts or ends
 * inside of.
 */
function fragmentRanges(text: string, values: readonly string[]): [number, number][] {
  const ranges: [number, number][] = [];
  for (const value of values) {
    const least = Math.min(MIN_FRAGMENT, Math.max(MIN_SHORT_FRAGMENT, Math.ceil(value.length / 2)));
    // A value no longer than that is found whole, as a token (valuePattern).
    if (value.length <= least) continue;
    let at = 0;
    while (at + least <= text.length) {
      if (!value.includes(text.slice(at, at + least))) {
        at += 1;
        continue;
      }
      const end = heldRunEnd(text, at, at + least, value);
      let start = at;
      let stop = end;
      // The value whole is masked whole, its punctuation included ("(ch_1a2b)").
      const whole = end - at === value.length;
      while (!whole && start < stop && !isWord(text[start])) start += 1;
      while (!whole && stop > start && !isWord(text[stop - 1])) stop -= 1;
      if (stop - start < least) {
        at += 1;
        continue;
      }
      while (isWord(text[start - 1])) start -= 1;
      while (isWord(text[stop])) stop += 1;
      ranges.push([start, stop]);
      at = end;
    }
  }
  return ranges;
}

/** `text` with the parts of `values` it quotes (fragmentRanges) replaced by VALUE_MARK. */
function maskFragments(text: string, values: readonly string[]): string {
  const ranges = fragmentRanges(text, values).sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [start, end] of ranges) {
    if (end <= at) continue;
    out += start >= at ? `${text.slice(at, start)}${VALUE_MARK}` : '';
    at = end;
  }
  return out + text.slice(at);
}

/** `text` with `change` applied between the marks only, so that a value such as "value" cannot break a mark apart. */
function betweenMarks(text: string, change: (part: string) => string): string {
  return text.split(VALUE_MARK).map(change).join(VALUE_MARK);
}

/**
 * `text` (a Dataverse error message, or a reason built from one) with every value replaced by
 * VALUE_MARK: first the values Dataverse's known messages embed, then, in case a message is worded
 * otherwise, the parts of the row's own text values (`values`) that it quotes (see MIN_FRAGMENT), then
 * any of `values` where it stands as a whole token. Marks already in the text stay as they are.
 */
export function maskValues(text: string, values: Iterable<unknown> = []): string {
  let clean = text;
  for (const [pattern, replace] of TEMPLATES) clean = clean.replace(pattern, replace);
  const all = [...values];
  const texts = [...new Set(all.filter((v): v is string => typeof v === 'string'))];
  if (texts.length > 0) clean = betweenMarks(clean, (part) => maskFragments(part, texts));
  const rowValues = tokens(all).filter((v) => clean.includes(String(v)));
  if (rowValues.length === 0) return clean;
  return betweenMarks(clean, (part) =>
    rowValues.reduce<string>((p, v) => p.replace(valuePattern(v), VALUE_MARK), part),
  );
}
