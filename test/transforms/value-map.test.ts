import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Issues, mapValue, multiMap, type ValueMap } from '../../runtime/transforms/index.ts';
import { flag } from '../../runtime/transforms/issues.ts';
import { run } from './run.ts';

/**
 * multiMap as the rules describe it, every value as text from the start: the reference the numeric
 * path of multiMap (numbers kept as numbers until the end) must agree with on every input.
 */
function multiMapAsText(
  values: unknown,
  map: ValueMap,
  as: 'choices' | 'text',
  delimiter: string,
  issues: Issues,
  column: string,
): string | null {
  if (values === null || values === undefined || (typeof values === 'string' && values.trim() === '')) {
    return null;
  }
  const out: string[] = [];
  for (const element of Array.isArray(values) ? values : [values]) {
    const mapped = mapValue(element, map, issues, column);
    if (mapped !== null && !out.includes(String(mapped))) out.push(String(mapped));
  }
  if (out.length === 0) return null;
  if (as === 'text') return out.join(delimiter);
  out.sort((a, b) => Number(a) - Number(b));
  if (out.length > 150) {
    flag(issues, column, 'truncated', `kept 150 of ${out.length} choices, the most a column holds`);
    out.length = 150;
  }
  return out.join(',');
}

const map = (entries: [string, number | string | null][], more: Partial<ValueMap> = {}): ValueMap => ({
  name: 'm',
  entries: new Map(entries),
  unmapped: 'drop_with_flag',
  caseSensitive: false,
  ...more,
});

describe('multiMap, numbers and text', () => {
  // [name, values, map entries, as, value]
  it.each([
    ['a number and its text are one value', ['a', 'b'], { a: 1, b: '1' }, 'choices', '1'],
    ['text first, then the number', ['b', 'a'], { a: 1, b: '1' }, 'choices', '1'],
    ['0 and -0 are one value, "0"', ['a', 'b'], { a: 0, b: -0 }, 'choices', '0'],
    ['-0 alone prints "0"', ['b'], { b: -0 }, 'choices', '0'],
    [
      'a label after numbers turns them into text',
      ['a', 'c', 'b'],
      { a: 3, b: 'x', c: 1 },
      'text',
      '3; 1; x',
    ],
    ['NaN is text, "NaN"', ['a', 'b'], { a: Number.NaN, b: 2 }, 'text', 'NaN; 2'],
    // Array.prototype.sort orders NaN among numbers otherwise than insertion would (1,3,NaN,2).
    [
      'NaN sorted as Array.prototype.sort does',
      ['a', 'b', 'c', 'd'],
      { a: 3, b: 1, c: Number.NaN, d: 2 },
      'choices',
      '1,2,3,NaN',
    ],
    ['NaN and "NaN" are one value', ['a', 'b'], { a: Number.NaN, b: 'NaN' }, 'text', 'NaN'],
    ['numbers as text are not sorted', ['a', 'b'], { a: 2, b: 1 }, 'text', '2; 1'],
    ['numbers in ascending order', ['a', 'b', 'c'], { a: 2, b: -1.5, c: 10 }, 'choices', '-1.5,2,10'],
    [
      'infinities and big numbers as JavaScript prints them',
      ['a', 'b', 'c'],
      { a: Infinity, b: 1e21, c: -Infinity },
      'choices',
      '-Infinity,1e+21,Infinity',
    ],
  ] as const)('%s', (_name, values, entries, as, value) => {
    const m = map(Object.entries(entries));
    expect(run((i, c) => multiMap(values, m, as, '; ', i, c))).toMatchObject({ value, flags: [] });
  });

  it('gives the answer of the rules, as text throughout, on any list and map', () => {
    const option = fc.oneof(
      { arbitrary: fc.integer({ min: 0, max: 5 }).map((k) => 100000000 + k), weight: 6 },
      {
        arbitrary: fc.constantFrom(0, -0, 1, -1.5, 1e21, Number.NaN, Infinity, -Infinity, 2 ** 31),
        weight: 2,
      },
      { arbitrary: fc.constantFrom('1', '0', '100000001', 'NaN', 'Infinity', 'x', 'Phone', ' 2'), weight: 2 },
      { arbitrary: fc.constant(null), weight: 1 },
    );
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const element = fc.oneof(
      { arbitrary: fc.constantFrom(...keys, 'A', 'b ', 'zz'), weight: 8 },
      { arbitrary: fc.constantFrom(null, '', ' ', 1, true, { a: 1 }), weight: 1 },
    );
    const values = fc.oneof(
      { arbitrary: fc.array(element, { maxLength: 20 }), weight: 8 },
      { arbitrary: element, weight: 1 },
      // Long lists, over the 150 cap, of many distinct options.
      {
        arbitrary: fc.array(
          fc.nat(199).map((k) => `o${k}`),
          { minLength: 140, maxLength: 300 },
        ),
        weight: 1,
      },
    );
    const many = Array.from({ length: 200 }, (_, k): [string, number] => [
      `o${k}`,
      100000000 + ((k * 31) % 200),
    ]);
    fc.assert(
      fc.property(
        fc.array(option, { minLength: keys.length, maxLength: keys.length }),
        fc.record({
          as: fc.constantFrom('choices', 'text' as const),
          unmapped: fc.constantFrom('reject', 'drop_with_flag' as const),
          defaultValue: fc.constantFrom(undefined, 100000003, 'y'),
          caseSensitive: fc.boolean(),
        }),
        values,
        (options, { as, unmapped, defaultValue, caseSensitive }, list) => {
          const m = map(
            [...keys.map((k, n) => [k, options[n]!] as [string, number | string | null]), ...many],
            {
              unmapped,
              caseSensitive,
              ...(defaultValue === undefined ? {} : { defaultValue }),
            },
          );
          const fast = run((i, c) => multiMap(list, m, as, '; ', i, c));
          const rules = run((i, c) => multiMapAsText(list, m, as, '; ', i, c));
          expect(fast.value).toBe(rules.value);
          expect(fast.issues).toEqual(rules.issues);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
