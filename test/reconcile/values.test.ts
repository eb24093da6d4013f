import { describe, expect, it } from 'vitest';
import { compareValue } from '../../runtime/compare/index.ts';
import { ARCHIVE_LINK, withArchiveLink } from '../../runtime/run/documents.ts';

const GUID = '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';

/** One row per behaviour: column type, expected (by the spec), actual (from Dataverse), verdict. */
const CASES: [string, string, unknown, unknown, boolean, string | undefined][] = [
  ['identical text', 'string', 'Anna', 'Anna', true, undefined],
  ['different text', 'string', 'Anna', 'Smith', false, undefined],
  ['case is data', 'string', 'anna', 'Anna', false, undefined],
  ['empty text is no value', 'string', '', null, true, 'empty text is no value'],
  ['null and absent', 'memo', null, undefined, true, undefined],
  ['a value against no value', 'string', 'Anna', null, false, undefined],
  ['no value against a value', 'string', null, 'Anna', false, undefined],
  ['whitespace is data', 'string', 'Anna ', 'Anna', false, undefined],
  ['choice', 'choice', 100000001, 100000001, true, undefined],
  ['other choice', 'choice', 100000001, 100000002, false, undefined],
  ['state as text', 'state', 3, '3', true, 'number'],
  ['blank text is not zero', 'integer', ' ', 0, false, undefined],
  ['hexadecimal text is not a number', 'choice', '0x10', 16, false, undefined],
  ['decimal as text', 'decimal', '2.50', 2.5, true, 'number'],
  ['boolean', 'boolean', false, false, true, undefined],
  ['boolean is not a number', 'boolean', true, 1, false, undefined],
  ['decimal at the column precision', 'decimal', 12.5, 12.5, true, undefined],
  ['decimal rounded by Dataverse', 'decimal', 12.345, 12.35, true, 'rounded to 2 decimal places'],
  ['decimal off by a cent', 'money', 12.34, 12.35, false, undefined],
  ['a half rounded away from zero in decimal', 'decimal', 1.005, 1.01, true, 'rounded to 2 decimal places'],
  ['a half rounded as a binary double', 'decimal', 1.005, 1, true, 'rounded to 2 decimal places'],
  ['a negative half rounded away from zero', 'money', -2.345, -2.35, true, 'rounded to 2 decimal places'],
  ['date only', 'date', '1990-04-01', '1990-04-01', true, undefined],
  ['date only read as midnight', 'date', '1990-04-01', '1990-04-01T00:00:00Z', true, 'date only'],
  ['another day', 'date', '1990-04-01', '1990-04-02', false, undefined],
  [
    'midnight at another offset is another day',
    'date',
    '1990-04-01',
    '1990-04-01T00:00:00+14:00',
    false,
    undefined,
  ],
  [
    'date only read as midnight with milliseconds',
    'date',
    '1990-04-01',
    '1990-04-01T00:00:00.000Z',
    true,
    'date only',
  ],
  [
    'same instant, another offset',
    'datetime',
    '2024-03-01T10:00:00+01:00',
    '2024-03-01T09:00:00Z',
    true,
    'same instant',
  ],
  [
    'milliseconds dropped',
    'datetime',
    '2024-03-01T09:00:00.250Z',
    '2024-03-01T09:00:00Z',
    true,
    'whole seconds',
  ],
  ['another second', 'datetime', '2024-03-01T09:00:00Z', '2024-03-01T09:00:01Z', false, undefined],
  ['set of choices in another order', 'multi_choice', '3,1,2', '1,2,3', true, 'set of choices'],
  ['a choice missing', 'multi_choice', '1,2,3', '1,2', false, undefined],
  ['lookup id case', 'lookup', GUID.toUpperCase(), GUID, true, 'id case'],
  ['another row', 'lookup', GUID, GUID.replace('6f', '7f'), false, undefined],
  ['lookup left empty', 'lookup', null, null, true, undefined],
];

describe('compareValue', () => {
  it.each(CASES)('%s', (_, type, expected, actual, equal, normalisation) => {
    const verdict = compareValue(type, expected, actual);
    expect(verdict.equal).toBe(equal);
    expect(verdict.normalisation).toBe(normalisation);
  });

  it('uses the column precision Dataverse keeps', () => {
    expect(compareValue('decimal', 7.25, 7.3, { precision: 1 })).toEqual({
      equal: true,
      normalisation: 'rounded to 1 decimal places',
    });
    expect(compareValue('decimal', 7.25, 7.3)).toEqual({ equal: false });
    expect(compareValue('decimal', -2.5, -3, { precision: 0 }).equal).toBe(true);
    expect(compareValue('decimal', -2.5, -2, { precision: 0 }).equal).toBe(true);
    expect(compareValue('decimal', -2.5, -1, { precision: 0 }).equal).toBe(false);
  });

  it('accepts the archive link a note gets after its text, and nothing else appended', () => {
    const text = 'Category: policy';
    const url = 'https://x.example/documents/5-a.pdf';
    const link = `${text}\n\nArchived file (7340032 bytes, over the attachment limit): ${url}`;
    expect(withArchiveLink(text, 7340032, url)).toBe(link);
    expect(compareValue('memo', text, link, { appended: ARCHIVE_LINK })).toEqual({
      equal: true,
      normalisation: 'archive link appended',
    });
    // A note with no text of its own holds the link alone.
    expect(ARCHIVE_LINK.test(withArchiveLink('', 7340032, url))).toBe(true);
    expect(compareValue('memo', text, `${text} and more`, { appended: ARCHIVE_LINK }).equal).toBe(false);
    expect(compareValue('memo', text, link).equal).toBe(false);
  });
});
