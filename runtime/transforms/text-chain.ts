import { email, limitOf } from './email.ts';
import { lowerCaseAddress } from './email-plain.ts';
import { truncate } from './length.ts';
import { collapseWhitespace, isTrimmed, lowercase, stripControl, textOf, trim, uppercase } from './text.ts';
import type { DropPolicy, Issues } from './types.ts';

/*
 * A field's leading text steps run as one call. Most values are text that every one of these steps
 * leaves as it is (a name with no stray space, control character or case to change); such a value is
 * returned after one look instead of one pass per step. Any other value runs the steps one by one in
 * their spec order, exactly as the calls they stand for, so the result is the same either way
 * (test/transforms/text-chain.test.ts holds the two to each other).
 *
 * The look is a regular expression per chain of the characters some step of it may change, erring on
 * the safe side (any character beyond ASCII for a case step, any surrogate for strip_control), and for
 * trim a printable, non-space first and last character; truncate passes what is no longer than its length.
 */

/** The text steps a chain can hold: the ones with no parameter that leave plain text as it is. */
export type TextChainStep = 'strip_control' | 'trim' | 'collapse_whitespace' | 'lowercase' | 'uppercase';

/** Leading text steps of one field, compiled once, and the truncate that follows them, if any. */
export interface TextChain {
  readonly steps: readonly TextChainStep[];
  readonly truncate: { readonly length: number; readonly flag: boolean } | undefined;
  /** Matches a value some step may change; undefined when only trim and truncate look at it. */
  readonly changes: RegExp | undefined;
  /** Whether the value's first and last characters must be printable ASCII other than the space (trim). */
  readonly edges: boolean;
  /** The longest value that passes unchanged: the truncate length, or no limit. */
  readonly longest: number;
  /** Whether a step is uppercase, the one step that changes an address written in lower case. */
  readonly uppercases: boolean;
}

/** Whitespace other than the space: what JavaScript's `\s` matches besides U+0020. */
export const OTHER_WHITESPACE =
  '\\t\\n\\v\\f\\r\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';

/** Per step, the characters it may change (a character class body), and text it may change besides. */
const CHANGES: Readonly<Record<TextChainStep, { readonly chars: string; readonly runs?: string }>> = {
  strip_control: {
    chars: '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\ud800-\\udfff\\ufffe\\uffff',
  },
  trim: { chars: '' },
  collapse_whitespace: { chars: OTHER_WHITESPACE, runs: ' {2}' },
  lowercase: { chars: 'A-Z\\u0080-\\uffff' },
  uppercase: { chars: 'a-z\\u0080-\\uffff' },
};

/**
 * A field's text steps, in spec order, and the truncate step after them.
 * @throws RangeError when the truncate length is not a whole number ≥ 1 (a spec error), as truncate does.
 */
export function textChain(
  steps: readonly TextChainStep[],
  truncateTo?: { readonly length: number; readonly flag: boolean },
): TextChain {
  if (truncateTo && !(Number.isInteger(truncateTo.length) && truncateTo.length >= 1))
    throw new RangeError('truncate: length must be a whole number of at least 1');
  const chars = steps.map((step) => CHANGES[step].chars).join('');
  const runs = steps.flatMap((step) => CHANGES[step].runs ?? []);
  const patterns = [...(chars === '' ? [] : [`[${chars}]`]), ...new Set(runs)];
  return {
    steps,
    truncate: truncateTo,
    changes: patterns.length === 0 ? undefined : new RegExp(patterns.join('|')),
    edges: steps.includes('trim'),
    longest: truncateTo?.length ?? Number.POSITIVE_INFINITY,
    uppercases: steps.includes('uppercase'),
  };
}

/** True when every step of the chain (and its truncate) would return `s` as it is. */
function passesUnchanged(s: string, chain: TextChain): boolean {
  const n = s.length;
  if (n > chain.longest) return false;
  if (n === 0) return true;
  if (chain.edges && !isTrimmed(s)) return false;
  return chain.changes === undefined || !chain.changes.test(s);
}

function applyStep(s: string | null, step: TextChainStep): string | null {
  switch (step) {
    case 'strip_control':
      return stripControl(s);
    case 'trim':
      return trim(s);
    case 'collapse_whitespace':
      return collapseWhitespace(s);
    case 'lowercase':
      return lowercase(s);
    case 'uppercase':
      return uppercase(s);
  }
}

/**
 * A source value read as text (`textOf`) and put through the chain's steps and truncate: the same
 * result, flags included, as `truncate(step_n(…step_1(textOf(v))), …)`.
 */
export function cleanText(v: unknown, chain: TextChain, issues: Issues, column: string): string | null {
  if (typeof v === 'string') {
    if (passesUnchanged(v, chain)) return v;
  } else if (v === null || v === undefined) return null;
  let s = textOf(v, issues, column);
  for (const step of chain.steps) s = applyStep(s, step);
  const cut = chain.truncate;
  return cut === undefined ? s : truncate(s, cut.length, cut.flag, issues, column);
}

/**
 * `email(cleanText(v, chain, issues, column), policy, maxLength, issues, column)` as one call, for a
 * field whose text steps are followed by the email step. An address written all in lower case that
 * email takes as it is (lowerCaseAddress: ASCII, no control character, no space) is text that every
 * chain step but uppercase returns unchanged, as does a truncate it fits: such a value comes back after
 * one look. Any other value runs the chain, then email.
 */
export function cleanEmail(
  v: unknown,
  chain: TextChain,
  policy: DropPolicy,
  maxLength: number | undefined,
  issues: Issues,
  column: string,
): string | null {
  if (
    typeof v === 'string' &&
    !chain.uppercases &&
    v.length <= chain.longest &&
    lowerCaseAddress(v, limitOf(maxLength))
  )
    return v;
  return email(cleanText(v, chain, issues, column), policy, maxLength, issues, column);
}
