import { MONEY_LIMIT } from '../../runtime/transforms/numbers.ts';
import type { FieldSpec, MigrationSpec, StepSpec, TargetColumn } from '../model/spec.ts';
import type { DropPolicy, IrField, IrNumberStep, IrStep, PhonePolicy } from './types.ts';

const COUNTRY_BY_REGION: Record<string, string> = { eu: 'GB', us: 'US', au: 'AU' };

/** The value-map key of a `map`/`multi_map` step, resolved per target column (see valueMapId). */
export type MapIdFor = (map: string, as: 'choice' | 'text') => string;

/** A transform step with its parameters resolved against the migration's defaults and the column. */
export function irStep(
  step: StepSpec,
  column: TargetColumn | undefined,
  migration: MigrationSpec,
  mapId: MapIdFor,
): IrStep {
  const p = step.params;
  const policy = (given: unknown, fallback: DropPolicy): DropPolicy =>
    given === 'reject' || given === 'drop_with_flag' ? given : fallback;
  switch (step.name) {
    case 'email':
      return {
        kind: 'email',
        policy: policy(p.invalid, migration.policies.invalidEmail),
        maxLength: column?.maxLength,
      };
    case 'phone': {
      const given = p.invalid;
      const phonePolicy: PhonePolicy =
        given === 'reject' || given === 'drop_with_flag' || given === 'keep_with_flag'
          ? given
          : migration.policies.invalidPhone;
      const country =
        typeof p.default_country === 'string'
          ? p.default_country
          : (COUNTRY_BY_REGION[migration.region ?? 'eu'] ?? 'GB');
      return { kind: 'phone', country, policy: phonePolicy, maxLength: column?.maxLength };
    }
    // A number outside the column's declared MinValue/MaxValue is refused by Dataverse with the row:
    // the step drops it with a flag instead. Places beyond the column's precision Dataverse rounds away
    // itself (runtime/schema/verify.ts), and a value rounded twice can land on the wrong side: 1.0049
    // at 3 places is 1.005, which the column's 2 places make 1.01, not 1.00. The step rounds once, to
    // the places the column keeps.
    case 'decimal': {
      const places = typeof p.precision === 'number' ? p.precision : (column?.precision ?? 2);
      return {
        kind: 'decimal',
        precision: column?.precision === undefined ? places : Math.min(places, column.precision),
        min: column?.min,
        max: column?.max,
        ...moneyLimit(column),
      };
    }
    case 'integer':
      return { kind: 'integer', bits: bitsOf(column), min: column?.min, max: column?.max };
    case 'date_only':
      return {
        kind: 'date_only',
        timeZone: typeof p.time_zone === 'string' ? p.time_zone : migration.timeZone,
        policy: migration.policies.dateOutOfRange,
      };
    case 'datetime':
      return {
        kind: 'datetime',
        timeZone: typeof p.time_zone === 'string' ? p.time_zone : migration.timeZone,
        policy: migration.policies.dateOutOfRange,
        wallClock: wallClock(column),
      };
    case 'join':
      return { kind: 'join', delimiter: typeof p.delimiter === 'string' ? p.delimiter : ', ' };
    case 'map':
      return { kind: 'map', map: mapId(String(p.map), 'choice') };
    case 'multi_map': {
      const as = p.as === 'text' ? 'text' : 'choices';
      return {
        kind: 'multi_map',
        map: mapId(String(p.map), as === 'text' ? 'text' : 'choice'),
        as,
        delimiter: typeof p.delimiter === 'string' ? p.delimiter : '; ',
      };
    }
    case 'default': {
      const value = p.default as string | number | boolean;
      return typeof value === 'number'
        ? { kind: 'default', value, convert: numberConversion(column), converted: false }
        : { kind: 'default', value, convert: undefined };
    }
    case 'truncate':
      return {
        kind: 'truncate',
        length: typeof p.length === 'number' ? p.length : (column?.maxLength ?? 4000),
        flag: p.flag !== false,
      };
    case 'split':
      return {
        kind: 'split',
        length: typeof p.length === 'number' ? p.length : (column?.maxLength ?? 100_000),
        titleSuffix: typeof p.title_suffix === 'string' ? p.title_suffix : ' (part {n} of {total})',
      };
    case 'boolean':
    case 'trim':
    case 'lowercase':
    case 'uppercase':
    case 'titlecase':
    case 'collapse_whitespace':
    case 'strip_control':
    case 'null_if_empty':
    case 'to_string':
    case 'coalesce':
      return { kind: step.name };
    default:
      throw new Error(`unknown transform '${step.name}' reached the IR (validation should have stopped it)`);
  }
}

/**
 * Whether a column stores date-times as the wall clock: a Time zone independent column shows every user
 * the value as it was sent, with no conversion (learn.microsoft.com/power-apps/maker/data-platform/
 * behavior-format-date-time-field), so it takes the time in the clinic's zone, not in UTC.
 */
export function wallClock(column: TargetColumn | undefined): boolean {
  return column?.type === 'datetime' && column.behavior === 'time_zone_independent';
}

/** A Money column's own range, wider than a decimal's (runtime/transforms/numbers.ts MONEY_LIMIT). */
const moneyLimit = (column: TargetColumn | undefined): { limit?: number } =>
  column?.type === 'money' ? { limit: MONEY_LIMIT } : {};

/** A Big Integer column takes 64-bit whole numbers; every other column converts to 32-bit ones. */
const bitsOf = (column: TargetColumn | undefined): 32 | 64 => (column?.type === 'bigint' ? 64 : 32);

/**
 * How a number is converted for `column`: a whole number or decimal column's own step, with its
 * precision and range; an option number for a choice; else (text) a decimal at full precision.
 */
export function numberConversion(column: TargetColumn | undefined): IrNumberStep {
  switch (column?.type) {
    case 'integer':
    case 'bigint':
      return { kind: 'integer', bits: bitsOf(column), min: column.min, max: column.max };
    case 'decimal':
    case 'double':
    case 'money':
      return {
        kind: 'decimal',
        precision: column.precision ?? 2,
        min: column.min,
        max: column.max,
        ...moneyLimit(column),
      };
    case 'choice':
    case 'state':
    case 'status':
      return { kind: 'integer', bits: 32, min: undefined, max: undefined };
    default:
      return { kind: 'decimal', precision: 10, min: undefined, max: undefined };
  }
}

/** The steps of a field map, resolved. */
export function irSteps(
  field: FieldSpec,
  column: TargetColumn | undefined,
  migration: MigrationSpec,
  mapId: MapIdFor,
): IrStep[] {
  const steps: IrStep[] = [];
  for (const s of field.transform) {
    const step = irStep(s, column, migration, mapId);
    const before = steps.at(-1);
    steps.push(
      step.kind === 'default' && step.convert && before
        ? { ...step, converted: sameConversion(before, step.convert) }
        : step,
    );
  }
  return steps;
}

/** Whether `step` converts a value exactly as `conversion` does (then converting again changes nothing). */
function sameConversion(step: IrStep, conversion: IrNumberStep): boolean {
  const sameRange = (a: IrNumberStep) => a.min === conversion.min && a.max === conversion.max;
  if (step.kind === 'integer') return conversion.kind === 'integer' && sameRange(step);
  if (step.kind === 'decimal')
    return (
      conversion.kind === 'decimal' &&
      step.precision === conversion.precision &&
      step.limit === conversion.limit &&
      sameRange(step)
    );
  return false;
}

/** Steps that take any value as text, and would leave one with no text form (a list, an object) empty. */
const READ_AS_TEXT: ReadonlySet<IrStep['kind']> = new Set([
  'trim',
  'lowercase',
  'uppercase',
  'titlecase',
  'collapse_whitespace',
  'strip_control',
  'null_if_empty',
  'to_string',
  'truncate',
  'split',
]);

/**
 * Whether a field's value, read from one source path, is first read as text: by one of those steps,
 * or, with no step, by a text column. The generated transformer and the interpreter then read it
 * through `textOf`, which flags a value with no text form (unreadable_value_dropped) instead of
 * letting the steps drop it without a word.
 */
export function readsAsText(f: IrField): boolean {
  if (f.source.kind !== 'path') return false;
  const first = f.steps[0];
  return first ? READ_AS_TEXT.has(first.kind) : f.type === 'string' || f.type === 'memo';
}

/** The conversion a number column applies to a value its chain left unconverted; undefined for others. */
export function columnConversion(column: TargetColumn | undefined): IrNumberStep | undefined {
  switch (column?.type) {
    case 'integer':
    case 'bigint':
    case 'decimal':
    case 'double':
    case 'money':
      return numberConversion(column);
    default:
      return undefined;
  }
}
