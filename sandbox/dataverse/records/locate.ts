import type { Ctx } from '../context.ts';
import { Errors } from '../errors.ts';
import type { KeyMeta, NavDef, TableMeta } from '../metadata/types.ts';
import { REFERENCE_TYPES } from '../metadata/types.ts';
import type { Literal } from '../odata/literal.ts';
import { type KeyPredicate, parsePath, resourcePath } from '../odata/path.ts';
import type { Ref, Value } from '../store.ts';

/** A record address: by primary key, or by an alternate key with the values to create it with. */
export type Address =
  | { readonly by: 'id'; readonly id: string }
  | { readonly by: 'key'; readonly key: KeyMeta; readonly values: Readonly<Record<string, Value>> };

/** PA`define-alternate-keys-entity`: these characters in key values break GET/PATCH addressing. */
const UNSAFE_KEY_CHARS = /[/<>*%&:\\?+]/;

function literalValue(table: TableMeta, name: string, lit: Literal): [string, Value] {
  const m = /^_(.+)_value$/.exec(name);
  if (m) {
    const column = table.columns.get(m[1]!);
    if (!column || !REFERENCE_TYPES.has(column.type) || lit.type !== 'guid')
      throw Errors.invalidKeyInUri(table.def.logicalName);
    return [column.logicalName, { id: lit.value, table: column.targets?.[0] ?? '' }];
  }
  const column = table.columns.get(name);
  if (!column) throw Errors.invalidKeyInUri(table.def.logicalName);
  if (lit.type === 'null') throw Errors.invalidKeyInUri(table.def.logicalName);
  if (lit.type === 'string' && UNSAFE_KEY_CHARS.test(lit.value))
    throw Errors.invalidKeyInUri(table.def.logicalName);
  if (lit.type === 'datetime') return [column.logicalName, Math.floor(lit.value / 1000) * 1000];
  return [column.logicalName, lit.value];
}

/**
 * Turns a key predicate into an address. A single GUID or `pk=GUID` addresses by id; named parts must
 * match the columns of an alternate key (PA`use-alternate-key-reference-record`). A key whose index is not
 * Active yet is not usable: Dataverse answers EntityKeyNotDefined until it is.
 */
export function addressOf(table: TableMeta, key: KeyPredicate): Address {
  const name = table.def.logicalName;
  if (key.kind === 'single') {
    if (key.value.type !== 'guid') throw Errors.invalidKeyInUri(name);
    return { by: 'id', id: key.value.value };
  }
  if (key.parts.length === 1 && key.parts[0]![0] === table.def.primaryId) {
    const lit = key.parts[0]![1];
    if (lit.type !== 'guid') throw Errors.invalidKeyInUri(name);
    return { by: 'id', id: lit.value };
  }
  if (key.parts.length === 0) throw Errors.invalidKeyInUri(name);
  const values: Record<string, Value> = {};
  for (const [partName, lit] of key.parts) {
    const [column, value] = literalValue(table, partName, lit);
    values[column] = value;
  }
  const columns = Object.keys(values).sort().join(',');
  const match = table.keys.find((k) => [...k.attributes].sort().join(',') === columns);
  if (!match) throw Errors.invalidKeyInUri(name);
  if (match.status !== 'Active') throw Errors.keyNotDefined(name);
  return { by: 'key', key: match, values };
}

/**
 * Adds to a new record's changes the alternate-key values its address gave and its body did not. They
 * are the record's column values, so a value longer than its column's MaxLength is refused as one in
 * the body is (the platform validates every string value it writes, PA`entity-attribute-metadata`).
 */
export function withKeyValues(
  table: TableMeta,
  address: Address,
  changes: Record<string, Value>,
): Record<string, Value> {
  if (address.by !== 'key') return changes;
  for (const a of address.key.attributes) {
    if (a in changes) continue;
    const value = address.values[a] ?? null;
    const column = table.columns.get(a);
    if (typeof value === 'string' && column?.maxLength !== undefined && value.length > column.maxLength)
      throw Errors.tooLong(a, table.def.logicalName, column.maxLength);
    changes[a] = value;
  }
  return changes;
}

/** The id an address points to now, if the record exists. */
export function findId(ctx: Ctx, table: TableMeta, address: Address): string | undefined {
  const store = ctx.state.store;
  if (address.by === 'id') return store.get(table.def.logicalName, address.id) ? address.id : undefined;
  return store.findByKey(
    table.def.logicalName,
    address.key.logicalName,
    address.key.attributes.map((a) => address.values[a] ?? null),
  );
}

/** The "does not exist" error for an address (ObjectDoesNotExist or the alternate-key variant). */
export function missing(table: TableMeta, address: Address) {
  return address.by === 'id'
    ? Errors.doesNotExist(table.def.logicalName, address.id)
    : Errors.keyDoesNotExist(table.def.logicalName);
}

/**
 * Resolves an `@odata.bind` value: `/accounts(<guid>)`, `accounts(<guid>)`, an absolute URL, an
 * alternate-key form `/accounts(accountnumber='x')`, or `$n` inside a change set ($batch doc).
 */
export function resolveBind(ctx: Ctx, nav: NavDef, value: unknown, entitySet: string): Ref {
  if (typeof value !== 'string') {
    throw Errors.badPayload(entitySet, `The value of '${nav.name}@odata.bind' must be a URI string.`);
  }
  let path = value;
  const ref = /^\$(\w+)(.*)$/.exec(value);
  if (ref) {
    const target = ctx.contentIds?.get(ref[1]!);
    if (target === undefined) throw Errors.contentIdMissing(`$${ref[1]}`);
    path = target + ref[2];
  }
  const segments = parsePath(resourcePath(path));
  const seg = segments[0];
  if (segments.length !== 1 || !seg?.key) {
    throw Errors.badPayload(
      entitySet,
      `The URI '${value}' in '${nav.name}@odata.bind' is not a single entity.`,
    );
  }
  const target = ctx.state.catalog.bySetName(seg.name);
  if (!target) throw Errors.badPayload(entitySet, `Resource not found for the segment '${seg.name}'.`);
  if (!nav.targets.includes(target.def.logicalName)) {
    throw Errors.badPayload(
      entitySet,
      `The navigation property '${nav.name}' cannot be bound to an entity of type 'Microsoft.Dynamics.CRM.${target.def.logicalName}'.`,
    );
  }
  const address = addressOf(target, seg.key);
  const id = findId(ctx, target, address);
  if (id === undefined) throw missing(target, address);
  return { id: id.toLowerCase(), table: target.def.logicalName };
}

/**
 * Where an upsert looks for its record: "If it exists, Dataverse tries to look up the record by using
 * the Entity.Id property … Otherwise, it uses the alternate key values" (PA`use-upsert-insert-update-record`,
 * "Understand the upsert process"). A primary key in the body of a request addressed by an alternate key
 * therefore wins; when no row has it, the row is created with it, and the alternate key must then be free.
 */
export function upsertAddress(table: TableMeta, address: Address, body: Record<string, unknown>): Address {
  const pk = body[table.def.primaryId];
  return address.by === 'key' && typeof pk === 'string' ? { by: 'id', id: pk.toLowerCase() } : address;
}
