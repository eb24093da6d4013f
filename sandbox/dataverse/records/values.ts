import { Errors } from '../errors.ts';
import type { ColumnMeta } from '../metadata/types.ts';
import { GUID_RE, isValidDate, parseDateTimeOffset } from '../odata/literal.ts';
import type { Value } from '../store.ts';

/** All date and time columns support values from 1/1/1753 (PA`entity-attribute-metadata`, column types). */
export const MIN_DATE_MS = Date.UTC(1753, 0, 1);

/**
 * A character that cannot be saved in a string or memo column: Dataverse checks every such value with
 * XmlConvert.VerifyXmlChars (PA`best-practices/work-with-data/invalidcharactersinfield`), which refuses
 * what XML 1.0 excludes from Char (https://www.w3.org/TR/xml/#charsets): C0 controls other than TAB, LF
 * and CR, U+FFFE, U+FFFF and unpaired surrogates.
 */
const NOT_XML_CHAR =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the check
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Where a value is converted, for error messages. */
export interface ValueSite {
  readonly table: string;
  readonly entitySet: string;
  readonly maxUploadFileSize: number;
}

function convertError(raw: unknown, site: ValueSite, edm: string) {
  return Errors.cannotConvert(typeof raw === 'string' ? raw : JSON.stringify(raw), edm, site.entitySet);
}

function crmDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${String(d.getUTCFullYear()).padStart(4, '0')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/**
 * Converts a JSON body value to the stored form, with the checks Dataverse applies: OData type
 * conversion first (Edm types), then the platform's validation (length, range, choice options, dates).
 */
export function toStored(column: ColumnMeta, raw: unknown, site: ValueSite): Value {
  if (raw === null) return null;
  switch (column.type) {
    case 'String':
    case 'Memo':
    case 'EntityName': {
      if (typeof raw !== 'string') throw convertError(raw, site, 'Edm.String');
      if (column.maxLength !== undefined && raw.length > column.maxLength) {
        throw Errors.tooLong(column.logicalName, site.table, column.maxLength);
      }
      if (NOT_XML_CHAR.test(raw)) throw Errors.invalidCharacters(column.logicalName);
      // The attachment limit applies to the Base64 text (PA`attachment-annotation-files`).
      if (column.logicalName === 'documentbody' && raw.length > site.maxUploadFileSize)
        throw Errors.attachmentTooBig();
      return raw;
    }
    case 'MultiSelectPicklist': {
      // Choices are written as a comma-separated string of option values: "1,2".
      if (typeof raw !== 'string') throw convertError(raw, site, 'Edm.String');
      if (raw === '') return null;
      const values = raw.split(',').map((s) => s.trim());
      const allowed = new Set(column.options?.map((o) => o.value));
      const nums: number[] = [];
      for (const v of values) {
        const n = Number(v);
        if (!/^-?\d+$/.test(v) || !allowed.has(n)) {
          throw Errors.outOfRange(v, column.logicalName, site.table, [...allowed]);
        }
        if (!nums.includes(n)) nums.push(n);
      }
      return nums.sort((a, b) => a - b).join(',');
    }
    case 'Integer':
    case 'BigInt':
    case 'Picklist':
    case 'State':
    case 'Status': {
      if (typeof raw !== 'number' || !Number.isInteger(raw)) {
        throw convertError(raw, site, column.type === 'BigInt' ? 'Edm.Int64' : 'Edm.Int32');
      }
      if (column.options) {
        if (!column.options.some((o) => o.value === raw)) {
          throw Errors.outOfRange(
            String(raw),
            column.logicalName,
            site.table,
            column.options.map((o) => o.value),
          );
        }
      } else if (outside(column, raw)) {
        throw Errors.outOfRange(String(raw), column.logicalName, site.table);
      }
      return raw;
    }
    case 'Decimal':
    case 'Double':
    case 'Money': {
      if (typeof raw !== 'number' || !Number.isFinite(raw)) {
        throw convertError(raw, site, column.type === 'Double' ? 'Edm.Double' : 'Edm.Decimal');
      }
      if (outside(column, raw)) throw Errors.outOfRange(String(raw), column.logicalName, site.table);
      const p = 10 ** (column.precision ?? 2);
      return Math.round(raw * p) / p;
    }
    case 'Boolean':
      if (typeof raw !== 'boolean') throw convertError(raw, site, 'Edm.Boolean');
      return raw;
    case 'DateTime': {
      if (column.behavior === 'DateOnly') {
        // Behavior DateOnly columns are Edm.Date: "YYYY-MM-DD" only (behavior-format-date-time-attribute).
        if (typeof raw !== 'string' || !isValidDate(raw)) throw convertError(raw, site, 'Edm.Date');
        if (Date.parse(`${raw}T00:00:00Z`) < MIN_DATE_MS)
          throw Errors.dateTooEarly(crmDate(Date.parse(`${raw}T00:00:00Z`)));
        return raw;
      }
      const ms = typeof raw === 'string' ? parseDateTimeOffset(raw) : undefined;
      if (ms === undefined) throw convertError(raw, site, 'Edm.DateTimeOffset');
      if (ms < MIN_DATE_MS) throw Errors.dateTooEarly(crmDate(ms));
      // Values read back carry whole seconds.
      return Math.floor(ms / 1000) * 1000;
    }
    case 'Uniqueidentifier':
      if (typeof raw !== 'string' || !GUID_RE.test(raw)) throw convertError(raw, site, 'Edm.Guid');
      return raw.toLowerCase();
    case 'Lookup':
    case 'Customer':
    case 'Owner':
      // Lookups are set through navigation properties only; the caller rejects the plain name first.
      throw Errors.invalidProperty(column.logicalName, site.table);
  }
}

function outside(column: ColumnMeta, n: number): boolean {
  return (
    (column.minValue !== undefined && n < column.minValue) ||
    (column.maxValue !== undefined && n > column.maxValue)
  );
}

/** The JSON form of a stored scalar (dates as ISO 8601 without milliseconds, Edm.Date as stored). */
export function toJson(column: ColumnMeta, value: Value): unknown {
  if (value === null || value === undefined) return null;
  if (column.type === 'DateTime' && typeof value === 'number')
    return new Date(value).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return value;
}

const usNumber = (n: number, digits: number) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** `OData.Community.Display.V1.FormattedValue` of a stored scalar, in en-US like a US-English user. */
export function formatted(column: ColumnMeta, value: Value): string | undefined {
  if (value === null || value === undefined || typeof value === 'object') return undefined;
  switch (column.type) {
    case 'Picklist':
    case 'State':
    case 'Status':
      return column.options?.find((o) => o.value === value)?.label;
    case 'MultiSelectPicklist':
      return String(value)
        .split(',')
        .map((v) => column.options?.find((o) => o.value === Number(v))?.label ?? v)
        .join('; ');
    case 'Boolean':
      return value ? 'Yes' : 'No';
    case 'Integer':
    case 'BigInt':
      return usNumber(value as number, 0);
    case 'Decimal':
    case 'Double':
      return usNumber(value as number, column.precision ?? 2);
    case 'Money':
      return `$${usNumber(value as number, column.precision ?? 2)}`;
    case 'DateTime': {
      if (typeof value === 'string') {
        const [y, m, d] = value.split('-').map(Number);
        return `${m}/${d}/${y}`;
      }
      const date = new Date(value as number);
      const h = date.getUTCHours();
      const time = `${h % 12 === 0 ? 12 : h % 12}:${String(date.getUTCMinutes()).padStart(2, '0')} ${h < 12 ? 'AM' : 'PM'}`;
      return `${date.getUTCMonth() + 1}/${date.getUTCDate()}/${date.getUTCFullYear()} ${time}`;
    }
    default:
      return undefined;
  }
}
