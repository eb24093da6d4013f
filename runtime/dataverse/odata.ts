/** A value in an alternate key or a filter. */
export type KeyValue = string | number | boolean;

/** A record: its primary key (a GUID) or its alternate-key values by column. */
export type RecordRef = string | Readonly<Record<string, KeyValue>>;

/** System query options of a collection GET. */
export interface QueryOptions {
  readonly select?: readonly string[];
  readonly filter?: string;
  readonly orderby?: string | readonly string[];
  readonly top?: number;
  readonly expand?: string;
  readonly count?: boolean;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** PA`define-alternate-keys-entity`: these characters in key values break GET/PATCH addressing. */
const UNSAFE_KEY_CHARS = /[/<>*%&:\\?+]/;

/**
 * Whether a key value can address a record in a URL or `@odata.id`: a text value holding one of
 * / < > * % & : \ ? + cannot (PA`define-alternate-keys-entity`), and such a record is addressed by its
 * primary key instead.
 */
export function isAddressableKey(value: KeyValue): boolean {
  return typeof value !== 'string' || !UNSAFE_KEY_CHARS.test(value);
}

/** Whether a string is a GUID. */
export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** An OData literal for `$filter`: strings quoted with `'` doubled; null, numbers and booleans bare. */
export function literal(value: KeyValue | null | Date): string {
  if (value === null) return 'null';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return `'${value.replace(/'/g, "''")}'`;
  if (typeof value === 'number' && !Number.isFinite(value))
    throw new RangeError(`${value} is not an OData number`);
  return String(value);
}

/**
 * The key predicate of a record (PA`use-alternate-key-reference-record`): `(<guid>)` for a primary key,
 * `(col='v',col2=1)` for an alternate key. A part named `_x_value` is a lookup and takes a bare GUID.
 * `encode` percent-encodes the values for a URL path; bodies (`@odata.id`, `@odata.bind`) take them as is.
 */
export function keyPredicate(ref: RecordRef, encode = true): string {
  if (typeof ref === 'string') {
    if (!isGuid(ref)) throw new TypeError(`'${ref}' is not a GUID; pass alternate keys as { column: value }`);
    return `(${ref.toLowerCase()})`;
  }
  const parts = Object.entries(ref);
  if (parts.length === 0) throw new TypeError('an alternate key needs at least one column');
  const text = parts.map(([column, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(column)) throw new TypeError(`'${column}' is not a column name`);
    if (/^_\w+_value$/.test(column)) {
      if (typeof value !== 'string' || !isGuid(value))
        throw new TypeError(`the lookup key part ${column} needs a GUID`);
      return `${column}=${value.toLowerCase()}`;
    }
    if (!isAddressableKey(value)) {
      throw new TypeError(
        `the key value for ${column} contains one of / < > * % & : \\ ? + which break Web API addressing (define-alternate-keys-entity): address this record by its primary key`,
      );
    }
    const lit = literal(value);
    return `${column}=${encode ? encodeURIComponent(lit) : lit}`;
  });
  return `(${text.join(',')})`;
}

/** `contacts(…)` for a URL path. */
export function recordPath(entitySet: string, ref: RecordRef): string {
  return `${entitySet}${keyPredicate(ref)}`;
}

/** `/contacts(…)` for an `@odata.bind` value, or `contacts(…)` for a bulk item's `@odata.id`. */
export function recordUri(entitySet: string, ref: RecordRef, leadingSlash = true): string {
  return `${leadingSlash ? '/' : ''}${entitySet}${keyPredicate(ref, false)}`;
}

/** `?$select=…&$filter=…` (empty when there are no options). */
export function queryString(options: QueryOptions): string {
  const parts: string[] = [];
  if (options.select && options.select.length > 0)
    parts.push(`$select=${options.select.map(encodeURIComponent).join(',')}`);
  if (options.filter) parts.push(`$filter=${encodeURIComponent(options.filter)}`);
  if (options.orderby && options.orderby.length > 0) {
    const order = typeof options.orderby === 'string' ? options.orderby : options.orderby.join(',');
    parts.push(`$orderby=${encodeURIComponent(order)}`);
  }
  if (options.top !== undefined) {
    if (!Number.isInteger(options.top) || options.top < 0)
      throw new RangeError(`$top must be a whole number, got ${options.top}`);
    parts.push(`$top=${options.top}`);
  }
  if (options.expand) parts.push(`$expand=${encodeURIComponent(options.expand)}`);
  if (options.count) parts.push('$count=true');
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** The GUID at the end of an `OData-EntityId` header (`…/contacts(<guid>)`), if it ends with one. */
export function idFromEntityId(header: string | undefined): string | undefined {
  const m = /\(([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\)$/i.exec(header ?? '');
  return m ? m[1]!.toLowerCase() : undefined;
}

/**
 * The `$filter` that selects rows whose `column` is one of `ids` (checked GUIDs):
 * Microsoft.Dynamics.CRM.In (query-data-web-api). A query function names a column by its logical name,
 * a lookup too (`parentcustomerid`, not `_parentcustomerid_value`): Dataverse answers 0x80041103
 * "entity doesn't contain attribute with Name = '_x_value'" otherwise.
 */
export function inFilter(column: string, ids: readonly string[]): string {
  return `Microsoft.Dynamics.CRM.In(PropertyName='${column}',PropertyValues=[${ids.map((id) => `'${id}'`).join(',')}])`;
}
