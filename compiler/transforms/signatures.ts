import { toBigInteger, toDecimal, toInteger } from '../../runtime/transforms/numbers.ts';
import { newIssues } from '../../runtime/transforms/types.ts';
import { columnConversion } from '../ir/steps.ts';
import type { StepSpec, TargetColumn, ValueMapSpec } from '../model/spec.ts';
import { printedLength, type Typed, typeName, type ValueType } from '../types/value-type.ts';

/** What a step may look at besides its input: the column written and the value maps. */
export interface StepContext {
  readonly column: TargetColumn | undefined;
  readonly valueMap: (name: string) => ValueMapSpec | undefined;
}

export type StepResult =
  | { readonly typed: Typed }
  | { readonly error: string; readonly hint: string; readonly code?: string };

/** A transform step's type rule: its documentation and how it maps an input type to an output type. */
export interface StepSignature {
  readonly name: string;
  readonly summary: string;
  readonly signature: string;
  apply(input: Typed, step: StepSpec, context: StepContext): StepResult;
}

const textLike = (t: ValueType) => t.kind === 'string' || t.kind === 'enum' || t.kind === 'any';
const numberLike = (t: ValueType) => t.kind === 'integer' || t.kind === 'decimal' || t.kind === 'any';
const isScalar = (t: ValueType) =>
  ['string', 'enum', 'integer', 'decimal', 'boolean', 'date', 'datetime', 'any'].includes(t.kind);
const min = (a: number | undefined, b: number | undefined) =>
  a === undefined ? b : b === undefined ? a : Math.min(a, b);

/**
 * Why a number column would drop `value`, read as the runtime reads it into `column` (the generated
 * transformer converts a number default like any value: see `default`); undefined when it takes it or
 * the column is not a number column.
 */
export function numberRefused(value: number, column: TargetColumn | undefined): string | undefined {
  const conversion = columnConversion(column);
  if (!conversion) return undefined;
  const issues = newIssues();
  const range = { min: conversion.min, max: conversion.max };
  if (conversion.kind === 'integer')
    (conversion.bits === 64 ? toBigInteger : toInteger)(value, issues, '', range);
  else toDecimal(value, conversion.precision, issues, '', range, conversion.limit);
  return issues.flags[0]?.detail.replace(/; value dropped$/, '');
}

function mismatch(name: string, input: Typed, expected: string): StepResult {
  return {
    error: `transform '${name}' takes ${expected}, but receives ${typeName(input.type)}`,
    hint: `add a conversion step before '${name}', or map a field of the right type`,
  };
}

/** A step from text to text that keeps (at most) the input length. */
function textStep(name: string, summary: string, options: { nullable?: boolean } = {}): StepSignature {
  return {
    name,
    summary,
    signature: 'text → text',
    apply: (input) =>
      textLike(input.type)
        ? {
            typed: {
              type: { kind: 'string', maxLength: printedLength(input.type) },
              nullable: options.nullable ?? input.nullable,
            },
          }
        : mismatch(name, input, 'text'),
  };
}

function convert(
  name: string,
  summary: string,
  accepts: (t: ValueType) => boolean,
  expected: string,
  out: ValueType,
): StepSignature {
  return {
    name,
    summary,
    signature: `${expected} → ${typeName(out)}`,
    apply: (input) =>
      accepts(input.type)
        ? { typed: { type: out, nullable: input.nullable } }
        : mismatch(name, input, expected),
  };
}

function valueMapStep(step: StepSpec, context: StepContext, param: string): ValueMapSpec | StepResult {
  const name = String(step.params[param] ?? '');
  const map = context.valueMap(name);
  if (!map) {
    return {
      code: 'FS119',
      error: `no value map named '${name}'`,
      hint: `create spec/valuemaps/${name}.yaml, or use an existing map`,
    };
  }
  return map;
}

/** The catalog of transform steps by name. */
const CATALOG: StepSignature[] = [
  textStep('trim', 'Remove leading and trailing whitespace.'),
  textStep('lowercase', 'Lower-case the text.'),
  textStep('uppercase', 'Upper-case the text.'),
  textStep('titlecase', 'Capitalise the first letter of each word.'),
  textStep('collapse_whitespace', 'Replace runs of whitespace with one space.'),
  textStep(
    'strip_control',
    'Remove control characters (except tab and line breaks) and unpaired surrogates.',
  ),
  textStep('null_if_empty', 'Treat empty text as no value.', { nullable: true }),
  {
    name: 'email',
    summary:
      'Normalise an email address (trim, lower-case domain) and check it; invalid or too long for the column → policies.invalid_email.',
    signature: 'text → email text (at most the column length)',
    apply: (input, _step, context) =>
      textLike(input.type)
        ? {
            typed: {
              type: { kind: 'string', maxLength: min(254, context.column?.maxLength), format: 'email' },
              nullable: true,
            },
          }
        : mismatch('email', input, 'text'),
  },
  {
    name: 'phone',
    summary:
      'Normalise a phone number to E.164 (+447700900123) using the default country; unreadable → policies.invalid_phone.',
    signature: 'text → phone text (at most the column length)',
    apply: (input, _step, context) =>
      textLike(input.type) || input.type.kind === 'integer'
        ? {
            typed: {
              type: { kind: 'string', maxLength: min(50, context.column?.maxLength), format: 'phone' },
              nullable: true,
            },
          }
        : mismatch('phone', input, 'text'),
  },
  convert(
    'boolean',
    'Read true/false, yes/no, y/n, 1/0, on/off (any case).',
    (t) => ['string', 'enum', 'boolean', 'integer', 'any'].includes(t.kind),
    'text, number or boolean',
    { kind: 'boolean' },
  ),
  convert(
    'integer',
    "Read a whole number from a number or plain numeric text (' 12 ', '+12', '12.0'). A value with a fraction (12.5) or text that is not a number is dropped with flag unreadable_value_dropped, and one outside the column's range (its `min`/`max`, within a whole number's limits: 32-bit, or for a Big Integer column of the target snapshot up to 2^53 − 1, the largest a number holds exactly) with flag number_out_of_range_dropped; the record still loads.",
    (t) => textLike(t) || numberLike(t),
    'text or number',
    { kind: 'integer' },
  ),
  convert(
    'decimal',
    "Read a number and round it to `precision` decimal places. Values outside the column's `min`/`max` (within ±100,000,000,000, or ±922,337,203,685,477 for a money column) are dropped with a flag. Text with more significant digits than a number carries exactly (about 15) is rounded to fewer places, as many as it carries, with flag decimal_digits_dropped.",
    (t) => textLike(t) || numberLike(t),
    'text or number',
    { kind: 'decimal' },
  ),
  convert(
    'date_only',
    'A calendar date YYYY-MM-DD; a date-time is taken in the time zone. Dates before 1753 → policies.date_out_of_range.',
    (t) => ['date', 'datetime', 'string', 'any'].includes(t.kind),
    'date, date-time or text',
    { kind: 'date' },
  ),
  convert(
    'datetime',
    'An ISO 8601 date-time in UTC; values without an offset are read in the time zone. A Time zone independent column, which shows every user the value as sent, gets the wall-clock time in the time zone instead (written with Z). Before 1753 → policies.date_out_of_range.',
    (t) => ['date', 'datetime', 'string', 'any'].includes(t.kind),
    'date-time, date or text',
    { kind: 'datetime' },
  ),
  {
    name: 'to_string',
    summary: 'Write a number, boolean or date as text.',
    signature: 'scalar → text',
    apply: (input) =>
      isScalar(input.type)
        ? {
            typed: {
              type: { kind: 'string', maxLength: printedLength(input.type) },
              nullable: input.nullable,
            },
          }
        : mismatch('to_string', input, 'a single value'),
  },
  {
    name: 'coalesce',
    summary: 'The first non-empty value of several fields (from: [a, b]).',
    signature: 'several fields → the first non-empty one',
    apply: (input) => {
      if (input.type.kind !== 'tuple') return mismatch('coalesce', input, 'several fields (from: [a, b])');
      const kinds = new Set(input.type.items.map((t) => (t.kind === 'enum' ? 'string' : t.kind)));
      if (kinds.size !== 1) {
        return {
          error: `coalesce needs fields of one type, got ${input.type.items.map(typeName).join(', ')}`,
          hint: 'convert the fields to one type first, e.g. with to_string',
        };
      }
      const first = input.type.items[0]!;
      const lengths = input.type.items.map(printedLength);
      const type: ValueType =
        first.kind === 'string' || first.kind === 'enum'
          ? {
              kind: 'string',
              maxLength: lengths.includes(undefined) ? undefined : Math.max(...(lengths as number[])),
            }
          : first;
      return { typed: { type, nullable: input.nullable } };
    },
  },
  {
    name: 'join',
    summary: 'Join the non-empty values of a list or of several fields with `delimiter`.',
    signature: 'list or several fields → text',
    apply: (input, step) => {
      const items =
        input.type.kind === 'tuple'
          ? input.type.items
          : input.type.kind === 'list'
            ? [input.type.items]
            : undefined;
      if (!items?.every(isScalar))
        return mismatch('join', input, 'a list or several fields of single values');
      const delimiter = String(step.params.delimiter ?? '');
      const lengths = items.map(printedLength);
      const bounded = input.type.kind === 'tuple' && !lengths.includes(undefined);
      const total = bounded
        ? (lengths as number[]).reduce((a, b) => a + b, 0) + delimiter.length * (items.length - 1)
        : undefined;
      return { typed: { type: { kind: 'string', maxLength: total }, nullable: true } };
    },
  },
  {
    name: 'map',
    summary:
      "Map a value to a choice option through a value map; unmapped values → the map's default or unmapped policy.",
    signature: 'enum or text → choice',
    apply: (input, step, context) => {
      if (!['enum', 'string', 'boolean', 'integer', 'any'].includes(input.type.kind))
        return mismatch('map', input, 'enum, text, boolean or number');
      const map = valueMapStep(step, context, 'map');
      if ('typed' in map || 'error' in map) return map;
      if (map.kind !== 'choice') {
        return {
          error: `value map '${map.name}' is a state map`,
          hint: 'use it with `state:`; `map` takes choice maps',
        };
      }
      return { typed: { type: { kind: 'choice', map: map.name }, nullable: true } };
    },
  },
  {
    name: 'multi_map',
    summary:
      "Map each element of a list through a value map: into a multi-select choice (as: choices), or the map's entries joined by `delimiter` (as: text).",
    signature: 'list of enum or text → choices, or text',
    apply: (input, step, context) => {
      if (input.type.kind !== 'list' && input.type.kind !== 'any')
        return mismatch('multi_map', input, 'a list');
      const map = valueMapStep(step, context, 'map');
      if ('typed' in map || 'error' in map) return map;
      if (map.kind !== 'choice')
        return { error: `value map '${map.name}' is a state map`, hint: 'multi_map takes choice maps' };
      const as = step.params.as === 'text' ? 'text' : 'choices';
      return {
        typed: {
          type: as === 'text' ? { kind: 'string', maxLength: undefined } : { kind: 'choices', map: map.name },
          nullable: true,
        },
      };
    },
  },
  {
    name: 'default',
    summary:
      "Use the given value when the value is empty. With a number, the value is first read as the column reads numbers (a whole number, or a decimal at the column's precision, within its `min`/`max`), so one that is unreadable or out of range is dropped with a flag and replaced; a default the column would drop is an error (FS108).",
    signature: 'T → T (never empty)',
    apply: (input, step, context) => {
      const value = step.params.default;
      // .nan and .inf are no value the spec may hold: the schema says so (FS012), and nothing is added here.
      if (typeof value === 'number' && !Number.isFinite(value))
        return { typed: { type: input.type, nullable: false } };
      const kind = input.type.kind;
      const fits =
        kind === 'any' ||
        (typeof value === 'string' && (kind === 'string' || kind === 'enum' || kind === 'choice')) ||
        (typeof value === 'number' && (kind === 'integer' || kind === 'decimal')) ||
        (typeof value === 'boolean' && kind === 'boolean');
      if (!fits) {
        return {
          error: `default value ${JSON.stringify(value)} does not fit ${typeName(input.type)}`,
          hint: 'give a default of the same type as the value',
        };
      }
      // After a map the value is an option number: text put in its place reaches the column as text,
      // which it cannot read, so an empty value would be dropped with a flag instead of defaulted.
      if (typeof value === 'string' && kind === 'choice') {
        return {
          error: `default value ${JSON.stringify(value)} comes after the map, where the value is an option number, not text`,
          hint: `put the default before the map (transform: [{ default: ${JSON.stringify(value)} }, { map: ... }]), so that the map turns it into its option`,
        };
      }
      const refused = typeof value === 'number' ? numberRefused(value, context.column) : undefined;
      if (refused) {
        return {
          error: `default value ${value} does not fit column '${context.column!.name}': ${refused}`,
          hint: 'give a default the column takes (a whole number for a whole number column, within its min and max), or none',
        };
      }
      const type: ValueType =
        kind === 'string' || kind === 'enum'
          ? {
              kind: 'string',
              maxLength:
                input.type.kind === 'string' && input.type.maxLength === undefined
                  ? undefined
                  : Math.max(printedLength(input.type) ?? 0, String(value).length),
            }
          : input.type;
      return { typed: { type, nullable: false } };
    },
  },
  {
    name: 'truncate',
    summary:
      "Cut text to `length` (default: the column's maximum length) and flag the record when it was cut.",
    signature: 'text → text (at most length)',
    apply: (input, step, context) => {
      if (!textLike(input.type)) return mismatch('truncate', input, 'text');
      const length = typeof step.params.length === 'number' ? step.params.length : context.column?.maxLength;
      if (length === undefined)
        return {
          error: 'truncate needs a length: the column has no maximum length',
          hint: 'write { truncate: { length: N } }',
        };
      return {
        typed: {
          type: { kind: 'string', maxLength: min(length, printedLength(input.type)) ?? length },
          // At length 1, text starting with an emoji (a surrogate pair) keeps nothing: no value.
          nullable: input.nullable || length < 2,
        },
      };
    },
  },
  {
    name: 'split',
    summary:
      "Split text longer than the column's maximum length into numbered parts, one row each; the record is flagged.",
    signature: 'text → text parts',
    apply: (input, step, context) => {
      if (!textLike(input.type)) return mismatch('split', input, 'text');
      const length = typeof step.params.length === 'number' ? step.params.length : context.column?.maxLength;
      if (length === undefined)
        return {
          error: 'split needs a length: the column has no maximum length',
          hint: 'write { split: { length: N } }',
        };
      return { typed: { type: { kind: 'parts', maxLength: length }, nullable: input.nullable } };
    },
  },
];

export const SIGNATURES: ReadonlyMap<string, StepSignature> = new Map(CATALOG.map((s) => [s.name, s]));
