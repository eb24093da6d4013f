import { describe, expect, it, vi } from 'vitest';
import { DataverseError, sentValues, summarizeError } from '../../../runtime/dataverse/errors.ts';
import { maskValues, VALUE_MARK } from '../../../runtime/dataverse/mask.ts';
import { Errors } from '../../../sandbox/dataverse/errors.ts';

describe('maskValues: the messages Dataverse words around a value', () => {
  it.each([
    [
      'a number outside a column range (0x8004431a)',
      "A validation error occurred. The value 42.5 of 'fs_painscore' on record of type 'contact' is outside the valid range.",
      "A validation error occurred. The value <value> of 'fs_painscore' on record of type 'contact' is outside the valid range.",
    ],
    [
      'a choice value, keeping the accepted options',
      "A validation error occurred. The value 7 of 'gendercode' on record of type 'contact' is outside the valid range. Accepted Values: 1,2",
      "A validation error occurred. The value <value> of 'gendercode' on record of type 'contact' is outside the valid range. Accepted Values: 1,2",
    ],
    [
      'a decimal range, keeping the limits',
      'value -999999999999.0 is outside the valid range(-100000000000 to 100000000000)',
      'value <value> is outside the valid range(-100000000000 to 100000000000)',
    ],
    [
      'an OData literal',
      "Error identified in Payload provided by the user for Entity :'contacts'  ---->  InnerException : Microsoft.OData.ODataException: Cannot convert the literal 'Jane Doe' to the expected type 'Edm.Decimal'.",
      "Error identified in Payload provided by the user for Entity :'contacts'  ---->  InnerException : Microsoft.OData.ODataException: Cannot convert the literal '<value>' to the expected type 'Edm.Decimal'.",
    ],
    [
      'a literal holding its own quote',
      "Cannot convert the literal 'O'Brien, M.' to the expected type 'Edm.Int32'.",
      "Cannot convert the literal '<value>' to the expected type 'Edm.Int32'.",
    ],
    [
      'a date before 1753',
      'DateTime is less than minimum value supported by CrmDateTime. Actual value: 03/14/1700 00:00:00, Minimum value supported: 01/01/1753 00:00:00',
      'DateTime is less than minimum value supported by CrmDateTime. Actual value: <value>, Minimum value supported: 01/01/1753 00:00:00',
    ],
    [
      'a date-time that is no date',
      'The date-time format for 1961-02-30 is invalid, or value is outside the supported range.',
      'The date-time format for <value> is invalid, or value is outside the supported range.',
    ],
    [
      'any quoted value',
      "The value 'patient@example.org' is not valid for 'emailaddress1'.",
      "The value '<value>' is not valid for 'emailaddress1'.",
    ],
  ])('%s', (_, message, expected) => {
    expect(maskValues(message)).toBe(expected);
  });

  it.each([
    "A validation error occurred.  The length of the 'subject' attribute of the 'task' entity exceeded the maximum allowed length of '200'.",
    'contact With Id = 7c9e6679-7425-40de-944b-e07fc1f90ae7 Does Not Exist',
    "Could not find a property named 'fs_painscore' on type 'Microsoft.Dynamics.CRM.contact'.",
    'The value of the attribute is not valid, or value is outside the supported range.',
    'An unexpected error occurred.',
  ])('leaves a message without a value as it is: %s', (message) => {
    expect(maskValues(message)).toBe(message);
  });

  it('masks every message of the sandbox that repeats a value', () => {
    for (const error of [
      Errors.outOfRange('13.5', 'fs_painscore', 'contact'),
      Errors.outOfRange('100000009', 'fs_role', 'contact', [100000000, 100000001]),
      Errors.cannotConvert('"13.5"', 'Edm.Decimal', 'contacts'),
      Errors.dateTooEarly('03/14/1700 00:00:00'),
    ]) {
      const masked = maskValues(error.message);
      expect(masked).toContain(VALUE_MARK);
      expect(masked).not.toMatch(/13\.5|100000009|1700/);
    }
  });
});

describe('maskValues: the row own values, as a second guard', () => {
  it('masks a payload value wherever it stands as a whole token', () => {
    const message = 'Plugin said: Jane Doe, born 1961, scored 42.50 on fs_painscore.';
    expect(maskValues(message, ['Jane Doe', 1961, 42.5])).toBe(
      'Plugin said: <value>, born <value>, scored <value> on fs_painscore.',
    );
  });

  it('leaves a value that stands inside a longer word, number or hex code', () => {
    const message = 'code 0x8004431a, entity 119612, version 42.55, Annabel and Ann';
    expect(maskValues(message, ['8004431', 1961, 42.5, 'Annabel'])).toBe(
      'code 0x8004431a, entity 119612, version 42.55, <value> and Ann',
    );
  });

  it('leaves values too short to tell from the words and numbers of the message', () => {
    const message = 'HTTP 400: the id of record 7 is not in set of 2';
    expect(maskValues(message, ['of', 7, 2, 'is', true, null, { nested: 'record' }])).toBe(message);
  });

  it('keeps the marks whole when a value is a word of the mark', () => {
    const message =
      "The value 42.5 of 'fs_painscore' on record of type 'contact' is outside the valid range.";
    expect(maskValues(message, ['value', 42.5])).toBe(
      "The <value> <value> of 'fs_painscore' on record of type 'contact' is outside the valid range.",
    );
  });

  it('masks the longer of two values that overlap first', () => {
    expect(maskValues('said Mary Ann Smith', ['Mary Ann', 'Mary Ann Smith'])).toBe('said <value>');
  });
});

describe('maskValues: the parts of the row own text values that a message quotes', () => {
  const note =
    'S: Patient reports lower back pain, worse in the mornings, easing with movement. O: Gait normal; the patient walks on the right.';

  it.each([
    [
      'the first 40 characters of a note, cut inside a word',
      `Note refused: "${note.slice(0, 40)}…"`,
      'Note refused: "<value>…"',
    ],
    [
      'a sentence from the middle of a note',
      'Cannot keep a note saying easing with movement. O: Gait here.',
      'Cannot keep a note saying <value> here.',
    ],
    [
      'the street of an address line',
      'Patients living on Victoria Road are served by another practice.',
      'Patients living on <value> are served by another practice.',
    ],
    [
      'a part of a value that holds a whole shorter value',
      'Refused: lower back pain, worse, from 111 Victoria Road.',
      'Refused: <value>, from <value>.',
    ],
  ])('%s', (_, message, expected) => {
    expect(maskValues(message, [note, '111 Victoria Road', 'worse'])).toBe(expected);
  });

  it('masks a long note quoted whole with a few searches of it, not one a character', () => {
    // 200,000 characters, of a memo column (up to 1,048,576): one search a character took minutes.
    const long = Array.from({ length: 4000 }, (_, i) => `visit ${i}: ${note.slice(0, 40)}`).join(' ');
    expect(long.length).toBeGreaterThan(200_000);
    const searches = vi.spyOn(String.prototype, 'includes');
    try {
      expect(maskValues(`Refused: "${long}".`, [long])).toBe('Refused: "<value>".');
      expect(searches.mock.calls.length).toBeLessThan(200);
    } finally {
      searches.mockRestore();
    }
  });

  it('masks a value quoted whole with its punctuation', () => {
    expect(
      maskValues('May not record "GBP 219 paid (ch_bt8a1y2ryzzs)".', ['GBP 219 paid (ch_bt8a1y2ryzzs)']),
    ).toBe('May not record "<value>".');
  });

  it.each([
    // 12 characters shared with the note: wording, not a quote.
    'The patient was refused: the record is locked.',
    ' on the right. Nothing else.',
    // A short value's part under 8 characters ("Road" of "111 Victoria Road").
    'Road closures delay the upload.',
  ])('leaves the wording of the message: %s', (message) => {
    expect(maskValues(message, [note, '111 Victoria Road'])).toBe(message);
  });
});

describe('a DataverseError of a request that fails as a whole', () => {
  it('masks the values the request sent in its message and in what the journal keeps of it', () => {
    const sent = sentValues({
      Targets: [
        { fs_paymentid: '7c9e6679-7425-40de-944b-e07fc1f90ae7', fs_reference: 'ch_bt8a1y2ryzzs' },
        { fs_reference: 'ch_q81pzz0ka3', 'fs_patientid@odata.bind': "contacts(fs_id='Jane Doe')" },
      ],
    });
    expect(sent).toEqual(['ch_bt8a1y2ryzzs', 'ch_q81pzz0ka3']);
    const error = new DataverseError({
      status: 403,
      code: '0x80040265',
      serverMessage: 'Payment ch_q81pzz0ka3 of row 7c9e6679-7425-40de-944b-e07fc1f90ae7 is refused.',
      method: 'POST',
      path: 'fs_payments/Microsoft.Dynamics.CRM.UpsertMultiple',
      sent,
    });
    expect(error.message).toContain(
      'Payment <value> of row 7c9e6679-7425-40de-944b-e07fc1f90ae7 is refused. (HTTP 403',
    );
    expect(summarizeError(error).message).toBe(
      'Payment <value> of row 7c9e6679-7425-40de-944b-e07fc1f90ae7 is refused.',
    );
    expect(JSON.stringify(error)).not.toContain('ch_bt8a1y2ryzzs');
  });
});
