import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cleanEmail,
  cleanText,
  collapseWhitespace,
  type DropPolicy,
  email,
  type Issues,
  lowercase,
  stripControl,
  type TextChainStep,
  textChain,
  textOf,
  trim,
  truncate,
  uppercase,
} from '../../runtime/transforms/index.ts';
import { OTHER_WHITESPACE } from '../../runtime/transforms/text-chain.ts';
import { run } from './run.ts';

const STEP: Readonly<Record<TextChainStep, (v: unknown) => string | null>> = {
  strip_control: stripControl,
  trim,
  collapse_whitespace: collapseWhitespace,
  lowercase,
  uppercase,
};

/** The calls a chain stands for, one after another: what the generated code did before chains. */
function oneByOne(
  v: unknown,
  steps: readonly TextChainStep[],
  cut: { length: number; flag: boolean } | undefined,
  issues: Issues,
  column: string,
): string | null {
  let s = textOf(v, issues, column);
  for (const step of steps) s = STEP[step](s);
  return cut === undefined ? s : truncate(s, cut.length, cut.flag, issues, column);
}

describe('cleanText', () => {
  // [name, steps, truncate length, value, result, flags]
  it.each([
    [
      'plain text passes as it is',
      ['strip_control', 'trim', 'collapse_whitespace'],
      50,
      'Mary Jane',
      'Mary Jane',
      [],
    ],
    ['spaces at the edges are trimmed', ['trim'], 50, '  Mary ', 'Mary', []],
    ['a tab at the edge is trimmed', ['trim'], undefined, '\tMary', 'Mary', []],
    ['a run of spaces becomes one', ['collapse_whitespace'], undefined, 'Mary   Jane', 'Mary Jane', []],
    [
      'a no-break space becomes a space',
      ['collapse_whitespace'],
      undefined,
      'Mary\u00a0Jane',
      'Mary Jane',
      [],
    ],
    ['a control character is removed', ['strip_control'], undefined, 'Ma\u0007ry', 'Mary', []],
    ['an emoji is kept', ['strip_control'], undefined, 'Mary 🦷', 'Mary 🦷', []],
    ['case: upper', ['uppercase'], 20, 'bs1 4dj', 'BS1 4DJ', []],
    ['case: lower, beyond ASCII', ['trim', 'lowercase'], undefined, ' ÉLISE@X.ORG ', 'élise@x.org', []],
    ['steps run in spec order', ['strip_control', 'trim'], undefined, '\u0001 a', 'a', []],
    ['… which matters', ['trim', 'strip_control'], undefined, '\u0001 a', ' a', []],
    ['too long: cut and flagged', ['trim'], 4, 'Bristol', 'Bris', ['truncated']],
    ['exactly the length: kept', ['trim'], 7, 'Bristol', 'Bristol', []],
    ['a number reads as text', ['trim'], undefined, 42, '42', []],
    ['null stays null', ['trim'], 5, null, null, []],
    ['a list is dropped with a flag', ['trim'], 5, ['x'], null, ['unreadable_value_dropped']],
    ['empty text stays empty', ['trim', 'uppercase'], 5, '', '', []],
  ] as const)('%s', (_name, steps, length, value, result, flags) => {
    const chain = textChain(steps, length === undefined ? undefined : { length, flag: true });
    const outcome = run((issues, column) => cleanText(value, chain, issues, column));
    expect(outcome.value).toBe(result);
    expect(outcome.flags).toEqual(flags);
  });

  it('refuses a truncate length that is not a whole number of at least 1, as truncate does', () => {
    for (const length of [0, 2.5, Number.NaN])
      expect(() => textChain(['trim'], { length, flag: true })).toThrow(RangeError);
  });

  it('the whitespace a run of collapse_whitespace may change is all of `\\s` but the space', () => {
    const other = new RegExp(`[${OTHER_WHITESPACE}]`);
    const differ: number[] = [];
    for (let c = 0; c <= 0xffff; c += 1) {
      const s = String.fromCharCode(c);
      if (other.test(s) !== /[^\S ]/.test(s)) differ.push(c);
    }
    expect(differ).toEqual([]);
  });

  /** Text that is often plain: ASCII letters with single and double spaces, and now and then anything. */
  const text = fc.oneof(
    fc.stringMatching(/^[ A-Za-z0-9.'-]{0,12}$/),
    fc.string({
      unit: fc.constantFrom(' ', 'a', 'Z', '\t', '\u00a0', '\u0000', '\u007f', 'ß', 'İ', '\ud800', '🦷', 'Σ'),
      maxLength: 10,
    }),
    fc.string({ unit: 'grapheme', maxLength: 12 }),
    fc.string({ unit: 'binary', maxLength: 12 }),
  );
  const value = fc.oneof(text, fc.constantFrom(null, undefined, 12.5, Number.NaN, true, [], {}));
  const steps = fc.array(
    fc.constantFrom<TextChainStep>('strip_control', 'trim', 'collapse_whitespace', 'lowercase', 'uppercase'),
    { maxLength: 5 },
  );
  const cut = fc.option(fc.record({ length: fc.integer({ min: 1, max: 14 }), flag: fc.boolean() }), {
    nil: undefined,
  });

  it('gives what the steps give one by one, flags included, for any steps and value', () => {
    fc.assert(
      fc.property(value, steps, cut, (v, chainSteps, truncateTo) => {
        const chain = textChain(chainSteps, truncateTo);
        const together = run((issues, column) => cleanText(v, chain, issues, column));
        const apart = run((issues, column) => oneByOne(v, chainSteps, truncateTo, issues, column));
        expect(together.value).toBe(apart.value);
        expect(together.issues).toEqual(apart.issues);
      }),
      { numRuns: 20000 },
    );
  });
});

describe('cleanEmail', () => {
  // [name, steps, truncate length, value, result, flags]
  it.each([
    [
      'a lower-case address passes as it is',
      ['trim', 'lowercase'],
      undefined,
      'ann@example.com',
      'ann@example.com',
      [],
    ],
    [
      'an address with capitals is lower-cased',
      ['trim', 'lowercase'],
      undefined,
      ' Ann@Example.COM',
      'ann@example.com',
      [],
    ],
    ['uppercase runs before email', ['uppercase'], undefined, 'ann@example.com', 'ANN@example.com', []],
    [
      'a capital in the local part is lower-cased',
      ['lowercase'],
      undefined,
      'Ann@example.com',
      'ann@example.com',
      [],
    ],
    [
      'a truncate it does not fit cuts first',
      ['trim'],
      5,
      'ann@example.com',
      null,
      ['truncated', 'invalid_email_dropped'],
    ],
    ['an invalid address is dropped', ['trim'], undefined, 'ann@example', null, ['invalid_email_dropped']],
    ['null stays null', ['trim'], undefined, null, null, []],
  ] as const)('%s', (_name, steps, length, value, result, flags) => {
    const chain = textChain(steps, length === undefined ? undefined : { length, flag: true });
    const outcome = run((issues, column) => cleanEmail(value, chain, 'drop_with_flag', 100, issues, column));
    expect(outcome.value).toBe(result);
    expect(outcome.flags).toEqual(flags);
  });

  /** Mostly addresses, in lower case, in capitals or with a capital local part, and now and then anything. */
  const address = fc.oneof(
    fc.emailAddress(),
    fc.emailAddress().map((a) => a.toUpperCase()),
    fc.emailAddress().map((a) => a.charAt(0).toUpperCase() + a.slice(1)),
    fc.emailAddress().map((a) => ` ${a}\t`),
    fc.stringMatching(/^[a-zA-Z0-9.@ -]{0,20}$/),
    fc.string({ unit: fc.constantFrom('a', 'Z', '@', '.', '-', ' ', '\u0000', 'é', '1'), maxLength: 16 }),
  );
  const value = fc.oneof(address, fc.constantFrom(null, undefined, 12, [], {}));
  const steps = fc.array(
    fc.constantFrom<TextChainStep>('strip_control', 'trim', 'collapse_whitespace', 'lowercase', 'uppercase'),
    { maxLength: 4 },
  );
  const cut = fc.option(fc.record({ length: fc.integer({ min: 1, max: 80 }), flag: fc.boolean() }), {
    nil: undefined,
  });
  const policy = fc.constantFrom<DropPolicy>('reject', 'drop_with_flag');
  const maxLength = fc.oneof(
    fc.option(fc.integer({ min: 1, max: 300 }), { nil: undefined }),
    fc.constant(Number.NaN),
  );

  it('gives what the chain and then email give, flags and rejections included', () => {
    fc.assert(
      fc.property(value, steps, cut, policy, maxLength, (v, chainSteps, truncateTo, p, max) => {
        const chain = textChain(chainSteps, truncateTo);
        const together = run((issues, column) => cleanEmail(v, chain, p, max, issues, column));
        const apart = run((issues, column) =>
          email(cleanText(v, chain, issues, column), p, max, issues, column),
        );
        expect(together.value).toBe(apart.value);
        expect(together.issues).toEqual(apart.issues);
      }),
      { numRuns: 20000 },
    );
  });
});
