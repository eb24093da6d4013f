import { utcMs } from '../shared/utc.ts';
import { flag } from '../transforms/issues.ts';
import { asText, isEmpty, isTrimmed, LONE_SURROGATE } from '../transforms/text.ts';
import type { Issues } from '../transforms/types.ts';
import { lookupText } from '../transforms/value-map.ts';

/** A source record as it arrives from the API: JSON, nothing guaranteed. */
export type SourceRecord = Readonly<Record<string, unknown>>;

/** The value at a path (`['custom_properties', 'allergy_flag']`), or undefined (see field). */
export function at(record: unknown, path: readonly string[]): unknown {
  let value = record;
  for (const segment of path) value = field(value, segment);
  return value;
}

/**
 * One field of an object, as JSON gives it: its own property; undefined for anything that is not an
 * object (a list included), and for a field it does not hold. So a record without `constructor` or
 * `__proto__`, names a source field may have, reads them as missing, not as what every object inherits.
 */
export function field(value: unknown, key: string): unknown {
  return isObject(value) && Object.hasOwn(value, key) ? value[key] : undefined;
}

/**
 * An object's fields by name (undefined for anything that is not an object, a list included): the
 * generated code reads a path as `asObject(r["a"])?.["b"]`, a property read at each place that reads
 * it, and a name every object inherits (constructor, __proto__) as `field(r["a"], "constructor")`.
 */
export function asObject(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return isObject(value) ? value : undefined;
}

/**
 * The object a field holds, on the way to a field inside it (`custom_properties` of
 * `custom_properties.pain_score`), or undefined. A field that holds something else (a text, a list, a
 * number) is flagged on `column`, named by its path `name`: the value inside it is dropped, and the flag
 * says why, as for any other value that cannot be read.
 */
export function objectIn(
  value: unknown,
  issues: Issues,
  column: string,
  name: string,
): Readonly<Record<string, unknown>> | undefined {
  if (isObject(value)) return value;
  if (value !== null && value !== undefined)
    unexpected(issues, column, value, 'an object', 'value dropped', `${name} is `);
  return undefined;
}

// The "no date" some databases write for an empty one: all zeros, with or without a time.
const ZERO_DATE = /^0000-00-00(?:[ T]00:00:00(?:\.0+)?Z?)?$/;

/**
 * When PracticeHub deleted the record (its `deleted_at`, listed in a delta), or undefined when it did
 * not. An all-zero date ("0000-00-00 00:00:00") says nothing: the record is live. Any other text marks
 * a deletion, since PracticeHub sets the field when it deletes (shared/reference/practicehub.md,
 * "Modified since"): text that is no ISO 8601 time ("unknown") is named as such, not taken for a live
 * record, whose row would then stay open in Dataverse and be written again by every delta.
 */
export function deletedAt(record: SourceRecord): string | undefined {
  const at = record.deleted_at;
  if (typeof at !== 'string') return undefined;
  const text = at.trim();
  if (text === '' || ZERO_DATE.test(text)) return undefined;
  return Number.isNaN(utcMs(text)) ? 'a time not written as ISO 8601' : text;
}

/** An id as text: ids arrive as strings of digits (or numbers from some clients). */
export function idText(value: unknown): string | null {
  if (typeof value === 'string') {
    if (isTrimmed(value)) return value;
    const text = value.trim();
    return text === '' ? null : text;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/**
 * The group a record belongs to under a grouping mapping (`group.by`, e.g. a training record's
 * staff member): the id at that path as text, '' when it has none. The run stages by it, and the
 * compare and the sample group by it, so all three must agree.
 */
export function groupKeyOf(group: { readonly by: readonly string[] }, record: SourceRecord): string {
  return idText(at(record, group.by)) ?? '';
}

/** The elements of a list field that are objects (anything else is ignored). */
export function objects(value: unknown): readonly Readonly<Record<string, unknown>>[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Compares two timestamps or dates written as ISO text (missing sorts first). */
function compareText(a: unknown, b: unknown): number {
  const x = typeof a === 'string' ? a : '';
  const y = typeof b === 'string' ? b : '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The element with the greatest `orderBy` (the first of equals), or undefined for an empty list. */
export function mostRecent(list: unknown, orderBy: string): Readonly<Record<string, unknown>> | undefined {
  if (!Array.isArray(list)) return undefined;
  let best: Readonly<Record<string, unknown>> | undefined;
  for (const item of list) {
    if (!isObject(item)) continue;
    if (!best || compareText(item[orderBy], best[orderBy]) > 0) best = item;
  }
  return best;
}

/** The elements without the most recent one (fan-out of "the others"). */
export function exceptMostRecent(
  list: unknown,
  orderBy: string,
): readonly Readonly<Record<string, unknown>>[] {
  const items = objects(list);
  const best = mostRecent(items, orderBy);
  return items.filter((item) => item !== best);
}

/** What a value that is not of the expected kind is, in words, without the value (it may be patient data). */
function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return 'a text';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return 'an object';
}

/** Flags a value of another kind than `expected` (an id, a list), in words, and what became of it. */
function unexpected(
  issues: Issues,
  column: string,
  value: unknown,
  expected: string,
  outcome: string,
  where = '',
): void {
  flag(
    issues,
    column,
    'unreadable_value_dropped',
    `${where}${kindOf(value)} where ${expected} was expected; ${outcome}`,
  );
}

/**
 * The id a lookup points to (see idText). A value that is there but is no id (an object, a list, a
 * boolean) is flagged, as an unreadable value of any other field is: the lookup is left empty (a
 * required one rejects the record), and the flag says why.
 */
export function lookupId(value: unknown, issues: Issues, column: string): string | null {
  const id = idText(value);
  if (id === null && value !== null && value !== undefined && typeof value !== 'string')
    unexpected(issues, column, value, 'an id', 'lookup left empty');
  return id;
}

/**
 * The id a list lookup points to: the chosen element's `element` field (or the element itself), read
 * as lookupId reads it. A field that is not a list, and elements that are not objects when the id is a
 * field of the element, are flagged: they are passed over, which must not read as "no parent".
 */
export function pickId(
  list: unknown,
  mode: 'most_recent' | 'first',
  element: string | undefined,
  orderBy: string | undefined,
  issues: Issues,
  column: string,
): string | null {
  if (list === null || list === undefined) return null;
  if (!Array.isArray(list)) {
    unexpected(issues, column, list, 'a list', 'lookup left empty');
    return null;
  }
  if (list.length === 0) return null;
  let stray = 0;
  if (element !== undefined) for (const item of list) if (!isObject(item)) stray += 1;
  if (stray > 0)
    flag(
      issues,
      column,
      'unreadable_value_dropped',
      `${stray} of the list's ${list.length} elements are not objects; passed over`,
    );
  const chosen = mode === 'most_recent' && orderBy ? mostRecent(list, orderBy) : list[0];
  return lookupId(element === undefined ? chosen : field(chosen, element), issues, column);
}

// Any surrogate code unit: one character class, cheaper to test than LONE_SURROGATE's lookarounds.
const SURROGATE = /[\uD800-\uDFFF]/;

/** The key value: prefix + the key parts joined by '-'; null (record rejected) when a part is missing. */
export function keyValue(
  prefix: string,
  parts: readonly unknown[],
  issues: Issues,
  column: string,
): string | null {
  // One part that holds no surrogate at all, as ids do: no LONE_SURROGATE run, no list of texts.
  if (parts.length === 1) {
    const text = idText(parts[0]);
    if (text !== null && !SURROGATE.test(text)) return prefix + text;
  }
  const texts = parts.map(idText);
  if (texts.some((t) => t === null)) {
    issues.rejections.push({ column, code: 'missing_key', reason: 'the record has no value for its key' });
    return null;
  }
  const key = prefix + texts.join('-');
  // A key addresses its row in request URLs, which cannot carry text that is not valid UTF-16.
  if (LONE_SURROGATE.test(key)) {
    issues.rejections.push({
      column,
      code: 'unreadable_value',
      reason:
        'the value of its key is not valid text (an unpaired surrogate), so no request can address its row',
    });
    return null;
  }
  return key;
}

/** Whether a value equals one of the listed values (text, number or boolean, compared as text). */
export function isOneOf(value: unknown, values: readonly (string | number | boolean)[]): boolean {
  if (value === null || value === undefined) return false;
  const text = String(value);
  return values.some((v) => String(v) === text);
}

/** Whether a value is present (not null, not empty text, not an empty list). */
export function isPresent(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/** A state-map table: lower-cased (unless case-sensitive) source value → state and status. */
export interface StateMap {
  readonly name: string;
  readonly entries: ReadonlyMap<string, { readonly state: number; readonly status: number } | null>;
  readonly defaultValue?: { readonly state: number; readonly status: number };
  readonly unmapped: 'reject' | 'drop_with_flag';
  readonly caseSensitive: boolean;
}

/** Maps a status value through a state map; unmapped values follow the map's default or policy. */
export function mapState(
  value: unknown,
  map: StateMap,
  issues: Issues,
): { readonly state: number; readonly status: number } | undefined {
  if (isEmpty(value)) return undefined;
  // Read as value maps read (value-map.ts lookup): the value's text, trimmed, case folded unless the
  // map is case-sensitive (its keys are lower-cased then); a value with no text form has no entry.
  const text = typeof value === 'string' ? value : asText(value);
  // Keys of a map that is not case-sensitive are folded by the compiler (lower-cased, trimmed).
  const hit = text === null ? undefined : lookupText(map.entries, map.caseSensitive, text);
  if (hit !== undefined) return hit ?? undefined;
  if (map.defaultValue) {
    issues.flags.push({
      column: 'statecode',
      code: 'unmapped_value_defaulted',
      detail: `status not in value map '${map.name}': default state used`,
    });
    return map.defaultValue;
  }
  if (map.unmapped === 'reject') {
    issues.rejections.push({
      column: 'statecode',
      code: 'unmapped_value',
      reason: `status not in value map '${map.name}' and the map has no default`,
    });
  } else {
    issues.flags.push({
      column: 'statecode',
      code: 'unmapped_value_dropped',
      detail: `status not in value map '${map.name}': state left as created`,
    });
  }
  return undefined;
}

/** The title of part `n` of `total`: the suffix (with {n} and {total}) appended, the title cut to fit. */
export function partTitle(
  title: string | null,
  suffix: string,
  n: number,
  total: number,
  maxLength: number,
): string | null {
  if (total <= 1) return title;
  const end = suffix.replaceAll('{n}', String(n)).replaceAll('{total}', String(total));
  const base = title ?? '';
  const room = Math.max(0, maxLength - end.length);
  let cut = base.length > room ? base.slice(0, room) : base;
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut + end;
}

/** The key of part `n` (1-based): part 1 keeps the record's key, so a note that grows keeps its first row. */
export function partKey(key: string, n: number): string {
  return n === 1 ? key : `${key}-part-${n}`;
}

/** A choice value from a value map: option numbers pass, anything else is no value. */
export function optionNumber(value: number | string | null): number | null {
  return typeof value === 'number' ? value : null;
}
