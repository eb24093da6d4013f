import { numberParts, roundHalfAwayFromZero } from '../transforms/decimal.ts';

/** How one expected value and the value read back from Dataverse compare, and what made them equal. */
export interface ValueVerdict {
  readonly equal: boolean;
  /** The normalisation that made two different-looking values equal (absent when they are identical). */
  readonly normalisation?: string;
}

/** What `compareValue` needs to know about the column besides its type. */
export interface ValueOptions {
  /** Decimal places Dataverse keeps for a decimal, money or double column (default 2). */
  readonly precision?: number;
  /** Text Dataverse may hold after the expected text (the archive link a note gets after its file). */
  readonly appended?: RegExp;
}

const SAME: ValueVerdict = { equal: true };
const DIFFERENT: ValueVerdict = { equal: false };

const isEmpty = (v: unknown) => v === null || v === undefined || v === '';

/** An instant in ms from ISO 8601 text, or undefined. */
function instant(v: unknown): number | undefined {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(v)) return undefined;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? ms : undefined;
}

// Decimal text only: Number() reads "" and blanks as 0 and "0x10" as 16, none of which a column holds.
const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A value as a number: a JSON number (the Web API answers Edm.Int32, Edm.Decimal and Edm.Double as
 * JSON numbers, OData JSON Format 4.01 §7.1 "Primitive Value"), or decimal text, the form a spec
 * value may take; NaN for anything else.
 */
const asNumber = (v: unknown) =>
  typeof v === 'number' ? v : typeof v === 'string' && NUMBER_TEXT.test(v) ? Number(v) : NaN;

function numbers(expected: unknown, actual: unknown): [number, number] | undefined {
  const e = asNumber(expected);
  const a = asNumber(actual);
  return Number.isFinite(e) && Number.isFinite(a) ? [e, a] : undefined;
}

function compareDecimal(expected: unknown, actual: unknown, precision: number): ValueVerdict {
  const pair = numbers(expected, actual);
  if (!pair) return DIFFERENT;
  const [e, a] = pair;
  if (e === a) return typeof expected === typeof actual ? SAME : { equal: true, normalisation: 'number' };
  // Dataverse keeps a decimal column's precision: it rounds what it is sent (the column's Precision).
  // How it rounds a half is not documented. SQL Server rounds a decimal converted to a lower scale
  // (learn.microsoft.com/sql/t-sql/data-types/decimal-and-numeric-transact-sql, "Converting decimal
  // and numeric data"), half away from zero in decimal as the transform does (1.005 → 1.01); a client
  // rounding the binary double gives 1 instead. Either counts as rounded.
  const p = 10 ** precision;
  return roundHalfAwayFromZero(numberParts(e), precision) === a || Math.round(e * p) / p === a
    ? { equal: true, normalisation: `rounded to ${precision} decimal places` }
    : DIFFERENT;
}

function compareDate(expected: unknown, actual: unknown): ValueVerdict {
  if (expected === actual) return SAME;
  if (typeof expected !== 'string' || typeof actual !== 'string') return DIFFERENT;
  // A date-only column is Edm.Date, "YYYY-MM-DD" (PA`behavior-format-date-time-attribute`); a client or
  // an older endpoint may show it as midnight UTC, with a Z: midnight at another offset is another day
  // in UTC, so it is a different value.
  return /^\d{4}-\d{2}-\d{2}$/.test(expected) &&
    /^T00:00:00(?:\.0+)?Z$/.test(actual.slice(expected.length)) &&
    actual.startsWith(expected)
    ? { equal: true, normalisation: 'date only' }
    : DIFFERENT;
}

function compareDateTime(expected: unknown, actual: unknown): ValueVerdict {
  if (expected === actual) return SAME;
  const e = instant(expected);
  const a = instant(actual);
  if (e === undefined || a === undefined) return DIFFERENT;
  if (e === a) return { equal: true, normalisation: 'same instant' };
  // Values read back carry whole seconds.
  return Math.floor(e / 1000) * 1000 === a ? { equal: true, normalisation: 'whole seconds' } : DIFFERENT;
}

function compareChoices(expected: unknown, actual: unknown): ValueVerdict {
  if (expected === actual) return SAME;
  if (typeof expected !== 'string' || typeof actual !== 'string') return DIFFERENT;
  // A multi-select column holds a set, written and read as comma-separated option values.
  const set = (s: string) => [...new Set(s.split(',').map((x) => x.trim()))].sort().join(',');
  return set(expected) === set(actual) ? { equal: true, normalisation: 'set of choices' } : DIFFERENT;
}

function compareText(expected: unknown, actual: unknown, appended: RegExp | undefined): ValueVerdict {
  if (expected === actual) return SAME;
  if (typeof expected !== 'string' || typeof actual !== 'string') return DIFFERENT;
  if (appended && actual.startsWith(expected) && appended.test(actual.slice(expected.length)))
    return { equal: true, normalisation: 'archive link appended' };
  return DIFFERENT;
}

function compareId(expected: unknown, actual: unknown): ValueVerdict {
  if (expected === actual) return SAME;
  return typeof expected === 'string' &&
    typeof actual === 'string' &&
    expected.toLowerCase() === actual.toLowerCase()
    ? { equal: true, normalisation: 'id case' }
    : DIFFERENT;
}

/**
 * Compares what the spec expects in a column with what Dataverse returned for it, the way Dataverse
 * stores each type: empty text is no value, decimals are rounded to the column's precision, date-only
 * columns are dates, date-and-time columns are instants in whole seconds, multi-select columns are
 * sets, ids are case-insensitive. Anything else must be identical.
 */
export function compareValue(
  type: string,
  expected: unknown,
  actual: unknown,
  options: ValueOptions = {},
): ValueVerdict {
  if (isEmpty(expected) || isEmpty(actual)) {
    if (!isEmpty(expected) || !isEmpty(actual)) return DIFFERENT;
    // Dataverse keeps no empty text: a string column set to "" reads back as null.
    return expected === actual || (expected ?? null) === (actual ?? null)
      ? SAME
      : { equal: true, normalisation: 'empty text is no value' };
  }
  switch (type) {
    case 'decimal':
    case 'double':
    case 'money':
      return compareDecimal(expected, actual, options.precision ?? 2);
    case 'integer':
    case 'bigint':
    case 'choice':
    case 'state':
    case 'status': {
      const pair = numbers(expected, actual);
      if (!pair || pair[0] !== pair[1]) return DIFFERENT;
      return typeof expected === typeof actual ? SAME : { equal: true, normalisation: 'number' };
    }
    case 'boolean':
      return expected === actual ? SAME : DIFFERENT;
    case 'date':
      return compareDate(expected, actual);
    case 'datetime':
      return compareDateTime(expected, actual);
    case 'multi_choice':
      return compareChoices(expected, actual);
    case 'lookup':
    case 'customer':
    case 'owner':
    case 'uniqueidentifier':
      return compareId(expected, actual);
    default:
      return compareText(expected, actual, options.appended);
  }
}
