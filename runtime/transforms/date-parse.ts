import { dayNumber, daysInMonth, MS_PER_DAY } from './calendar.ts';

/*
 * The date and date-time texts the steps read: the ISO 8601 / RFC 3339 shapes that APIs and exports
 * write, and nothing looser.
 *   2024-03-05                      a calendar date
 *   2024-03-05T10:15[:00[.123]]     a wall-clock date-time (no offset); a space may replace the T
 *   ...Z, ...+01:00, ...+0100, ...+01   a date-time at a UTC offset
 * Refused (unreadable): other orders and separators (05/03/2024 is 5 March or 3 May), week and ordinal
 * dates, 24:00, leap seconds (:60, which JavaScript's Date refuses too), offsets beyond ±18:00 (the
 * java.time.ZoneOffset range; real offsets stay within ±14:00), and dates that do not exist
 * (2023-02-30, 0000-00-00). Fractions of a second beyond milliseconds are cut, not rounded, so a value
 * never moves into the next second.
 */
const ISO =
  /^\s*(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?\s*$/;

const MAX_OFFSET_MS = 18 * 3_600_000;

/** A parsed date or date-time. */
export interface ParsedDate {
  /** Day number of the calendar date as written. */
  readonly day: number;
  /** Milliseconds since midnight as written; undefined for a date without a time. */
  readonly time: number | undefined;
  /** UTC offset in ms when the text carries one (Z is 0); undefined for wall-clock values. */
  readonly offset: number | undefined;
}

/** Parses a date or date-time text; undefined when it is not one of the accepted shapes or not a real date. */
export function parseDate(text: string): ParsedDate | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const dayOfMonth = Number(m[3]);
  if (month < 1 || month > 12 || dayOfMonth < 1 || dayOfMonth > daysInMonth(year, month)) return undefined;
  const day = dayNumber(year, month, dayOfMonth);
  if (m[4] === undefined) return { day, time: undefined, offset: undefined };
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const milli = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  const time = ((hour * 60 + minute) * 60 + second) * 1000 + milli;
  let offset: number | undefined;
  if (m[8] !== undefined) offset = 0;
  else if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = m[11] === undefined ? 0 : Number(m[11]);
    if (om > 59) return undefined;
    offset = (m[9] === '-' ? -1 : 1) * (oh * 3_600_000 + om * 60_000);
    if (Math.abs(offset) > MAX_OFFSET_MS) return undefined;
  }
  return { day, time, offset };
}

/** Epoch milliseconds of a parsed value read as if its wall-clock time were UTC. */
export function wallMs(parsed: ParsedDate): number {
  return parsed.day * MS_PER_DAY + (parsed.time ?? 0);
}
