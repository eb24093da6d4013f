import { describe, expect, it } from 'vitest';
import {
  exceptMostRecent,
  groupKeyOf,
  idText,
  keyValue,
  lookupId,
  mapState,
  objectIn,
  pickId,
  type StateMap,
} from '../../../runtime/mapping/index.ts';
import { newIssues } from '../../../runtime/transforms/types.ts';
import { run } from '../../transforms/run.ts';

describe('idText', () => {
  it.each([
    ['130000000000017683', '130000000000017683'],
    [' 42 ', '42'],
    ['\u00a042\t', '42'],
    ['', null],
    ['   ', null],
    [42, '42'],
    [Number.NaN, null],
    [null, null],
    [{ id: 1 }, null],
  ] as const)('%j → %j', (input, expected) => {
    expect(idText(input)).toBe(expected);
  });
});

describe('groupKeyOf', () => {
  it.each([
    ['a top-level id', ['staff_id'], { staff_id: 17 }, '17'],
    ['a nested id, trimmed', ['staff', 'id'], { staff: { id: ' 42 ' } }, '42'],
    ['no value: the empty group', ['staff_id'], { other: 1 }, ''],
    ['not an id: the empty group', ['staff_id'], { staff_id: { id: 1 } }, ''],
    ['a path through a non-object', ['staff', 'id'], { staff: 'x' }, ''],
  ] as const)('%s', (_, by, record, expected) => {
    expect(groupKeyOf({ by }, record)).toBe(expected);
  });
});

describe('keyValue', () => {
  it.each([
    ['one part', ['130000000000017683'], 'patient-130000000000017683', []],
    ['one part, trimmed', [' 7 '], 'patient-7', []],
    ['parts joined with -', ['1', 2], 'patient-1-2', []],
    ['a missing part', ['1', null], null, ['missing_key']],
    ['the only part missing', [' '], null, ['missing_key']],
    ['an id with an unpaired surrogate', ['7\uD800'], null, ['unreadable_value']],
    ['a part with an unpaired surrogate', ['1', '\uDC002'], null, ['unreadable_value']],
    ['a part with a paired surrogate (an emoji)', ['1', '😀'], 'patient-1-😀', []],
    ['one part with a paired surrogate (an emoji)', ['😀7'], 'patient-😀7', []],
  ] as const)('%s', (_name, parts, value, rejections) => {
    expect(run((i, c) => keyValue('patient-', parts, i, c))).toMatchObject({ value, rejections });
  });
});

describe('mapState', () => {
  const entries = new Map([
    ['completed', { state: 1, status: 3 }],
    ['booked', { state: 3, status: 5 }],
    ['draft', null],
  ]);
  const folded: StateMap = { name: 'status', entries, unmapped: 'reject', caseSensitive: false };
  const exact: StateMap = { ...folded, caseSensitive: true, unmapped: 'drop_with_flag' };

  it.each([
    ['a key', folded, 'completed', { state: 1, status: 3 }, [], []],
    ['another case, folded', folded, 'Completed', { state: 1, status: 3 }, [], []],
    ['mapped to no state on purpose', folded, 'draft', undefined, [], []],
    ['empty', folded, '', undefined, [], []],
    ['unmapped under reject', folded, 'lost', undefined, [], ['unmapped_value']],
    ['case-sensitive: the key', exact, 'booked', { state: 3, status: 5 }, [], []],
    ['case-sensitive: another case is unmapped', exact, 'Booked', undefined, ['unmapped_value_dropped'], []],
    [
      'surrounding spaces are a typing slip, as in value maps',
      folded,
      ' Booked ',
      { state: 3, status: 5 },
      [],
      [],
    ],
    ['case-sensitive: spaces trimmed too', exact, 'booked\t', { state: 3, status: 5 }, [], []],
    ['only whitespace is empty', folded, ' \t', undefined, [], []],
    ['a value with no text form is unmapped', folded, ['booked'], undefined, [], ['unmapped_value']],
  ] as const)('%s', (_name, map, value, expected, flags, rejections) => {
    expect(run((i) => mapState(value, map, i))).toMatchObject({ value: expected, flags, rejections });
  });
});

describe('pickId and exceptMostRecent', () => {
  const a = { clinic_id: '1', updated_at: '2020-01-01T00:00:00Z' };
  const b = { clinic_id: '2', updated_at: '2024-05-01T00:00:00Z' };
  const tie = { clinic_id: '3', updated_at: '2024-05-01T00:00:00Z' };
  const undated = { clinic_id: '4' };

  it.each([
    ['the most recent', [a, b], 'most_recent', '2', []],
    ['the first of equals', [b, tie], 'most_recent', '2', []],
    [
      'elements that are not objects are passed over, flagged',
      [null, 7, [b], 'x', a],
      'most_recent',
      '1',
      ["4 of the list's 5 elements are not objects; passed over"],
    ],
    ['an element without the date sorts first', [undated, a], 'most_recent', '1', []],
    ['only undated elements: the first', [undated, { clinic_id: '5' }], 'most_recent', '4', []],
    ['first', [a, b], 'first', '1', []],
    ['an empty list', [], 'most_recent', null, []],
    ['no list', null, 'most_recent', null, []],
    [
      'not a list, flagged',
      { clinic_id: '1' },
      'most_recent',
      null,
      ['an object where a list was expected; lookup left empty'],
    ],
    [
      'a text for the list, flagged',
      '1',
      'most_recent',
      null,
      ['a text where a list was expected; lookup left empty'],
    ],
    [
      'an id that is no id, flagged',
      [{ clinic_id: { id: '1' } }],
      'first',
      null,
      ['an object where an id was expected; lookup left empty'],
    ],
  ] as const)('%s', (_name, list, mode, expected, flags) => {
    const issues = newIssues();
    expect(pickId(list, mode, 'clinic_id', 'updated_at', issues, 'parentcustomerid')).toBe(expected);
    expect(issues.flags.map((f) => [f.column, f.code, f.detail])).toEqual(
      flags.map((detail) => ['parentcustomerid', 'unreadable_value_dropped', detail]),
    );
    expect(issues.rejections).toEqual([]);
  });

  it('without an element field, the chosen element is the id', () => {
    expect(pickId([' 9 ', '8'], 'first', undefined, undefined, newIssues(), 'c')).toBe('9');
  });

  it.each([
    ['an object', { a: 1 }, { a: 1 }, []],
    ['nothing', null, undefined, []],
    [
      'a text',
      '{"a":1}',
      undefined,
      ['custom_properties is a text where an object was expected; value dropped'],
    ],
    [
      'a list',
      [{ a: 1 }],
      undefined,
      ['custom_properties is a list where an object was expected; value dropped'],
    ],
  ] as const)('objectIn: %s', (_name, value, expected, flags) => {
    const issues = newIssues();
    expect(objectIn(value, issues, 'fs_painscore', 'custom_properties')).toEqual(expected);
    expect(issues.flags.map((f) => f.detail)).toEqual(flags);
  });

  it.each([
    ['an id', '12', '12', []],
    ['a number id', 12, '12', []],
    ['no id', null, null, []],
    ['an empty text', ' ', null, []],
    ['an object', { id: '1' }, null, ['an object where an id was expected; lookup left empty']],
    ['a list', ['1'], null, ['a list where an id was expected; lookup left empty']],
    ['a boolean', true, null, ['a boolean where an id was expected; lookup left empty']],
  ] as const)('lookupId: %s', (_name, value, expected, flags) => {
    const issues = newIssues();
    expect(lookupId(value, issues, 'fs_patientid')).toBe(expected);
    expect(issues.flags.map((f) => f.detail)).toEqual(flags);
  });

  it('exceptMostRecent keeps the other objects in order', () => {
    expect(exceptMostRecent([a, null, b, tie], 'updated_at')).toEqual([a, tie]);
  });
});
