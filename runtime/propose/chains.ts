import type { CustomColumnSpec, SourceField, TargetColumn } from '../../compiler/model/spec.ts';
import { label as labelOf, optionKey } from './names.ts';
import type { SeenField } from './targets.ts';

/** A transform step as written in YAML: a name, or `{ name: params }`. */
export type Step = string | Record<string, unknown>;

/** Default phone country by the migration's time zone (a number without a country code is read in it). */
export function phoneCountry(timeZone: string): string | undefined {
  if (timeZone === 'Europe/London') return 'GB';
  if (timeZone === 'Europe/Dublin') return 'IE';
  if (timeZone === 'Pacific/Auckland') return 'NZ';
  if (timeZone.startsWith('Australia/')) return 'AU';
  if (/^America\/(Toronto|Vancouver|Edmonton|Winnipeg|Halifax|Regina|St_Johns)$/.test(timeZone)) return 'CA';
  if (timeZone.startsWith('America/')) return 'US';
  return undefined;
}

/** What a chain needs to know besides the field and the column. */
export interface ChainContext {
  readonly country: string | undefined;
  /** A value map already used to write this column (standard choice columns), if any. */
  readonly existingMap?: string | undefined;
  /** The value map drafted for a custom choice column. */
  readonly draftedMap?: string | undefined;
}

/**
 * The transform chain that carries a source field into a column, or undefined when the types do not
 * meet. Chains follow the shipped spec's habits: text is stripped of control characters, trimmed and
 * truncated to the column, emails and phones are normalised, dates go through date_only/datetime (time
 * zone and the 1753 floor).
 */
export function chainFor(field: SourceField, column: TargetColumn, ctx: ChainContext): Step[] | undefined {
  const t = field.type;
  switch (column.type) {
    case 'string':
    case 'memo': {
      if (t === 'enum') return ['truncate'];
      if (t === 'array' && field.items && field.items.type !== 'object' && field.items.type !== 'array')
        return [{ join: { delimiter: '; ' } }, 'truncate'];
      if (t !== 'string' && t !== 'text' && t !== 'id') return undefined;
      if (column.format === 'email') return ['trim', 'lowercase', 'email'];
      if (column.format === 'phone')
        return [ctx.country ? { phone: { default_country: ctx.country } } : 'phone'];
      if (t === 'id')
        return (column.maxLength ?? Number.POSITIVE_INFINITY) >= (field.maxLength ?? 20) ? [] : ['truncate'];
      // strip_control first: Dataverse refuses text holding a control character (NUL, a vertical tab
      // pasted from Word) or an unpaired surrogate, and a record it refuses takes its dependents with it.
      return t === 'text' ? ['strip_control', 'truncate'] : ['strip_control', 'trim', 'truncate'];
    }
    case 'integer':
    case 'bigint':
      return t === 'integer' ? [] : undefined;
    case 'decimal':
    case 'double':
    case 'money':
      if (t === 'integer') return [];
      return t === 'decimal' ? [{ decimal: { precision: column.precision ?? 2 } }] : undefined;
    case 'boolean':
      return t === 'boolean' ? ['boolean'] : undefined;
    case 'date':
      return t === 'date' || t === 'datetime' ? ['date_only'] : undefined;
    case 'datetime':
      return t === 'date' || t === 'datetime' ? ['datetime'] : undefined;
    case 'choice': {
      const map = ctx.existingMap ?? ctx.draftedMap;
      return t === 'enum' && map ? [{ map }] : undefined;
    }
    case 'multi_choice':
      return t === 'array' && field.items?.type === 'enum' && ctx.draftedMap
        ? [{ multi_map: { map: ctx.draftedMap, as: 'choices' } }]
        : undefined;
    default:
      return undefined;
  }
}

const STRING_LENGTHS = [50, 100, 200, 500, 1000, 2000, 4000];
const MEMO_LENGTHS = [2000, 4000, 10_000, 100_000, 1_048_576];

/** A length with headroom over the longest value seen: the next step up from 1.5 × longest. */
export function roomyLength(longest: number, steps: readonly number[]): number | undefined {
  const want = Math.max(longest + 10, Math.ceil(longest * 1.5));
  return steps.find((s) => s >= want);
}

/** Options of a choice column for enumeration values: key → label, or undefined when a value has no key. */
export function choiceOptions(values: readonly string[]): Record<string, string> | undefined {
  const options: Record<string, string> = {};
  for (const value of values) {
    const key = optionKey(value);
    if (!key || key in options) return undefined;
    options[key] = labelOf(value.replace(/[-_]+/g, ' ')) || key;
  }
  return Object.keys(options).length > 0 ? options : undefined;
}

/** Value map entries (source value → option key) for the options of `choiceOptions`. */
export function mapEntries(values: readonly string[]): Record<string, string> {
  return Object.fromEntries(values.map((v) => [v, optionKey(v)!]));
}

/**
 * The custom column declaration (as YAML data) a field needs when no column fits, sized from the
 * audit when it saw the field. Undefined for types a column cannot hold (objects, lists of objects).
 */
export function customFor(
  field: SourceField,
  path: string,
  seen: SeenField | undefined,
): Record<string, unknown> | undefined {
  const label = labelOf(path);
  // A sample of the first pages may miss the longest values: twice the longest it saw (before the usual
  // headroom), and never less than the model declares.
  const partial = seen?.partial === true;
  const sampled = seen?.max_length !== undefined ? seen.max_length * (partial ? 2 : 1) : undefined;
  const lengths = [sampled, field.maxLength].filter((n): n is number => n !== undefined);
  const longest = lengths.length > 0 ? Math.max(...lengths) : undefined;
  switch (field.type) {
    case 'id':
    case 'string': {
      const length = roomyLength(longest ?? 60, STRING_LENGTHS);
      if (length !== undefined) return { type: 'string', max_length: length, label };
      return { type: 'memo', max_length: roomyLength(longest ?? 0, MEMO_LENGTHS) ?? 1_048_576, label };
    }
    case 'text':
      return { type: 'memo', max_length: roomyLength(longest ?? 2000, MEMO_LENGTHS) ?? 1_048_576, label };
    case 'integer':
      return { type: 'integer', label };
    case 'decimal':
      return { type: 'decimal', precision: 2, label };
    case 'boolean':
      return { type: 'boolean', label, true_label: 'Yes', false_label: 'No' };
    case 'date':
      return { type: 'date', label };
    case 'datetime':
      return { type: 'datetime', label, behavior: 'user_local' };
    case 'enum': {
      const options = choiceOptions(withOther(field.values ?? [], field.open));
      return options ? { type: 'choice', label, options } : undefined;
    }
    case 'array': {
      const items = field.items;
      if (items?.type === 'enum') {
        const options = choiceOptions(items.values ?? []);
        return options ? { type: 'multi_choice', label, options } : undefined;
      }
      if (items && items.type !== 'object' && items.type !== 'array')
        return { type: 'memo', max_length: 4000, label };
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Enumeration values plus `other` for open enumerations (values outside the list land there, flagged). */
export function withOther(values: readonly string[], open: boolean): string[] {
  return open && !values.includes('other') ? [...values, 'other'] : [...values];
}

/** A custom declaration read from the spec, back as YAML data (to repeat it identically). */
export function declarationData(spec: CustomColumnSpec): Record<string, unknown> {
  const options =
    spec.options.length > 0
      ? Object.fromEntries(
          spec.options.map((o) => [
            o.key,
            o.value !== undefined ? { label: o.label, value: o.value } : o.label,
          ]),
        )
      : undefined;
  const data: Record<string, unknown> = {
    type: spec.type,
    max_length: spec.maxLength,
    label: spec.label,
    description: spec.description,
    required: spec.required !== 'none' ? spec.required : undefined,
    format: spec.format,
    precision: spec.precision,
    min: spec.min,
    max: spec.max,
    behavior: spec.behavior,
    true_label: spec.trueLabel,
    false_label: spec.falseLabel,
    options,
    target: spec.target,
    schema_name: spec.schemaName,
  };
  return Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined));
}
