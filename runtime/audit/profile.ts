import type { JsonValue } from '../practicehub/index.ts';

/** The kind of one served value, as far as its JSON tells. */
export type ValueKind =
  | 'boolean'
  | 'integer'
  | 'decimal'
  | 'digits'
  | 'date'
  | 'datetime'
  | 'string'
  | 'text'
  | 'array'
  | 'object';

/** Distinct values kept per field; beyond this the field is not an enumeration. */
export const DISTINCT_LIMIT = 24;

/** What a sample showed of one field (mutable while the sample is read). */
export interface FieldProfile {
  readonly name: string;
  /** Records (or elements) that carried the key at all. */
  present: number;
  /** Of those, values that are not null, empty text or an empty list. */
  filled: number;
  readonly kinds: Map<ValueKind, number>;
  /** Longest text value, in characters. */
  maxLength: number;
  /** Distinct text values with their counts, or null once there were too many. */
  distinct: Map<string, number> | null;
  /** Object fields: their profiles. */
  readonly fields: Map<string, FieldProfile>;
  /** Array fields: the profile of their elements (as a field named `items`). */
  items: FieldProfile | undefined;
  /** Array fields: elements seen in total. */
  elements: number;
}

/** What a sample showed of one resource. */
export interface ResourceProfile {
  /** Records read. */
  records: number;
  readonly fields: Map<string, FieldProfile>;
}

/** An empty profile for a field. */
export function newField(name: string): FieldProfile {
  return {
    name,
    present: 0,
    filled: 0,
    kinds: new Map(),
    maxLength: 0,
    distinct: new Map(),
    fields: new Map(),
    items: undefined,
    elements: 0,
  };
}

/** An empty resource profile. */
export function newResourceProfile(): ResourceProfile {
  return { records: 0, fields: new Map() };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;
const DIGITS = /^\d{6,}$/;

/** Text longer than this, or with a line break, is long text (`text`) rather than a `string`. */
export const LONG_TEXT = 255;

/** The kind of a non-null value. */
export function kindOf(value: Exclude<JsonValue, null>): ValueKind {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'decimal';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  const text = value as string;
  if (DATE.test(text)) return 'date';
  if (DATETIME.test(text) && !Number.isNaN(Date.parse(text))) return 'datetime';
  if (DIGITS.test(text)) return 'digits';
  if (text.length > LONG_TEXT || text.includes('\n')) return 'text';
  return 'string';
}

function isEmpty(value: JsonValue): boolean {
  return value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

/** Adds one value to a field profile. */
export function addValue(profile: FieldProfile, value: JsonValue | undefined): void {
  if (value === undefined) return;
  profile.present += 1;
  if (!isEmpty(value)) profile.filled += 1;
  if (value === null) return;
  const kind = kindOf(value);
  profile.kinds.set(kind, (profile.kinds.get(kind) ?? 0) + 1);
  if (typeof value === 'string') {
    profile.maxLength = Math.max(profile.maxLength, value.length);
    if (profile.distinct) {
      profile.distinct.set(value, (profile.distinct.get(value) ?? 0) + 1);
      if (profile.distinct.size > DISTINCT_LIMIT) profile.distinct = null;
    }
  }
  if (Array.isArray(value)) {
    profile.elements += value.length;
    profile.items ??= newField('items');
    for (const element of value) addValue(profile.items, element);
  } else if (typeof value === 'object') {
    addRecord(profile.fields, value as { readonly [key: string]: JsonValue });
  }
}

/** Adds one record's fields to a map of field profiles. */
export function addRecord(
  fields: Map<string, FieldProfile>,
  record: { readonly [key: string]: JsonValue },
): void {
  for (const [name, value] of Object.entries(record)) {
    let profile = fields.get(name);
    if (!profile) {
      profile = newField(name);
      fields.set(name, profile);
    }
    addValue(profile, value);
  }
}

/** Adds a page of records to a resource profile. */
export function addRecords(
  resource: ResourceProfile,
  records: readonly { readonly [key: string]: JsonValue }[],
): void {
  for (const record of records) {
    resource.records += 1;
    addRecord(resource.fields, record);
  }
}
