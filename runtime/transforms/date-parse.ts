import { dayNumber, daysInMonth, MS_PER_DAY } from './calendar.ts';

/*
 * The date and date-time texts the steps read: the ISO 8601 / RFC 3339 shapes that APIs and exports
 * write, and nothing looser. Scanned by hand, because a regular expression with eleven groups cost
 * more than the rest of a date step; test/transforms/dates.test.ts holds that expression as the
 * specification and checks the scanner against it.
 *   2024-03-05                      a calendar date
 *   2024-03-05T10:15[:00[.123]]     a wall-clock date-time (no offset); a space may replace the T
 *   ...Z, ...+01:00, ...+0100, ...+01   a date-time at a UTC offset
 * Refused (unreadable): other orders and separators (05/03/2024 is 5 March or 3 May), week and ordinal
 * dates, 24:00, leap seconds (:60, which JavaScript's Date refuses too), offsets beyond ±18:00 (the
 * java.time.ZoneOffset range; real offsets stay within ±14:00), and dates that do not exist
 * (2023-02-30, 0000-00-00). Fractions of a second beyond milliseconds are cut, not rounded, so a value
 * never moves into the next second.
 */
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

/** The two-digit number at `i`, or -1. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 0x30;
  const b = s.charCodeAt(i + 1) - 0x30;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** The UTC offset in ms of `+HH`, `+HHMM` or `+HH:MM` (or Z) from `i` to the end; undefined when malformed. */
function offsetAt(s: string, i: number): number | undefined {
  const c = s.charCodeAt(i);
  if (c === 0x5a || c === 0x7a) return i + 1 === s.length ? 0 : undefined; // Z, z
  if (c !== 0x2b && c !== 0x2d) return undefined;
  const hours = two(s, i + 1);
  if (hours < 0) return undefined;
  let minutes = 0;
  let end = i + 3;
  if (end < s.length) {
    if (s.charCodeAt(end) === 0x3a) end += 1; // ':'
    minutes = two(s, end);
    end += 2;
    if (minutes < 0 || minutes > 59) return undefined;
  }
  if (end !== s.length) return undefined;
  const offset = hours * 3_600_000 + minutes * 60_000;
  if (offset > MAX_OFFSET_MS) return undefined;
  return c === 0x2d ? -offset : offset;
}

/** Parses a date or date-time text; undefined when it is not one of the accepted shapes or not a real date. */
export function parseDate(text: string): ParsedDate | undefined {
  const s = text.trim();
  if (s.length < 10) return undefined;
  const day = dayAt(s);
  if (Number.isNaN(day)) return undefined;
  if (s.length === 10) return { day, time: undefined, offset: undefined };
  const t = s.charCodeAt(10);
  if (t !== 0x54 && t !== 0x74 && t !== 0x20) return undefined; // T, t, space
  const hour = two(s, 11);
  const minute = two(s, 14);
  if (s.charCodeAt(13) !== 0x3a || hour < 0 || hour > 23 || minute < 0 || minute > 59) return undefined;
  let i = 16;
  let second = 0;
  let milli = 0;
  if (s.charCodeAt(i) === 0x3a) {
    second = two(s, i + 1);
    if (second < 0 || second > 59) return undefined;
    i += 3;
    const point = s.charCodeAt(i);
    if (point === 0x2e || point === 0x2c) {
      // Up to nine fraction digits; milliseconds are the first three, the rest is cut.
      let digits = 0;
      i += 1;
      for (let c = s.charCodeAt(i) - 0x30; c >= 0 && c <= 9; c = s.charCodeAt(i) - 0x30) {
        if (digits < 3) milli += c * 10 ** (2 - digits);
        digits += 1;
        i += 1;
      }
      if (digits === 0 || digits > 9) return undefined;
    }
  }
  const time = ((hour * 60 + minute) * 60 + second) * 1000 + milli;
  if (i === s.length) return { day, time, offset: undefined };
  const offset = offsetAt(s, i);
  return offset === undefined ? undefined : { day, time, offset };
}

/** The day number of the real calendar date `YYYY-MM-DD` that `s` starts with; NaN when there is none. */
function dayAt(s: string): number {
  const year = yearAt(s);
  return year < 0 ? Number.NaN : dayNumber(year, two(s, 5), two(s, 8));
}

/** The year of the real calendar date `YYYY-MM-DD` that `s` starts with; -1 when there is none. */
function yearAt(s: string): number {
  if (s.charCodeAt(4) !== 0x2d || s.charCodeAt(7) !== 0x2d) return -1;
  const century = two(s, 0);
  const yy = two(s, 2);
  const month = two(s, 5);
  const dayOfMonth = two(s, 8);
  if (century < 0 || yy < 0 || month < 1 || month > 12 || dayOfMonth < 1) return -1;
  const year = century * 100 + yy;
  return dayOfMonth > daysInMonth(year, month) ? -1 : year;
}

/*
 * The plain checks below compare years, not day numbers: a real date is on 1 January of `minYear` or
 * later exactly when its year is `minYear` or later, and the year is known before the day number,
 * which costs more than the rest of the check.
 */

/**
 * True for a real calendar date written exactly `YYYY-MM-DD`, in `minYear` or later: text parseDate
 * reads as that date, checked without building its result.
 */
export function isPlainDay(s: string, minYear: number): boolean {
  return s.length === 10 && yearAt(s) >= minYear;
}

/**
 * True for a real instant written exactly `YYYY-MM-DDTHH:mm:ssZ` (the form APIs send and the date-time
 * step writes), in `minYear` or later: text parseDate reads with offset 0, checked without building its
 * result.
 */
export function isPlainUtc(s: string, minYear: number): boolean {
  if (s.length !== 20 || s.charCodeAt(10) !== 0x54 || s.charCodeAt(19) !== 0x5a) return false;
  if (s.charCodeAt(13) !== 0x3a || s.charCodeAt(16) !== 0x3a) return false;
  const hour = two(s, 11);
  const minute = two(s, 14);
  const second = two(s, 17);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  return yearAt(s) >= minYear;
}

/** Epoch milliseconds of a parsed value read as if its wall-clock time were UTC. */
export function wallMs(parsed: ParsedDate): number {
  return parsed.day * MS_PER_DAY + (parsed.time ?? 0);
}
