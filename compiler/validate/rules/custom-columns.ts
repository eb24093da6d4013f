import { RANGES } from '../../../runtime/schema/bodies.ts';
import type { PendingDiagnostic } from '../../diagnostics/diagnostic.ts';
import type { CustomColumnSpec, CustomColumnType } from '../../model/spec.ts';
import { finding, type Rule } from '../rule.ts';

/** The keys of a custom column declaration that describe one type of column, and the types they describe. */
const TYPED_KEYS = {
  max_length: ['string', 'memo'],
  format: ['string'],
  precision: ['decimal', 'money'],
  min: ['integer', 'decimal', 'money'],
  max: ['integer', 'decimal', 'money'],
  behavior: ['datetime'],
  true_label: ['boolean'],
  false_label: ['boolean'],
  options: ['choice', 'multi_choice'],
  target: ['lookup'],
} as const satisfies Record<string, readonly CustomColumnType[]>;

type TypedKey = keyof typeof TYPED_KEYS;

/** Whether the declaration writes `key` (the model keeps an absent key as undefined, absent options as []). */
function written(spec: CustomColumnSpec, key: TypedKey): boolean {
  switch (key) {
    case 'max_length':
      return spec.maxLength !== undefined;
    case 'true_label':
      return spec.trueLabel !== undefined;
    case 'false_label':
      return spec.falseLabel !== undefined;
    case 'options':
      return spec.options.length > 0;
    default:
      return spec[key] !== undefined;
  }
}

/** The most decimal places a money column takes (reference §5.1; a decimal's 10 is the schema's maximum). */
const MONEY_PRECISION = 4;

/**
 * The longest max_length a single line of text column takes. The schema caps max_length at a memo's
 * 1,048,576 (MemoAttributeMetadata.MaxLength, "between 1 and 1048576":
 * https://learn.microsoft.com/en-us/dotnet/api/microsoft.xrm.sdk.metadata.memoattributemetadata.maxlength),
 * so this rule checks only a string column's own, lower limit: StringAttributeMetadata.MaxSupportedLength
 * (https://learn.microsoft.com/en-us/dotnet/api/microsoft.xrm.sdk.metadata.stringattributemetadata.maxsupportedlength).
 */
const STRING_MAX_LENGTH = 4000;

/** `a`, `a or b`, `a, b or c`. */
const either = (words: readonly string[], last = 'or'): string =>
  words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} ${last} ${words.at(-1)}`;

/**
 * FS010: a key of a custom column declaration that does not apply to its type (options on a text
 * column, max_length on a lookup): the schema plan would list it, and the admin would create a column
 * unlike the one the spec means. FS015: a number column whose min is above its max, whose bounds or
 * precision Dataverse does not take (the ranges the schema plan creates columns with when the spec
 * gives none), an integer column with a fractional bound, or a string column longer than Dataverse
 * creates, which schema apply would see refused.
 */
export const customColumnSettings: Rule = (ctx) => {
  const out: PendingDiagnostic[] = [];
  for (const d of ctx.customDeclarations) {
    const spec = d.spec;
    const add = (code: string, key: string, message: string, hint: string, at: 'key' | 'value') =>
      out.push(finding(code, 'error', spec.file, `${spec.pointer}/${key}`, message, hint, at));
    for (const key of Object.keys(TYPED_KEYS) as TypedKey[]) {
      const types: readonly CustomColumnType[] = TYPED_KEYS[key];
      if (!written(spec, key) || types.includes(spec.type)) continue;
      const own = (Object.keys(TYPED_KEYS) as TypedKey[]).filter((k) =>
        (TYPED_KEYS[k] as readonly CustomColumnType[]).includes(spec.type),
      );
      add(
        'FS010',
        key,
        `${key} does not apply to a ${spec.type} column (${d.table}.${d.column}): it is for ${either(types)} columns`,
        own.length > 0
          ? `remove it; a ${spec.type} column takes ${either(own, 'and')}, besides type, label, description, required and schema_name`
          : `remove it; a ${spec.type} column takes type, label, description, required and schema_name`,
        'key',
      );
    }
    if (spec.type === 'string' && spec.maxLength !== undefined && spec.maxLength > STRING_MAX_LENGTH)
      add(
        'FS015',
        'max_length',
        `max_length ${spec.maxLength} is more than a single line of text column takes (1 to ${STRING_MAX_LENGTH}): Dataverse would refuse ${d.table}.${d.column} at schema apply`,
        `use type: memo (multiple lines of text, up to 1,048,576 characters) for longer text, or a max_length of at most ${STRING_MAX_LENGTH}`,
        'value',
      );
    if (spec.type !== 'integer' && spec.type !== 'decimal' && spec.type !== 'money') continue;
    const [lowest, highest] = RANGES[spec.type]!;
    for (const key of ['min', 'max'] as const) {
      const value = spec[key];
      if (value === undefined) continue;
      if (value < lowest || value > highest)
        add(
          'FS015',
          key,
          `${key} ${value} is outside what a ${spec.type} column takes (${lowest} to ${highest})`,
          `use a value from ${lowest} to ${highest}`,
          'value',
        );
      else if (spec.type === 'integer' && !Number.isInteger(value))
        add(
          'FS015',
          key,
          `${key} ${value} of a whole number column is not a whole number`,
          'write a whole number',
          'value',
        );
    }
    if (spec.min !== undefined && spec.max !== undefined && spec.min > spec.max)
      add(
        'FS015',
        'min',
        `min ${spec.min} is larger than max ${spec.max}: no value would fit ${d.table}.${d.column}`,
        'swap them, or correct the one that is wrong',
        'value',
      );
    if (spec.type === 'money' && spec.precision !== undefined && spec.precision > MONEY_PRECISION)
      add(
        'FS015',
        'precision',
        `precision ${spec.precision} is more than a money column takes (0 to ${MONEY_PRECISION})`,
        `use a precision from 0 to ${MONEY_PRECISION}`,
        'value',
      );
  }
  return out;
};
