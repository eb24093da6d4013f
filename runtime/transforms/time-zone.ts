import { MS_PER_DAY } from './calendar.ts';

/*
 * UTC offsets of an IANA time zone from the runtime's own tz database through Intl.DateTimeFormat
 * (ECMA-402), no extra package. Asking Intl costs microseconds, so each clock remembers, per UTC day,
 * the offset when it is the same at the day's first and last second (every day but transition days);
 * transition days are asked exactly each time. Two transitions within one UTC day that cancel out
 * would be missed; the tz database has none since offsets were standardised.
 */

const DAY_MEMO_LIMIT = 50_000;

/** The offsets of one time zone, with a bounded memo of transition-free UTC days. */
export class ZoneClock {
  private readonly format: Intl.DateTimeFormat;
  /** UTC day number → offset in ms for the whole day, or NaN for a day with a transition. */
  private readonly days = new Map<number, number>();

  /** @throws RangeError for a time zone the runtime does not know. */
  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** Offset (local minus UTC, in ms) at an instant, asked of Intl. */
  private exact(ms: number): number {
    const whole = ms - (((ms % 1000) + 1000) % 1000);
    let year = 0;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let bc = false;
    for (const part of this.format.formatToParts(whole)) {
      switch (part.type) {
        case 'era':
          bc = part.value === 'BC';
          break;
        case 'year':
          year = Number(part.value);
          break;
        case 'month':
          month = Number(part.value);
          break;
        case 'day':
          day = Number(part.value);
          break;
        case 'hour':
          hour = Number(part.value);
          break;
        case 'minute':
          minute = Number(part.value);
          break;
        case 'second':
          second = Number(part.value);
          break;
        default:
          break;
      }
    }
    const local = new Date(0);
    local.setUTCFullYear(bc ? 1 - year : year, month - 1, day);
    local.setUTCHours(hour, minute, second, 0);
    return local.getTime() - whole;
  }

  /** Offset (local minus UTC, in ms) at an instant in epoch milliseconds. */
  offsetAt(ms: number): number {
    const day = Math.floor(ms / MS_PER_DAY);
    let offset = this.days.get(day);
    if (offset === undefined) {
      const first = this.exact(day * MS_PER_DAY);
      const last = this.exact(day * MS_PER_DAY + MS_PER_DAY - 1000);
      offset = first === last ? first : Number.NaN;
      if (this.days.size >= DAY_MEMO_LIMIT) this.days.clear();
      this.days.set(day, offset);
    }
    return Number.isNaN(offset) ? this.exact(ms) : offset;
  }

  /**
   * The instant of a wall-clock time in this zone (`wall` is the wall-clock time read as if it were
   * UTC). A time that occurs twice (clocks going back) is the earlier instant; a time that does not
   * occur (clocks going forward) moves forward by the length of the gap, so 01:30 on the morning
   * Europe/London springs forward is 02:30 BST. This is the "compatible" disambiguation of TC39
   * Temporal (tc39.es/proposal-temporal/docs/ambiguity.html), which matches legacy Date, Luxon,
   * date-fns, java.time.ZonedDateTime.of and RFC 5545 (iCalendar) §3.3.5.
   */
  instantOf(wall: number): number {
    const before = this.offsetAt(wall - MS_PER_DAY);
    const after = this.offsetAt(wall + MS_PER_DAY);
    // No change of offset around this time (every day but two a year): one candidate.
    if (before === after && this.offsetAt(wall - before) === before) return wall - before;
    const early = wall - before;
    const late = wall - after;
    const earlyFits = this.offsetAt(early) === before;
    const lateFits = this.offsetAt(late) === after;
    if (earlyFits && lateFits) return Math.min(early, late);
    if (earlyFits) return early;
    if (lateFits) return late;
    return early;
  }
}

/** A clock per time zone, created on first use. */
export class ZoneClocks {
  private readonly clocks = new Map<string, ZoneClock>();
  /** The clock asked for last: a migration asks for one zone on almost every call. */
  private last: ZoneClock | undefined;

  /** The clock of an IANA time zone. @throws RangeError for an unknown time zone. */
  get(timeZone: string): ZoneClock {
    if (this.last !== undefined && this.last.timeZone === timeZone) return this.last;
    let clock = this.clocks.get(timeZone);
    if (!clock) {
      clock = new ZoneClock(timeZone);
      this.clocks.set(timeZone, clock);
    }
    this.last = clock;
    return clock;
  }
}
