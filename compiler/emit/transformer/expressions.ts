import { assertNever } from '../../assert.ts';
import type { IrColumnType, IrMigration, IrNumberStep, IrStep, IrValueSource } from '../../ir/types.ts';
import { literal } from '../literals.ts';

/** What the generated expression's value is, so conversions are added only where needed. */
export type Kind =
  | 'unknown'
  | 'text'
  | 'number'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'option'
  | 'list'
  | 'parts';

/** A piece of generated code and the kind of value it yields. */
export interface Expr {
  readonly code: string;
  readonly kind: Kind;
}

/**
 * Names every object inherits from Object.prototype: a plain property read of one finds the inherited
 * member on a record that lacks the field, so such a field is read through `field`, own fields only.
 */
const INHERITED: ReadonlySet<string> = new Set([
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  'toString',
  'valueOf',
]);

/** Generated code reading a path of the record `r` (or of the fan-out element `item`). */
export function read(path: readonly string[]): string {
  const [head, ...rest] = path[0] === 'item' ? ['item', ...path.slice(1)] : ['r', ...path];
  let code = head!;
  for (const [i, key] of rest.entries()) {
    if (INHERITED.has(key)) code = `field(${code}, ${literal(key)})`;
    else code = i === 0 ? `${code}[${literal(key)}]` : `asObject(${code})?.[${literal(key)}]`;
  }
  return code;
}

/**
 * Generated code reading a field's value at a path, as `read` does, except that a field on the way
 * that holds something other than an object (a text, a list) is flagged on `column` (objectIn): the
 * value is dropped, and the flag says why.
 */
function readValue(path: readonly string[], column: string): string {
  const [head, ...rest] = path[0] === 'item' ? ['item', ...path.slice(1)] : ['r', ...path];
  let code = head!;
  for (const [i, key] of rest.entries()) {
    if (i > 0) code = `objectIn(${code}, issues, ${literal(column)}, ${literal(rest.slice(0, i).join('.'))})`;
    if (INHERITED.has(key)) code = `field(${code}, ${literal(key)})`;
    else code = i === 0 ? `${code}[${literal(key)}]` : `${code}?.[${literal(key)}]`;
  }
  return code;
}

/** The expression a field's value starts from; `column` names the field in flags. */
export function sourceExpr(source: IrValueSource, column: string): Expr {
  switch (source.kind) {
    case 'path':
      return { code: readValue(source.path, column), kind: 'unknown' };
    case 'paths':
      return { code: `[${source.paths.map((p) => readValue(p, column)).join(', ')}]`, kind: 'list' };
    case 'template': {
      const parts = source.parts.map((p) =>
        p.kind === 'text'
          ? literal(p.text)
          : `templateValue(${readValue(p.path, column)}, issues, ${literal(column)})`,
      );
      return { code: parts.length === 0 ? '""' : parts.join(' + '), kind: 'text' };
    }
    case 'constant':
      return {
        code: literal(source.value),
        kind:
          typeof source.value === 'string' ? 'text' : typeof source.value === 'number' ? 'number' : 'boolean',
      };
    default:
      return assertNever(source);
  }
}

/** The column's declared range as the number steps' last argument, or nothing when it declares none. */
function rangeArgument(step: { readonly min: number | undefined; readonly max: number | undefined }): string {
  if (step.min === undefined && step.max === undefined) return '';
  return `, ${literal({ min: step.min, max: step.max })}`;
}

/** A number conversion with the column's precision and range. */
function convertNumber(code: string, step: IrNumberStep, col: string): string {
  return step.kind === 'integer'
    ? `${step.bits === 64 ? 'toBigInteger' : 'toInteger'}(${code}, issues, ${col}${rangeArgument(step)})`
    : step.limit === undefined
      ? `toDecimal(${code}, ${literal(step.precision)}, issues, ${col}${rangeArgument(step)})`
      : `toDecimal(${code}, ${literal(step.precision)}, issues, ${col}, ${literal({ min: step.min, max: step.max })}, ${literal(step.limit)})`;
}

const asText = (e: Expr): string =>
  e.kind === 'text' || e.kind === 'date' || e.kind === 'datetime' ? e.code : `toText(${e.code})`;

/** Applies one step: a call to the runtime transform library, parameters as literals. */
export function applyStep(e: Expr, step: IrStep, column: string): Expr {
  const col = literal(column);
  switch (step.kind) {
    case 'trim':
      return { code: `trim(${e.code})`, kind: 'text' };
    case 'lowercase':
      return { code: `lowercase(${e.code})`, kind: 'text' };
    case 'uppercase':
      return { code: `uppercase(${e.code})`, kind: 'text' };
    case 'titlecase':
      return { code: `titlecase(${e.code})`, kind: 'text' };
    case 'collapse_whitespace':
      return { code: `collapseWhitespace(${e.code})`, kind: 'text' };
    case 'strip_control':
      return { code: `stripControl(${e.code})`, kind: 'text' };
    case 'null_if_empty':
      return { code: `nullIfEmpty(${e.code})`, kind: 'text' };
    case 'to_string':
      return { code: `toText(${e.code})`, kind: 'text' };
    case 'coalesce':
      return { code: `coalesce(${e.code})`, kind: 'unknown' };
    case 'email':
      return {
        code: `email(${e.code}, ${literal(step.policy)}, ${literal(step.maxLength)}, issues, ${col})`,
        kind: 'text',
      };
    case 'phone':
      return {
        code: `phone(${e.code}, ${literal(step.country)}, ${literal(step.policy)}, ${literal(step.maxLength)}, issues, ${col})`,
        kind: 'text',
      };
    case 'boolean':
      return { code: `toBoolean(${e.code}, issues, ${col})`, kind: 'boolean' };
    case 'integer':
    case 'decimal':
      return { code: convertNumber(e.code, step, col), kind: 'number' };
    case 'date_only':
      return {
        code: `dateOnly(${e.code}, ${literal(step.timeZone)}, ${literal(step.policy)}, issues, ${col})`,
        kind: 'date',
      };
    case 'datetime':
      return {
        code: `${step.wallClock ? 'wallDateTime' : 'dateTime'}(${e.code}, ${literal(step.timeZone)}, ${literal(step.policy)}, issues, ${col})`,
        kind: 'datetime',
      };
    // A path's value is a list (a multi-choice property) or a single value only at run time.
    case 'join':
      return {
        code: `join(${e.kind === 'list' ? e.code : `asList(${e.code})`}, ${literal(step.delimiter)})`,
        kind: 'text',
      };
    case 'map':
      return {
        code: `mapValue(${e.code}, VALUE_MAPS[${literal(step.map)}], issues, ${col})`,
        kind: 'option',
      };
    case 'multi_map':
      return {
        code: `multiMap(${e.code}, VALUE_MAPS[${literal(step.map)}], ${literal(step.as)}, ${literal(step.delimiter)}, issues, ${col})`,
        kind: 'text',
      };
    case 'default': {
      if (step.convert) {
        const input = step.converted ? e.code : convertNumber(e.code, step.convert, col);
        const filled = `withDefault(${input}, ${literal(step.value)})`;
        return { code: convertNumber(filled, step.convert, col), kind: 'number' };
      }
      const v = step.value;
      if (typeof v === 'string') return { code: `withDefault(${asText(e)}, ${literal(v)})`, kind: 'text' };
      return {
        code: `withDefault(${e.kind === 'boolean' ? e.code : `toBoolean(${e.code}, issues, ${col})`}, ${literal(v)})`,
        kind: 'boolean',
      };
    }
    case 'truncate':
      return {
        code: `truncate(${asText(e)}, ${literal(step.length)}, ${literal(step.flag)}, issues, ${col})`,
        kind: 'text',
      };
    case 'split':
      return { code: `split(${asText(e)}, ${literal(step.length)}, issues, ${col})`, kind: 'parts' };
    default:
      return assertNever(step);
  }
}

/**
 * Converts the chain's result to what the column takes, when the chain did not already; `wallClock`:
 * the column is a Time zone independent date-time (see IrField.wallClock).
 */
export function finish(
  e: Expr,
  type: IrColumnType,
  column: string,
  migration: IrMigration,
  conversion: IrNumberStep | undefined,
  wallClock: boolean,
): string {
  const col = literal(column);
  switch (type) {
    case 'integer':
    case 'bigint':
    case 'decimal':
    case 'double':
    case 'money':
      // The column's own conversion: its precision and range, as a number step would.
      return e.kind === 'number' || conversion === undefined
        ? e.code
        : convertNumber(e.code, conversion, col);
    case 'boolean':
      return e.kind === 'boolean' ? e.code : `toBoolean(${e.code}, issues, ${col})`;
    case 'date':
      return e.kind === 'date'
        ? e.code
        : `dateOnly(${e.code}, ${literal(migration.timeZone)}, "drop_with_flag", issues, ${col})`;
    case 'datetime':
      return e.kind === 'datetime'
        ? e.code
        : `${wallClock ? 'wallDateTime' : 'dateTime'}(${e.code}, ${literal(migration.timeZone)}, "drop_with_flag", issues, ${col})`;
    case 'choice':
    case 'state':
    case 'status':
      return e.kind === 'option'
        ? `optionNumber(${e.code})`
        : e.kind === 'number'
          ? e.code
          : `optionNumber(toInteger(${e.code}, issues, ${col}))`;
    default:
      return asText(e);
  }
}
