import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  coalesce,
  join,
  mapValue,
  multiMap,
  stripControl,
  templateValue,
  toText,
  type ValueMap,
  withDefault,
} from '../../runtime/transforms/index.ts';
import { run, texts } from './run.ts';

describe('toText', () => {
  it.each([
    ['text', 'text'],
    ['', ''],
    [42, '42'],
    [-1.5, '-1.5'],
    [1e21, '1e+21'],
    [0.1 + 0.2, '0.30000000000000004'],
    [true, 'true'],
    [false, 'false'],
    [new Date('2024-03-05T10:15:00Z'), '2024-03-05T10:15:00.000Z'],
    [null, null],
    [undefined, null],
    [Number.NaN, null],
    [Number.POSITIVE_INFINITY, null],
    [{ a: 1 }, null],
    [[1, 2], null],
    [new Date(Number.NaN), null],
  ])('%j → %j', (input, expected) => {
    expect(toText(input)).toBe(expected);
  });

  it('prints a bigint', () => {
    expect(toText(12n)).toBe('12');
  });
});

describe('coalesce', () => {
  it.each([
    [['a', 'b'], 'a'],
    [[null, 'b'], 'b'],
    [[undefined, '', '  ', 'c'], 'c'],
    [['', 0], 0],
    [[null, false], false],
    [[null, undefined, ''], null],
    [[], null],
    [[' padded '], ' padded '],
    // No text form, or nothing but control characters: the cleaning steps after would leave it empty.
    [[{ x: 1 }, 'b'], 'b'],
    [[['a'], 'b'], 'b'],
    [['\u0000', 'Dr A. Patel'], 'Dr A. Patel'],
    [['\u0000 \u0007'], null],
  ])('%j → %j', (input, expected) => {
    expect(coalesce(input)).toEqual(expected);
  });
});

describe('join', () => {
  it.each([
    [['12', 'High Street'], ' ', '12 High Street'],
    [['Flat 2', null, 'High Street', ''], ', ', 'Flat 2, High Street'],
    [['a', '  ', 'b'], '-', 'a-b'],
    [[1, true, 2.5], '|', '1|true|2.5'],
    [[null, '', undefined], ', ', null],
    [[], ', ', null],
    [['only'], ', ', 'only'],
    [['a', { b: 1 }, ['c'], 'd'], ',', 'a,d'],
    [['a', 'b'], '', 'ab'],
    [['🌸', 'x'], '\n', '🌸\nx'],
  ])('%j with %j → %j', (input, delimiter, expected) => {
    expect(join(input, delimiter)).toBe(expected);
  });
});

describe('withDefault', () => {
  it.each([
    ['value', 'fallback', 'value'],
    [null, 'fallback', 'fallback'],
    [undefined, 'fallback', 'fallback'],
    ['', 'fallback', 'fallback'],
    ['   ', 'fallback', 'fallback'],
    [0, 5, 0],
    [false, true, false],
    [null, 100000000, 100000000],
  ])('%j or %j → %j', (input, fallback, expected) => {
    expect(withDefault<unknown>(input, fallback)).toBe(expected);
  });
});

describe('templateValue', () => {
  it.each([
    [null, ''],
    [undefined, ''],
    ['text', 'text'],
    ['', ''],
    [42, '42'],
    [0.5, '0.5'],
    [-0, '0'],
    [Number.NaN, 'NaN'],
    [true, 'true'],
    [false, 'false'],
    [['a', 1, null], 'a, 1, '],
    [{ a: 1 }, ''],
  ])('%j → %j', (input, expected) => {
    expect(templateValue(input)).toBe(expected);
  });

  it.each([
    [{ a: 1 }, '', 'an object'],
    [[{ a: 1 }, 'b', { c: 2 }], ', b, ', 'a list holding an object'],
    [[['a', { b: 1 }]], 'a, ', 'a list holding an object'],
  ])('%j prints as %j with one flag saying it held %s', (input, expected, what) => {
    const { value, issues } = run((i) => templateValue(input, i, 'description'));
    expect(value).toBe(expected);
    expect(issues.flags).toEqual([
      {
        column: 'description',
        code: 'unreadable_value_dropped',
        detail: `${what} where text was expected; left out of the template`,
      },
    ]);
  });

  it.each([null, 'text', 42, ['a', 1, null], [['a']]])('%j prints without a flag', (input) => {
    expect(run((i) => templateValue(input, i, 'description')).issues.flags).toEqual([]);
  });

  it('prints a template by concatenation as the generator emits it', () => {
    const r = { first: 'Ann', visits: 3, active: true, note: null };
    const printed = `Patient ${templateValue(r.first)} (${templateValue(r.visits)} visits, active: ${templateValue(r.active)})${templateValue(r.note)}`;
    expect(printed).toBe('Patient Ann (3 visits, active: true)');
  });
});

const methods: ValueMap = {
  name: 'payment_method',
  entries: new Map<string, number | string | null>([
    ['card', 100000000],
    ['cash', 100000001],
    ['bank_transfer', 100000002],
    ['voucher', null],
    ['1', 100000003],
    ['true', 100000004],
  ]),
  unmapped: 'reject',
  caseSensitive: false,
};
const withDefaultValue: ValueMap = { ...methods, name: 'payment_method_default', defaultValue: 100000009 };
const dropping: ValueMap = { ...methods, name: 'payment_method_drop', unmapped: 'drop_with_flag' };
const exact: ValueMap = { ...methods, name: 'status', caseSensitive: true };

// [name, input, map, value, flags, rejections]
const lookups: [string, unknown, ValueMap, number | string | null, string[], string[]][] = [
  ['mapped', 'card', methods, 100000000, [], []],
  ['case folded', 'CASH', methods, 100000001, [], []],
  ['trailing space ignored', 'CASH ', methods, 100000001, [], []],
  ['mapped to null on purpose', 'voucher', methods, null, [], []],
  ['number looked up by its text', 1, methods, 100000003, [], []],
  ['boolean looked up by its text', true, methods, 100000004, [], []],
  ['empty → null', '', methods, null, [], []],
  ['null → null', null, methods, null, [], []],
  ['unmapped, reject', 'cheque', methods, null, [], ['unmapped_value']],
  ['unmapped, drop', 'crypto', dropping, null, ['unmapped_value_dropped'], []],
  ['unmapped, default', 'giftcard', withDefaultValue, 100000009, ['unmapped_value_defaulted'], []],
  ['object cannot be looked up', { m: 'card' }, dropping, null, ['unmapped_value_dropped'], []],
  ['case-sensitive hit', 'card', exact, 100000000, [], []],
  ['case-sensitive miss', 'Card', exact, null, [], ['unmapped_value']],
  ['case-sensitive, trailing space ignored', 'cash ', exact, 100000001, [], []],
  ['case-sensitive null entry', 'voucher', exact, null, [], []],
];

describe('mapValue', () => {
  it.each(lookups)('%s', (_name, input, map, value, flags, rejections) => {
    expect(run((i, c) => mapValue(input, map, i, c))).toMatchObject({ value, flags, rejections });
  });

  it('names the map, not the value', () => {
    const out = run((i, c) => mapValue('secret-code', methods, i, c));
    expect(texts(out.issues)).toEqual(["value not in map 'payment_method'"]);
  });

  it('the first key wins when two fold to the same text', () => {
    const map: ValueMap = {
      ...methods,
      entries: new Map([
        ['Card', 1],
        ['card', 2],
      ]),
    };
    expect(run((i, c) => mapValue('CARD', map, i, c)).value).toBe(1);
  });
});

const contact: ValueMap = {
  name: 'preferred_contact_method',
  entries: new Map<string, number | string | null>([
    ['phone', 100000000],
    ['sms', 100000001],
    ['email', 100000002],
    ['post', null],
  ]),
  unmapped: 'drop_with_flag',
  caseSensitive: false,
};
const labels: ValueMap = {
  ...contact,
  name: 'contact_labels',
  entries: new Map([
    ['phone', 'Phone'],
    ['sms', 'Text message'],
    ['email', 'Email'],
  ]),
};

describe('multiMap', () => {
  it.each([
    ['choices in Web API form', ['phone', 'email'], contact, 'choices', '100000000,100000002', []],
    [
      'ascending option values, duplicates removed',
      ['email', 'phone', 'EMAIL', 'email'],
      contact,
      'choices',
      '100000000,100000002',
      [],
    ],
    ['null entries left out', ['post', 'sms'], contact, 'choices', '100000001', []],
    ['only null entries → null', ['post'], contact, 'choices', null, []],
    ['empty list → null', [], contact, 'choices', null, []],
    ['null → null', null, contact, 'choices', null, []],
    ['one value counts as a list', 'sms', contact, 'choices', '100000001', []],
    [
      'unmapped element dropped with a flag',
      ['phone', 'fax', 'pigeon'],
      contact,
      'choices',
      '100000000',
      ['unmapped_value_dropped', 'unmapped_value_dropped'],
    ],
    ['as text, joined', ['phone', 'sms'], labels, 'text', 'Phone; Text message', []],
    ['as text, empty elements skipped', ['', 'email', null], labels, 'text', 'Email', []],
  ] as const)('%s', (_name, input, map, as, value, flags) => {
    expect(run((i, c) => multiMap(input, map, as, '; ', i, c))).toMatchObject({
      value,
      flags,
      rejections: [],
    });
  });

  it('rejects the record when an element is unmapped under reject', () => {
    const map: ValueMap = { ...contact, unmapped: 'reject' };
    expect(run((i, c) => multiMap(['phone', 'fax'], map, 'choices', ',', i, c))).toMatchObject({
      value: '100000000',
      rejections: ['unmapped_value'],
    });
  });

  it('keeps at most 150 choices, with a flag', () => {
    const many: ValueMap = {
      ...contact,
      entries: new Map(Array.from({ length: 200 }, (_, k) => [`o${k}`, 100000000 + k] as const)),
    };
    const out = run((i, c) =>
      multiMap(
        Array.from({ length: 200 }, (_, k) => `o${k}`),
        many,
        'choices',
        ',',
        i,
        c,
      ),
    );
    expect(out.value!.split(',')).toHaveLength(150);
    expect(out.issues.flags).toEqual([
      { column: 'col', code: 'truncated', detail: 'kept 150 of 200 choices, the most a column holds' },
    ]);
  });
});

describe('value properties', () => {
  it('join equals joining the non-empty texts; coalesce picks the first non-empty', () => {
    const value = fc.oneof(
      fc.constant(null),
      fc.constant(''),
      fc.constant(' '),
      fc.string({ minLength: 1 }),
      fc.integer(),
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 6 }), (values) => {
        const kept = values.filter((v) => v !== null && !(typeof v === 'string' && v.trim() === ''));
        expect(join(values, '|')).toBe(kept.length === 0 ? null : kept.map(String).join('|'));
        const taken = kept.filter((v) => typeof v !== 'string' || stripControl(v)!.trim() !== '');
        expect(coalesce(values)).toBe(taken[0] ?? null);
      }),
    );
  });

  it('multiMap choices are distinct mapped option values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('phone', 'SMS', 'email', 'post', 'fax', null), { maxLength: 10 }),
        (values) => {
          const out = run((i, c) => multiMap(values, contact, 'choices', ',', i, c)).value;
          if (out === null) return;
          const options = out.split(',');
          expect(new Set(options).size).toBe(options.length);
          for (const o of options) expect(['100000000', '100000001', '100000002']).toContain(o);
        },
      ),
    );
  });

  it('multiMap choices are the distinct option values in ascending order, short lists and long', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 2_000_000_000 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (options, picks) => {
          const map: ValueMap = {
            ...contact,
            entries: new Map(options.map((o, k) => [`v${k}`, o] as const)),
          };
          const values = picks.map((p) => `v${p % options.length}`);
          const out = run((i, c) => multiMap(values, map, 'choices', ',', i, c)).value;
          const expected = [...new Set(values.map((v) => String(map.entries.get(v))))].sort(
            (a, b) => Number(a) - Number(b),
          );
          expect(out).toBe(expected.length === 0 ? null : expected.join(','));
        },
      ),
    );
  });

  it('multiMap choices order text that is not a number as Array.prototype.sort does', () => {
    const map: ValueMap = {
      ...contact,
      entries: new Map<string, number | string>([
        ['a', 3],
        ['b', 2],
        ['c', 'x'],
        ['d', 1],
        ['e', 'y'],
      ]),
    };
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 8 }), (values) => {
        const expected = [...new Set(values.map((v) => String(map.entries.get(v))))].sort(
          (x, y) => Number(x) - Number(y),
        );
        const out = run((i, c) => multiMap(values, map, 'choices', ',', i, c)).value;
        expect(out).toBe(expected.length === 0 ? null : expected.join(','));
      }),
    );
  });
});
