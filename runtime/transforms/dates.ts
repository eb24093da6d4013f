import { dayNumber, formatDay, formatInstant, MS_PER_DAY } from './calendar.ts';
import { isPlainDay, isPlainUtc, type ParsedDate, parseDate, wallMs } from './date-parse.ts';
import { refuse, unreadable } from './issues.ts';
import { isEmpty } from './text.ts';
import { ZoneClocks } from './time-zone.ts';
import type { DropPolicy, Issues } from './types.ts';

/*
 * Dates for Dataverse. Date-only columns take "YYYY-MM-DD" (Edm.Date); date-time columns take UTC with
 * a Z, because values sent through the Web API are stored as given, not converted from the caller's
 * time zone (shared/reference/dataverse.md §2, from "Behavior and format of the Date and Time column").
 * A Time zone independent column stores and shows the value as it is sent, with no conversion for any
 * user ("a user in UTC-8 enters October 14th, 2023, 11:30 pm: saved as 2023-10-14T23:30:00Z",
 * learn.microsoft.com/power-apps/maker/data-platform/behavior-format-date-time-field): it takes the
 * wall-clock time, written with a Z (wallDateTime).
 * "All date and time columns in Dataverse support values as early as 1/1/1753 12:00 AM"
 * (learn.microsoft.com/power-apps/developer/data-platform/behavior-format-date-time-attribute); earlier
 * values fail with "DateTime is less than minimum value supported by CrmDateTime". The upper end is
 * SQL Server datetime's 9999-12-31. Outside that range → the date_out_of_range policy; text that is not a
 * date → null with `unreadable_value_dropped`.
 */

// Clocks per time zone, created on first use. Module-level because the generated code calls
// `dateTime(...)` with no context to carry them; safe to share: a clock only memoises offsets computed
// from the runtime's tz database, so no result depends on what it already holds.
const CLOCKS = new ZoneClocks();

const MIN_YEAR = 1753;
const MIN_DAY = dayNumber(MIN_YEAR, 1, 1);
const MAX_DAY = dayNumber(9999, 12, 31);
const MIN_MS = MIN_DAY * MS_PER_DAY;
const MAX_MS = (MAX_DAY + 1) * MS_PER_DAY - 1;

const CODES = { rejection: 'date_out_of_range', flag: 'date_out_of_range_dropped' } as const;

// Plain dates and instants as APIs send them, from 1753 on, told by one regular expression: a day that
// every year has in its month (29 February is left out). They are a part of what isPlainDay and
// isPlainUtc accept, which decide every other text exactly. One expression reads such text faster than
// twenty charCodeAt calls; other text (29 February, or text that is not plain) pays for both.
const SURE_DATE =
  '(?:17(?:5[3-9]|[6-9][0-9])|1[89][0-9]{2}|[2-9][0-9]{3})-' +
  '(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)';
const SURE_DAY = new RegExp(`^${SURE_DATE}$`);
const SURE_UTC = new RegExp(`^${SURE_DATE}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z$`);

/** A calendar date `YYYY-MM-DD` from 1753 on that the date-only step returns as it is. */
function plainDate(s: string): boolean {
  return SURE_DAY.test(s) || isPlainDay(s, MIN_YEAR);
}

/** An instant `YYYY-MM-DDTHH:mm:ssZ` from 1753 on that the date-time step returns as it is. */
function plainInstant(s: string): boolean {
  return SURE_UTC.test(s) || isPlainUtc(s, MIN_YEAR);
}

/** The regular expressions alone, for the test that holds them to isPlainDay and isPlainUtc. */
export const SURELY_PLAIN = { day: SURE_DAY, instant: SURE_UTC } as const;

/** The parsed value, null (empty), or undefined after flagging an unreadable value. */
function read(v: unknown, issues: Issues, column: string): ParsedDate | null | undefined {
  if (typeof v === 'string') {
    if (isEmpty(v)) return null;
    const parsed = parseDate(v);
    if (parsed) return parsed;
    unreadable(issues, column, 'a date was expected, the text is not an ISO 8601 date or date-time');
    return undefined;
  }
  if (v === null || v === undefined) return null;
  if (v instanceof Date && !Number.isNaN(v.getTime())) {
    const ms = v.getTime();
    const day = Math.floor(ms / MS_PER_DAY);
    return { day, time: ms - day * MS_PER_DAY, offset: 0 };
  }
  // Numbers are refused: epoch seconds, epoch milliseconds and spreadsheet serial days look alike.
  unreadable(
    issues,
    column,
    `a date was expected, got a ${typeof v === 'object' ? 'non-date object' : typeof v}`,
  );
  return undefined;
}

function outOfRange(policy: DropPolicy, issues: Issues, column: string, early: boolean): null {
  const why = early
    ? 'date before 1753-01-01, the earliest date Dataverse stores'
    : 'date after 9999-12-31, the latest date Dataverse stores';
  return refuse(issues, column, policy, CODES, why);
}

/**
 * A calendar date `YYYY-MM-DD`. A date-time with Z or an offset gives its calendar date in `timeZone`;
 * a date-time without an offset gives the date as written.
 * @throws RangeError for a time zone the runtime does not know (a spec error).
 */
export function dateOnly(
  v: unknown,
  timeZone: string,
  policy: DropPolicy,
  issues: Issues,
  column: string,
): string | null {
  const clock = CLOCKS.get(timeZone);
  // A date as APIs send it: nothing to convert (every such date is before 9999-12-31).
  if (typeof v === 'string' && plainDate(v)) return v;
  const parsed = read(v, issues, column);
  if (!parsed) return null;
  let day = parsed.day;
  if (parsed.offset !== undefined && parsed.day > MIN_DAY - 2 && parsed.day < MAX_DAY + 2) {
    const instant = wallMs(parsed) - parsed.offset;
    day = Math.floor((instant + clock.offsetAt(instant)) / MS_PER_DAY);
  }
  if (day < MIN_DAY || day > MAX_DAY) return outOfRange(policy, issues, column, day < MIN_DAY);
  return formatDay(day);
}

/**
 * An instant as ISO 8601 UTC, `YYYY-MM-DDTHH:mm:ssZ` (`.sss` only when the milliseconds are not zero).
 * Values with Z or an offset keep their instant; values without one are wall-clock time in `timeZone`
 * (see ZoneClock.instantOf for clocks going forward and back); a date alone is midnight in `timeZone`.
 * @throws RangeError for a time zone the runtime does not know (a spec error).
 */
export function dateTime(
  v: unknown,
  timeZone: string,
  policy: DropPolicy,
  issues: Issues,
  column: string,
): string | null {
  const clock = CLOCKS.get(timeZone);
  // An instant as APIs send it, already in the output form.
  if (typeof v === 'string' && plainInstant(v)) return v;
  const parsed = read(v, issues, column);
  if (!parsed) return null;
  // A wall date two days beyond either limit is outside in every zone: skip asking the zone.
  if (parsed.day < MIN_DAY - 2 || parsed.day > MAX_DAY + 2) {
    return outOfRange(policy, issues, column, parsed.day < MIN_DAY);
  }
  const wall = wallMs(parsed);
  const instant = parsed.offset === undefined ? clock.instantOf(wall) : wall - parsed.offset;
  if (instant < MIN_MS || instant > MAX_MS) return outOfRange(policy, issues, column, instant < MIN_MS);
  return formatInstant(instant);
}

/**
 * A date-time for a Time zone independent column: the wall-clock time in `timeZone`, written as
 * `YYYY-MM-DDTHH:mm:ssZ` (`.sss` only when the milliseconds are not zero), which the column shows to
 * every user as it is. Values without an offset are that wall-clock time as written; values with Z or
 * an offset are moved to the wall-clock time of their instant in `timeZone`; a date alone is midnight.
 * @throws RangeError for a time zone the runtime does not know (a spec error).
 */
export function wallDateTime(
  v: unknown,
  timeZone: string,
  policy: DropPolicy,
  issues: Issues,
  column: string,
): string | null {
  const clock = CLOCKS.get(timeZone);
  const parsed = read(v, issues, column);
  if (!parsed) return null;
  if (parsed.day < MIN_DAY - 2 || parsed.day > MAX_DAY + 2) {
    return outOfRange(policy, issues, column, parsed.day < MIN_DAY);
  }
  let wall = wallMs(parsed);
  if (parsed.offset !== undefined) {
    const instant = wall - parsed.offset;
    wall = instant + clock.offsetAt(instant);
  }
  if (wall < MIN_MS || wall > MAX_MS) return outOfRange(policy, issues, column, wall < MIN_MS);
  return formatInstant(wall);
}
