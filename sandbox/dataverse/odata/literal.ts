/**
 * OData literals as they appear unquoted in `$filter` and in key predicates: GUIDs, numbers, dates,
 * date-times, true/false/null; strings are quoted with `''` as the escape for a quote.
 */
export type Literal =
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'guid'; readonly value: string }
  | { readonly type: 'number'; readonly value: number; readonly integer: boolean }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'date'; readonly value: string }
  | { readonly type: 'datetime'; readonly value: number }
  | { readonly type: 'null' };

export const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMBER_RE = /^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?[mMdDfFlL]?$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/;

/** True for a calendar date `YYYY-MM-DD` that exists. */
export function isValidDate(text: string): boolean {
  if (!DATE_RE.test(text)) return false;
  const y = Number(text.slice(0, 4));
  const m = Number(text.slice(5, 7));
  const d = Number(text.slice(8, 10));
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = m === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
  return d <= days;
}

/** Parses an ISO 8601 date-time with an offset (Edm.DateTimeOffset); undefined when it is not one. */
export function parseDateTimeOffset(text: string): number | undefined {
  if (!DATETIME_RE.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) || !isValidDate(text.slice(0, 10)) ? undefined : ms;
}

/** Classifies an unquoted literal token; undefined when the token is not a literal (a property name). */
export function parseBareLiteral(token: string): Literal | undefined {
  if (token === 'null') return { type: 'null' };
  if (token === 'true' || token === 'false') return { type: 'boolean', value: token === 'true' };
  if (GUID_RE.test(token)) return { type: 'guid', value: token.toLowerCase() };
  if (DATE_RE.test(token)) return isValidDate(token) ? { type: 'date', value: token } : undefined;
  if (DATETIME_RE.test(token)) {
    const ms = parseDateTimeOffset(token);
    return ms === undefined ? undefined : { type: 'datetime', value: ms };
  }
  if (NUMBER_RE.test(token)) {
    const clean = token.replace(/[mMdDfFlL]$/, '');
    return { type: 'number', value: Number(clean), integer: /^-?\d+$/.test(clean) };
  }
  return undefined;
}

/** The Edm type name of a literal, for OData's incompatible-type messages. */
export function literalEdmType(lit: Literal): string {
  switch (lit.type) {
    case 'string':
      return 'Edm.String';
    case 'guid':
      return 'Edm.Guid';
    case 'number':
      return lit.integer ? 'Edm.Int32' : 'Edm.Decimal';
    case 'boolean':
      return 'Edm.Boolean';
    case 'date':
      return 'Edm.Date';
    case 'datetime':
      return 'Edm.DateTimeOffset';
    case 'null':
      return 'null';
  }
}

/** Reads a quoted string starting at `start` (which holds the opening quote); returns value and end index. */
export function readQuoted(text: string, start: number): { value: string; end: number } | undefined {
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "'") {
      if (text[i + 1] === "'") {
        value += "'";
        i += 2;
        continue;
      }
      return { value, end: i + 1 };
    }
    value += ch;
    i += 1;
  }
  return undefined;
}
