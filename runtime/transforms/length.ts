import { flag as addFlag } from './issues.ts';
import { asText } from './text.ts';
import type { Issues } from './types.ts';

/*
 * Lengths are counted in UTF-16 code units, JavaScript's string length. Dataverse string columns are
 * SQL Server nvarchar(MaxLength), where "n defines the string size in byte-pairs" and a supplementary
 * character (an emoji) uses two of them (learn.microsoft.com/sql/t-sql/data-types/nchar-and-nvarchar-transact-sql);
 * an over-long value fails with "The length of the 'subject' attribute of the 'task' entity exceeded
 * the maximum allowed length of '200'" (shared/reference/dataverse.md §8). Whether the platform's own
 * check counts code units or code points is not documented; code units is the stricter reading (an
 * emoji counts two), so what fits here fits there.
 * A cut never separates the two halves of a surrogate pair, so the result is still valid text; it may
 * still end inside a longer grapheme (a flag emoji is two pairs, a family emoji five code points).
 * Text whose first character is a pair cut to length 1 keeps nothing: that is no value (null), as a
 * value map or an email step gives for a value they drop, not empty text, which the emoji was not.
 */

const isHigh = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

/** The largest cut ≤ `at` that does not split a surrogate pair. */
function safeCut(s: string, at: number): number {
  return at > 0 && isHigh(s.charCodeAt(at - 1)) && isLow(s.charCodeAt(at)) ? at - 1 : at;
}

function checkLength(step: string, length: number, minimum: number): void {
  if (!Number.isInteger(length) || length < minimum) {
    throw new RangeError(`${step}: length must be a whole number of at least ${minimum}`);
  }
}

/**
 * Cuts text to at most `length` UTF-16 code units; with `flag`, records `truncated` when it cut. Null
 * when nothing is left (length 1, text starting with a surrogate pair).
 * @throws RangeError when `length` is not a whole number ≥ 1 (a spec error).
 */
export function truncate(
  v: string | null,
  length: number,
  flag: boolean,
  issues: Issues,
  column: string,
): string | null {
  checkLength('truncate', length, 1);
  // The compiler passes text; a number or boolean that arrives anyway is cut as its text form.
  const s = typeof v === 'string' ? v : asText(v);
  if (s === null || s.length <= length) return s;
  const cut = safeCut(s, length);
  if (cut === 0) {
    if (flag)
      addFlag(
        issues,
        column,
        'truncated',
        `cut from ${s.length} to 0 characters: its first character takes 2 units; no value written`,
      );
    return null;
  }
  if (flag) addFlag(issues, column, 'truncated', `cut from ${s.length} to ${cut} characters`);
  return s.slice(0, cut);
}

/** Where a line may break: ASCII whitespace, Unicode spaces and separators, but not no-break spaces. */
function isBreak(c: number): boolean {
  return (
    c === 0x20 ||
    (c >= 0x09 && c <= 0x0d) ||
    c === 0x85 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x205f ||
    c === 0x3000
  );
}

/**
 * Splits text into parts of at most `length` UTF-16 code units that join back to the original. A part
 * ends after the last whitespace in the final tenth of its window when there is one (so words stay
 * whole), otherwise at the window's end, never inside a surrogate pair. Null or empty → []; text that
 * fits → one part, no flag; otherwise a `split` flag with the number of parts.
 * @throws RangeError when `length` is not a whole number ≥ 2 (a spec error: a pair needs two units).
 */
export function split(v: string | null, length: number, issues: Issues, column: string): string[] {
  checkLength('split', length, 2);
  const s = typeof v === 'string' ? v : asText(v);
  if (s === null || s.length === 0) return [];
  if (s.length <= length) return [s];
  const parts: string[] = [];
  const lookBack = Math.ceil(length / 10);
  let start = 0;
  while (s.length - start > length) {
    const end = start + length;
    let cut = -1;
    for (let i = end - 1; i >= end - lookBack; i -= 1) {
      if (isBreak(s.charCodeAt(i))) {
        cut = i + 1;
        break;
      }
    }
    if (cut < 0) cut = safeCut(s, end);
    parts.push(s.slice(start, cut));
    start = cut;
  }
  parts.push(s.slice(start));
  addFlag(issues, column, 'split', `split into ${parts.length} parts of at most ${length} characters`);
  return parts;
}
