/*
 * Numbers a national number pattern surely matches, told without running it. Most numbers fall in a
 * top-level alternative of their country's pattern made of one first digit and then any digits:
 * "[1-357-9]\d{9}" (GB), "[2-9]\d{9}" (NANP), "[2-478]\d{8}" (AU). Such an alternative matches every
 * number that starts with one of its first digits and has one of its lengths, so for those the regex
 * run (about a quarter of phone-plan.ts's time for a plain number) can be spared. Other alternatives,
 * and numbers outside these, are left to the regex: this only ever answers "matches".
 */

/** Per national-number length (index 0–17), the first digits (bit d for digit d) that surely match. */
export type Sure = readonly number[];

/** National numbers are at most 17 digits (parse.js MAX_LENGTH_FOR_NSN); longer ones are refused first. */
export const MAX_NATIONAL = 17;

// An alternative read here: a first digit or class of digits, then \d with an optional {n} or {n,m}.
const SIMPLE = /^(\[(?:[0-9](?:-[0-9])?)+\]|[0-9])((?:\\d(?:\{[0-9]+(?:,[0-9]+)?\})?)*)$/;
// Read with matchAll, which runs on a copy: its lastIndex stays as it is.
const QUANTIFIED_DIGIT = /\\d(?:\{([0-9]+)(?:,([0-9]+))?\})?/g;
// The characters of the patterns in libphonenumber-js's metadata, with no escape but \d. Others (an
// escaped "|", a lookahead) could make splitting at "|" wrong, so a pattern with any is not read.
const PATTERN_CHARACTERS = /^(?:[0-9[\]\-{},()?:|]|\\d)*$/;

/** Nothing surely matches (the start of a union of Sure tables). */
export const NOTHING_SURE: Sure = Object.freeze(new Array<number>(MAX_NATIONAL + 1).fill(0));

/** The national numbers `pattern` (a regular expression source, matched whole) surely matches. */
export function surelyMatching(pattern: string): Sure {
  const sure = new Array<number>(MAX_NATIONAL + 1).fill(0);
  if (!PATTERN_CHARACTERS.test(pattern)) return sure;
  for (const alternative of topLevelAlternatives(pattern)) {
    const m = SIMPLE.exec(alternative);
    if (m === null) continue;
    let min = 1;
    let max = 1;
    for (const [, n, upTo] of m[2]!.matchAll(QUANTIFIED_DIGIT)) {
      min += n === undefined ? 1 : Number(n);
      max += n === undefined ? 1 : Number(upTo ?? n);
    }
    // Each \d{n,m} takes any count from n to m, so the sums take every length from min to max.
    const first = firstDigits(m[1]!);
    for (let n = min; n <= Math.min(max, MAX_NATIONAL); n += 1) sure[n]! |= first;
  }
  return sure;
}

/** The first digits that surely match under either of two Sure tables (for a pattern "a|b"). */
export function eitherSure(a: Sure, b: Sure): Sure {
  return a.map((bits, n) => bits | b[n]!);
}

/** True when `national` (ASCII digits) is surely matched; never when it is empty (no length-0 entry). */
export function isSure(sure: Sure, national: string): boolean {
  const bits = sure[national.length];
  return bits !== undefined && ((bits >> (national.charCodeAt(0) - 0x30)) & 1) === 1;
}

/** `pattern` split at its "|" outside groups and classes. */
function topLevelAlternatives(pattern: string): string[] {
  const alternatives: string[] = [];
  let depth = 0;
  let inClass = false;
  let start = 0;
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i];
    if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth += 1;
    else if (c === ')') depth -= 1;
    else if (c === '|' && depth === 0) {
      alternatives.push(pattern.slice(start, i));
      start = i + 1;
    }
  }
  alternatives.push(pattern.slice(start));
  return alternatives;
}

/** The digits of "7" or a class such as "[1-357-9]", as bits. */
function firstDigits(atom: string): number {
  if (atom.length === 1) return 1 << Number(atom);
  let bits = 0;
  for (let i = 1; i < atom.length - 1; i += 1) {
    const from = Number(atom[i]);
    const to = atom[i + 1] === '-' ? Number(atom[i + 2]) : from;
    for (let d = from; d <= to; d += 1) bits |= 1 << d;
    if (atom[i + 1] === '-') i += 2;
  }
  return bits;
}
