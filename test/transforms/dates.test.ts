import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dayNumber, formatDay } from '../../runtime/transforms/calendar.ts';
import { isPlainDay, isPlainUtc, parseDate } from '../../runtime/transforms/date-parse.ts';
import { SURELY_PLAIN } from '../../runtime/transforms/dates.ts';
import { type DropPolicy, dateOnly, dateTime, wallDateTime } from '../../runtime/transforms/index.ts';
import { run, texts } from './run.ts';

const UNREADABLE = { flags: ['unreadable_value_dropped'], rejections: [] };
const OUT = { flags: [], rejections: ['date_out_of_range'] };
const FINE = { flags: [], rejections: [] };

type Expect = { flags: string[]; rejections: string[] };

// [input, zone, value, issues] with policy 'reject'.
const dates: [unknown, string, string | null, Expect][] = [
  ['2024-03-05', 'Europe/London', '2024-03-05', FINE],
  [' 2024-03-05 ', 'Europe/London', '2024-03-05', FINE],
  ['2024-02-29', 'Europe/London', '2024-02-29', FINE],
  ['2000-02-29', 'UTC', '2000-02-29', FINE],
  ['1753-01-01', 'UTC', '1753-01-01', FINE],
  ['9999-12-31', 'UTC', '9999-12-31', FINE],
  ['1899-07-14', 'UTC', '1899-07-14', FINE],
  // a date-time with an offset: its calendar date in the zone
  ['2024-06-30T23:30:00Z', 'Europe/London', '2024-07-01', FINE],
  ['2024-06-30T23:30:00Z', 'UTC', '2024-06-30', FINE],
  ['2024-07-01T00:30:00+02:00', 'Europe/London', '2024-06-30', FINE],
  ['2024-01-15T03:00:00Z', 'America/New_York', '2024-01-14', FINE],
  ['1752-12-31T23:30:00-01:00', 'UTC', '1753-01-01', FINE],
  // a date-time without an offset: the date as written
  ['2024-06-30T23:30:00', 'Asia/Tokyo', '2024-06-30', FINE],
  ['2024-03-31 01:30', 'Europe/London', '2024-03-31', FINE],
  [new Date('2024-06-30T23:30:00Z'), 'Europe/London', '2024-07-01', FINE],
  [null, 'UTC', null, FINE],
  [undefined, 'UTC', null, FINE],
  ['', 'UTC', null, FINE],
  ['  ', 'UTC', null, FINE],
  ['2023-02-29', 'UTC', null, UNREADABLE],
  ['2023-02-30', 'UTC', null, UNREADABLE],
  ['2024-04-31', 'UTC', null, UNREADABLE],
  ['1900-02-29', 'UTC', null, UNREADABLE],
  ['0000-00-00', 'UTC', null, UNREADABLE],
  ['2024-13-01', 'UTC', null, UNREADABLE],
  ['2024-00-10', 'UTC', null, UNREADABLE],
  ['05/03/2024', 'UTC', null, UNREADABLE],
  ['2024-3-5', 'UTC', null, UNREADABLE],
  ['20240305', 'UTC', null, UNREADABLE],
  ['2024-03-05Z', 'UTC', null, UNREADABLE],
  ['2024-W10-2', 'UTC', null, UNREADABLE],
  ['+002024-03-05', 'UTC', null, UNREADABLE],
  ['March 5, 2024', 'UTC', null, UNREADABLE],
  ['2024-03-05T24:00:00', 'UTC', null, UNREADABLE],
  ['2024-03-05T10:15:60Z', 'UTC', null, UNREADABLE],
  ['2024-03-05T10:60:00Z', 'UTC', null, UNREADABLE],
  ['2024-03-05T10:15:00+19:00', 'UTC', null, UNREADABLE],
  ['2024-03-05T10:15:00+01:60', 'UTC', null, UNREADABLE],
  ['2024-03-05\u0000', 'UTC', null, UNREADABLE],
  ['２０２４-03-05', 'UTC', null, UNREADABLE],
  [1_709_630_100_000, 'UTC', null, UNREADABLE],
  [true, 'UTC', null, UNREADABLE],
  [new Date(Number.NaN), 'UTC', null, UNREADABLE],
  [{ date: '2024-03-05' }, 'UTC', null, UNREADABLE],
  ['1752-12-31', 'UTC', null, OUT],
  ['0000-01-01', 'UTC', null, OUT],
  ['1001-01-01', 'UTC', null, OUT],
  ['1753-01-01T00:30:00+01:00', 'UTC', null, OUT],
  ['9999-12-31T23:00:00-05:00', 'UTC', null, OUT],
];

// [input, zone, value, issues] with policy 'reject'.
const dateTimes: [unknown, string, string | null, Expect][] = [
  ['2024-03-05T10:15:00Z', 'Europe/London', '2024-03-05T10:15:00Z', FINE],
  ['2024-03-05t10:15:00z', 'Europe/London', '2024-03-05T10:15:00Z', FINE],
  ['2024-03-05T10:15Z', 'UTC', '2024-03-05T10:15:00Z', FINE],
  ['2024-03-05 10:15:00Z', 'UTC', '2024-03-05T10:15:00Z', FINE],
  ['2024-03-05T10:15:00.000Z', 'UTC', '2024-03-05T10:15:00Z', FINE],
  ['2024-03-05T10:15:00.5Z', 'UTC', '2024-03-05T10:15:00.500Z', FINE],
  ['2024-03-05T10:15:00,25Z', 'UTC', '2024-03-05T10:15:00.250Z', FINE],
  ['2024-03-05T10:15:59.9999999Z', 'UTC', '2024-03-05T10:15:59.999Z', FINE],
  ['2024-03-05T10:15:00+01:00', 'UTC', '2024-03-05T09:15:00Z', FINE],
  ['2024-03-05T10:15:00+0530', 'UTC', '2024-03-05T04:45:00Z', FINE],
  ['2024-03-05T01:15:00-08', 'UTC', '2024-03-05T09:15:00Z', FINE],
  ['2024-03-05T10:15:00-00:00', 'UTC', '2024-03-05T10:15:00Z', FINE],
  ['2024-12-31T23:30:00-01:00', 'Asia/Tokyo', '2025-01-01T00:30:00Z', FINE],
  // wall-clock time in the zone
  ['2024-01-15T09:00:00', 'Europe/London', '2024-01-15T09:00:00Z', FINE],
  ['2024-07-15T09:00:00', 'Europe/London', '2024-07-15T08:00:00Z', FINE],
  ['2024-07-15T09:00', 'America/New_York', '2024-07-15T13:00:00Z', FINE],
  ['2024-07-15T09:00:00', 'Australia/Sydney', '2024-07-14T23:00:00Z', FINE],
  ['2024-07-15T09:00:00', 'Asia/Kolkata', '2024-07-15T03:30:00Z', FINE],
  // clocks go forward: 01:00–02:00 does not exist in London, 02:00–03:00 in New York; moved forward
  ['2024-03-31T01:30:00', 'Europe/London', '2024-03-31T01:30:00Z', FINE],
  ['2024-03-31T00:59:59', 'Europe/London', '2024-03-31T00:59:59Z', FINE],
  ['2024-03-31T02:00:00', 'Europe/London', '2024-03-31T01:00:00Z', FINE],
  ['2024-03-10T02:30:00', 'America/New_York', '2024-03-10T07:30:00Z', FINE],
  // clocks go back: 01:00–02:00 happens twice; the earlier (summer time) instant
  ['2024-10-27T01:30:00', 'Europe/London', '2024-10-27T00:30:00Z', FINE],
  ['2024-10-27T02:00:00', 'Europe/London', '2024-10-27T02:00:00Z', FINE],
  ['2024-11-03T01:30:00', 'America/New_York', '2024-11-03T05:30:00Z', FINE],
  // a date alone is midnight in the zone, even where midnight did not exist
  ['2024-07-01', 'Europe/London', '2024-06-30T23:00:00Z', FINE],
  ['2024-01-15', 'America/New_York', '2024-01-15T05:00:00Z', FINE],
  ['2018-11-04', 'America/Sao_Paulo', '2018-11-04T03:00:00Z', FINE],
  // local mean time before standard time: London was 1 min 15 s behind Greenwich
  ['1800-01-01T00:00:00', 'Europe/London', '1800-01-01T00:01:15Z', FINE],
  ['1753-01-01T00:30:00', 'Europe/Paris', '1753-01-01T00:20:39Z', FINE],
  ['1753-01-01T00:00:00Z', 'UTC', '1753-01-01T00:00:00Z', FINE],
  ['9999-12-31T23:59:59.999Z', 'UTC', '9999-12-31T23:59:59.999Z', FINE],
  [new Date('2024-03-05T10:15:00.007Z'), 'UTC', '2024-03-05T10:15:00.007Z', FINE],
  [null, 'UTC', null, FINE],
  ['', 'UTC', null, FINE],
  ['1752-12-31T23:59:59Z', 'UTC', null, OUT],
  ['1753-01-01T00:05:00', 'Europe/Paris', null, OUT],
  ['1753-01-01', 'Asia/Tokyo', null, OUT],
  ['0001-01-01T00:00:00', 'Europe/London', null, OUT],
  ['9999-12-31T23:00:00-05:00', 'UTC', null, OUT],
  ['9999-12-31T20:00:00', 'America/New_York', null, OUT],
  ['2024-02-30T10:00:00Z', 'UTC', null, UNREADABLE],
  ['2024-03-05T25:00:00Z', 'UTC', null, UNREADABLE],
  ['2024-03-05T10:15:00 +01:00', 'UTC', null, UNREADABLE],
  ['2024-03-05T10:15:00 GMT', 'UTC', null, UNREADABLE],
  ['Tue, 05 Mar 2024 10:15:00 GMT', 'UTC', null, UNREADABLE],
  [1_709_630_100, 'UTC', null, UNREADABLE],
];

// [input, zone, value, issues] with policy 'reject': for a Time zone independent column, which shows
// every user the value as it is sent, the wall-clock time in the zone written with a Z.
const wallDateTimes: [unknown, string, string | null, Expect][] = [
  ['2024-07-15T09:00:00', 'Europe/London', '2024-07-15T09:00:00Z', FINE],
  ['2024-07-15 09:00', 'America/New_York', '2024-07-15T09:00:00Z', FINE],
  ['2024-03-31T01:30:00', 'Europe/London', '2024-03-31T01:30:00Z', FINE], // no such time: as written
  ['2024-10-27T01:30:00', 'Europe/London', '2024-10-27T01:30:00Z', FINE], // twice: as written
  ['2024-07-15T08:00:00Z', 'Europe/London', '2024-07-15T09:00:00Z', FINE],
  ['2024-01-15T08:00:00Z', 'Europe/London', '2024-01-15T08:00:00Z', FINE],
  ['2024-07-15T09:00:00+02:00', 'Europe/London', '2024-07-15T08:00:00Z', FINE],
  ['2024-07-15T23:30:00.5-04:00', 'Europe/London', '2024-07-16T04:30:00.500Z', FINE],
  ['2024-07-01', 'Europe/London', '2024-07-01T00:00:00Z', FINE],
  [new Date('2024-07-15T08:00:00Z'), 'Europe/London', '2024-07-15T09:00:00Z', FINE],
  ['1753-01-01T00:05:00', 'Europe/Paris', '1753-01-01T00:05:00Z', FINE],
  ['1753-01-01T00:05:00Z', 'Europe/Paris', '1753-01-01T00:14:21Z', FINE],
  ['1753-01-01T00:00:00Z', 'America/New_York', null, OUT],
  ['9999-12-31T23:59:59', 'America/New_York', '9999-12-31T23:59:59Z', FINE],
  ['9999-12-31T23:30:00Z', 'Asia/Tokyo', null, OUT],
  [null, 'UTC', null, FINE],
  ['  ', 'UTC', null, FINE],
  ['15/07/2024 09:00', 'UTC', null, UNREADABLE],
  [1_709_630_100, 'UTC', null, UNREADABLE],
];

describe('dateOnly', () => {
  it.each(dates)('%j in %s → %j', (input, zone, value, expected) => {
    expect(run((i, c) => dateOnly(input, zone, 'reject', i, c))).toMatchObject({ value, ...expected });
  });
});

describe('dateTime', () => {
  it.each(dateTimes)('%j in %s → %j', (input, zone, value, expected) => {
    expect(run((i, c) => dateTime(input, zone, 'reject', i, c))).toMatchObject({ value, ...expected });
  });
});

describe('wallDateTime', () => {
  it.each(wallDateTimes)('%j in %s → %j', (input, zone, value, expected) => {
    expect(run((i, c) => wallDateTime(input, zone, 'reject', i, c))).toMatchObject({ value, ...expected });
  });
});

describe('date policies', () => {
  it.each([
    ['dateOnly', (p: DropPolicy) => run((i, c) => dateOnly('1701-05-06', 'UTC', p, i, c))],
    ['dateTime', (p: DropPolicy) => run((i, c) => dateTime('1701-05-06T10:00:00Z', 'UTC', p, i, c))],
  ])('%s: drop_with_flag flags, reject rejects, neither shows the date', (_name, step) => {
    const dropped = step('drop_with_flag');
    expect(dropped).toMatchObject({ value: null, flags: ['date_out_of_range_dropped'], rejections: [] });
    const rejected = step('reject');
    expect(rejected).toMatchObject({ value: null, flags: [], rejections: ['date_out_of_range'] });
    expect(texts(rejected.issues)).toEqual(['date before 1753-01-01, the earliest date Dataverse stores']);
    expect(texts(dropped.issues).join()).not.toContain('1701');
  });

  it('an unreadable date is flagged under either policy', () => {
    for (const policy of ['reject', 'drop_with_flag'] as DropPolicy[]) {
      expect(run((i, c) => dateTime('31/12/2024', 'UTC', policy, i, c))).toMatchObject(UNREADABLE);
    }
  });

  it('refuses an unknown time zone', () => {
    expect(() => run((i, c) => dateTime('2024-03-05', 'Mars/Olympus', 'reject', i, c))).toThrow(RangeError);
    expect(() => run((i, c) => dateOnly('2024-03-05', 'Mars/Olympus', 'reject', i, c))).toThrow(RangeError);
  });
});

const ZONES = [
  'UTC',
  'Europe/London',
  'America/New_York',
  'Australia/Lord_Howe',
  'Asia/Kathmandu',
  'America/Sao_Paulo',
];
const instant = fc
  .integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) })
  .map((ms) => ms - (ms % 1000));

/** The wall-clock text of an instant in a zone, as the runtime's Intl prints it. */
function wallText(ms: number, zone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(ms);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}`;
}

describe('date properties', () => {
  it('dateTime keeps the instant of a value with an offset', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: -14 * 60, max: 14 * 60 }), (ms, offsetMinutes) => {
        const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19);
        const sign = offsetMinutes < 0 ? '-' : '+';
        const abs = Math.abs(offsetMinutes);
        const text = `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
        const out = run((i, c) => dateTime(text, 'Europe/London', 'reject', i, c));
        expect(Date.parse(out.value!)).toBe(ms);
      }),
    );
  });

  it('dateTime reads a wall-clock time back to its instant (the earlier one when clocks went back)', () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...ZONES), (ms, zone) => {
        const wall = wallText(ms, zone);
        const out = Date.parse(run((i, c) => dateTime(wall, zone, 'reject', i, c)).value!);
        if (out !== ms) {
          expect(out).toBeLessThan(ms);
          expect(wallText(out, zone)).toBe(wall);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('dateOnly gives the calendar date of an instant in the zone, as Intl does', () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...ZONES), (ms, zone) => {
        const out = run((i, c) => dateOnly(new Date(ms).toISOString(), zone, 'reject', i, c));
        expect(out.value).toBe(wallText(ms, zone).slice(0, 10));
      }),
      { numRuns: 300 },
    );
  });

  it('dateOnly returns every real date in range as written', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1753-01-01T00:00:00Z'),
          max: new Date('9999-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        (d) => {
          const text = d.toISOString().slice(0, 10);
          expect(run((i, c) => dateOnly(text, 'UTC', 'reject', i, c)).value).toBe(text);
        },
      ),
    );
  });
});

// The grammar parseDate implements, as one regular expression: the readable specification.
const SPEC =
  /^\s*(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?\s*$/;

/** What SPEC says about a text: undefined when it does not match or a field is out of range. */
function specParse(
  text: string,
): { day: number; time: number | undefined; offset: number | undefined } | undefined {
  const m = SPEC.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s, f, z, sign, oh, om] = m.slice(1);
  const date = new Date(0);
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  if (date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d)) return undefined;
  const day = Math.floor(date.getTime() / 86_400_000);
  if (h === undefined) return { day, time: undefined, offset: undefined };
  if (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59 || Number(om ?? 0) > 59) return undefined;
  const time =
    ((Number(h) * 60 + Number(mi)) * 60 + Number(s ?? 0)) * 1000 +
    Number((f ?? '').slice(0, 3).padEnd(3, '0'));
  if (z !== undefined) return { day, time, offset: 0 };
  if (sign === undefined) return { day, time, offset: undefined };
  const offset = Number(oh) * 3_600_000 + Number(om ?? 0) * 60_000;
  if (offset > 18 * 3_600_000) return undefined;
  return { day, time, offset: sign === '-' ? -offset : offset };
}

describe('date scanner', () => {
  const piece = fc.constantFrom(
    '2024',
    '0000',
    '1753',
    '9999',
    '-',
    '02',
    '29',
    '30',
    '13',
    '00',
    'T',
    't',
    ' ',
    ':',
    '59',
    '60',
    '23',
    '24',
    '.',
    ',',
    '5',
    '123456789',
    '1234567890',
    'Z',
    'z',
    '+',
    '-',
    '01',
    '0100',
    '18',
    '19',
    '\t',
    '\u00a0',
    'x',
  );
  const shaped = fc
    .tuple(
      fc.constantFrom('2024-02-29', '2023-02-29', '1752-12-31', '2024-13-01', '0000-00-00', '9999-12-31'),
      fc.constantFrom('', 'T', ' ', 't'),
      fc.constantFrom(
        '',
        '10:15',
        '23:59:59',
        '24:00',
        '10:60',
        '10:15:60',
        '10:15:00.5',
        '10:15:00,123456789',
        '10:15:00.1234567890',
        '1:5',
      ),
      fc.constantFrom(
        '',
        'Z',
        'z',
        '+01:00',
        '-0530',
        '+01',
        '+18:00',
        '+19:00',
        '+01:60',
        '+1',
        '+01:0',
        ' Z',
        'ZZ',
      ),
      fc.constantFrom('', ' ', '\n', '\u00a0'),
    )
    .map((parts) => parts.join(''));

  it('agrees with the specification on shaped and random text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          shaped,
          fc.array(piece, { maxLength: 12 }).map((p) => p.join('')),
        ),
        (text) => {
          expect(parseDate(text)).toEqual(specParse(text));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('isPlainDay and isPlainUtc hold exactly for the plain forms parseDate reads, from the given year', () => {
    // Mostly real values, so that a single wrong field decides; sometimes an edge or a random field.
    const field = (from: number, to: number, width: number, edges: string[]) =>
      fc.oneof(
        {
          arbitrary: fc.integer({ min: from, max: to }).map((n) => String(n).padStart(width, '0')),
          weight: 6,
        },
        { arbitrary: fc.constantFrom(...edges), weight: 1 },
        {
          arbitrary: fc.string({
            unit: fc.constantFrom(...'0123456789'),
            minLength: width,
            maxLength: width,
          }),
          weight: 1,
        },
      );
    const plainish = fc
      .tuple(
        field(1753, 9999, 4, ['1752', '0000', '0999']),
        field(1, 12, 2, ['00', '13']),
        field(1, 28, 2, ['29', '30', '31', '00', '32']),
        fc.constantFrom('', 'T', 'T', 'T', 't', ' '),
        field(0, 23, 2, ['24', '99']),
        field(0, 59, 2, ['60']),
        field(0, 59, 2, ['60']),
        fc.constantFrom('Z', 'Z', 'Z', 'z', '', '+00:00', '.5Z'),
      )
      .map(([y, mo, d, t, h, mi, se, end]) =>
        t === '' ? `${y}-${mo}-${d}` : `${y}-${mo}-${d}${t}${h}:${mi}:${se}${end}`,
      );
    const minDay = dayNumber(1753, 1, 1);
    fc.assert(
      fc.property(
        fc.oneof(
          plainish,
          fc.array(piece, { maxLength: 12 }).map((p) => p.join('')),
        ),
        (text) => {
          const parsed = parseDate(text);
          const inRange = parsed !== undefined && parsed.day >= minDay;
          // The steps' one-expression checks accept a part of what the exact checks accept.
          if (SURELY_PLAIN.day.test(text)) expect(isPlainDay(text, 1753)).toBe(true);
          if (SURELY_PLAIN.instant.test(text)) expect(isPlainUtc(text, 1753)).toBe(true);
          expect(isPlainDay(text, 1753)).toBe(inRange && text.length === 10);
          expect(isPlainUtc(text, 1753)).toBe(inRange && parsed.offset === 0 && /^\S{10}T\S{8}Z$/.test(text));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('the one-expression checks accept every real date from 1753 on but 29 February, and no other', () => {
    const missed: string[] = [];
    const wrong: string[] = [];
    // Every day from 1700 to 2100 and of the last years before 10000: month lengths, leap years, 1753.
    const days = [
      [dayNumber(1700, 1, 1), dayNumber(2100, 12, 31)],
      [dayNumber(9990, 1, 1), dayNumber(9999, 12, 31)],
    ];
    for (const [from, to] of days)
      for (let day = from!; day <= to!; day += 1) {
        const text = formatDay(day);
        const sure = Number(text.slice(0, 4)) >= 1753 && !text.endsWith('-02-29');
        if (SURELY_PLAIN.day.test(text) !== sure) (sure ? missed : wrong).push(text);
        if (SURELY_PLAIN.instant.test(`${text}T23:59:59Z`) !== sure) (sure ? missed : wrong).push(`${text}T`);
      }
    expect({ missed: missed.slice(0, 5), wrong: wrong.slice(0, 5) }).toEqual({ missed: [], wrong: [] });
    for (const text of ['2023-02-29', '2024-04-31', '2024-13-01', '2024-00-10', '2024-01-00', '1752-12-31'])
      expect(SURELY_PLAIN.day.test(text)).toBe(false);
    for (const time of ['24:00:00', '23:60:00', '23:59:60', '9:00:00'])
      expect(SURELY_PLAIN.instant.test(`2024-03-05T${time}Z`)).toBe(false);
  });
});
