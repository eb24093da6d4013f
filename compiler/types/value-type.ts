import type { SourceField, TargetColumn } from '../model/spec.ts';

/**
 * The static type of a value flowing through a transform chain. Source fields start the chain; each
 * step maps one type to the next; the last type must fit the target column.
 */
export type ValueType =
  | { readonly kind: 'string'; readonly maxLength: number | undefined; readonly format?: 'email' | 'phone' }
  | { readonly kind: 'integer' }
  | { readonly kind: 'decimal' }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'date' }
  | { readonly kind: 'datetime' }
  | { readonly kind: 'enum'; readonly values: readonly string[]; readonly open: boolean }
  | { readonly kind: 'list'; readonly items: ValueType }
  | { readonly kind: 'tuple'; readonly items: readonly ValueType[] }
  | { readonly kind: 'record' }
  | { readonly kind: 'choice'; readonly map: string }
  | { readonly kind: 'choices'; readonly map: string }
  | { readonly kind: 'state'; readonly map: string }
  | { readonly kind: 'parts'; readonly maxLength: number | undefined }
  | { readonly kind: 'any' };

/** A value type and whether the value may be empty. */
export interface Typed {
  readonly type: ValueType;
  readonly nullable: boolean;
}

export const STRING: ValueType = { kind: 'string', maxLength: undefined };
export const ANY: ValueType = { kind: 'any' };

/** Longest text a value of this type can print as (undefined: unbounded). */
export function printedLength(type: ValueType): number | undefined {
  switch (type.kind) {
    case 'string':
    case 'parts':
      return type.maxLength;
    case 'enum':
      return type.open ? undefined : Math.max(0, ...type.values.map((v) => v.length));
    case 'integer':
      return 11;
    case 'decimal':
      return 32;
    case 'boolean':
      return 5;
    case 'date':
      return 10;
    case 'datetime':
      return 24;
    default:
      return undefined;
  }
}

/** The value type a source field starts a chain with. */
export function sourceType(field: SourceField): ValueType {
  switch (field.type) {
    case 'id':
      return { kind: 'string', maxLength: field.maxLength ?? 20 };
    case 'string':
    case 'text':
      return { kind: 'string', maxLength: field.maxLength };
    case 'integer':
      return { kind: 'integer' };
    case 'decimal':
      return { kind: 'decimal' };
    case 'boolean':
      return { kind: 'boolean' };
    case 'date':
      return { kind: 'date' };
    case 'datetime':
      return { kind: 'datetime' };
    case 'enum':
      return { kind: 'enum', values: field.values ?? [], open: field.open };
    case 'array':
      return { kind: 'list', items: field.items ? sourceType(field.items) : ANY };
    case 'object':
      return { kind: 'record' };
  }
}

/** How a type is written in messages, e.g. `text (at most 50)` or `list of enum`. */
export function typeName(type: ValueType): string {
  switch (type.kind) {
    case 'string':
      return type.maxLength === undefined ? 'text' : `text (at most ${type.maxLength})`;
    case 'enum':
      return `enum (${type.values.slice(0, 6).join(', ')}${type.values.length > 6 ? ', ...' : ''})`;
    case 'list':
      return `list of ${typeName(type.items)}`;
    case 'tuple':
      return `several fields (${type.items.map(typeName).join(', ')})`;
    case 'choice':
      return `choice (value map ${type.map})`;
    case 'choices':
      return `choices (value map ${type.map})`;
    case 'state':
      return `state (value map ${type.map})`;
    case 'parts':
      return 'text parts';
    case 'record':
      return 'a nested object';
    default:
      return type.kind;
  }
}

/** Whether `type` can be written to `column` as it is; a reason when not. Length is checked apart. */
export function fitsColumn(type: ValueType, column: Pick<TargetColumn, 'type'>): string | undefined {
  if (type.kind === 'any') return undefined;
  const ok = (kinds: readonly ValueType['kind'][]) =>
    kinds.includes(type.kind) ? undefined : `${typeName(type)} cannot be written to a ${column.type} column`;
  switch (column.type) {
    case 'string':
    case 'memo':
      return ok(['string', 'enum', 'parts']);
    case 'integer':
    case 'bigint':
      return ok(['integer']);
    case 'decimal':
    case 'double':
    case 'money':
      return ok(['integer', 'decimal']);
    case 'boolean':
      return ok(['boolean']);
    case 'date':
      return ok(['date']);
    case 'datetime':
      return ok(['datetime']);
    case 'choice':
      return ok(['choice']);
    case 'multi_choice':
      return ok(['choices']);
    case 'state':
    case 'status':
      return 'statecode and statuscode are set with `state:` after the row is created, not as fields';
    case 'lookup':
    case 'customer':
    case 'owner':
      return 'lookup columns are written with `lookup:` (or `owner:`), not as plain values';
    case 'uniqueidentifier':
    case 'image':
    case 'file':
      return `${column.type} columns cannot be written by a field map`;
  }
}
