import { assertNever } from '../assert.ts';
import type {
  IrCondition,
  IrKey,
  IrLookup,
  IrMapping,
  IrStep,
  IrStepKind,
  IrTemplatePart,
  IrValueSource,
} from '../ir/types.ts';
import type { LookupView, MapValue } from './types.ts';

/** A source path as the YAML writes it: `insurance.carrier`. */
export const dotted = (path: readonly string[]): string => path.join('.');

/** A scalar as YAML would show it; strings quoted so spaces and commas stay readable. */
export const scalar = (value: string | number | boolean): string =>
  typeof value === 'string' ? JSON.stringify(value) : String(value);

/** A value map's name without the per-use suffix the IR adds (`gender@contact.gendercode` → `gender`). */
export const mapName = (id: string): string => id.replace(/@.*$/, '');

/** Template text with `{path}` placeholders, literal braces doubled as the spec writes them. */
export function templateText(parts: readonly IrTemplatePart[]): string {
  return parts
    .map((p) => (p.kind === 'text' ? p.text.replace(/[{}]/g, (b) => b + b) : `{${dotted(p.path)}}`))
    .join('');
}

/** Where a field's value comes from, in the words of the YAML. */
export function sourceText(source: IrValueSource): string {
  switch (source.kind) {
    case 'path':
      return `from ${dotted(source.path)}`;
    case 'paths':
      return `from [${source.paths.map(dotted).join(', ')}]`;
    case 'template':
      return `template ${JSON.stringify(templateText(source.parts))}`;
    case 'constant':
      return `value ${scalar(source.value)}`;
    default:
      return assertNever(source);
  }
}

/** The column range a number step drops values outside of, after its other parameters. */
function rangeText(step: { readonly min: number | undefined; readonly max: number | undefined }): string {
  return `${step.min === undefined ? '' : `, min: ${step.min}`}${step.max === undefined ? '' : `, max: ${step.max}`}`;
}

/** A step's parameters beyond its name (shown when they changed). */
function stepParams(step: IrStep): string {
  switch (step.kind) {
    case 'email':
      return `invalid: ${step.policy}${step.maxLength === undefined ? '' : `, max_length: ${step.maxLength}`}`;
    case 'phone':
      return `default_country: ${step.country}, invalid: ${step.policy}${step.maxLength === undefined ? '' : `, max_length: ${step.maxLength}`}`;
    case 'decimal':
      return `precision: ${step.precision}${rangeText(step)}`;
    case 'integer':
      return rangeText(step).slice(2);
    case 'date_only':
      return `time_zone: ${step.timeZone}, out of range: ${step.policy}`;
    case 'datetime':
      return `time_zone: ${step.timeZone}, out of range: ${step.policy}${step.wallClock ? ', as wall-clock time' : ''}`;
    case 'join':
      return `delimiter: ${JSON.stringify(step.delimiter)}`;
    case 'multi_map':
      return `as: ${step.as}, delimiter: ${JSON.stringify(step.delimiter)}`;
    case 'truncate':
      return `length: ${step.length}${step.flag ? '' : ', flag: false'}`;
    case 'split':
      return `length: ${step.length}, title_suffix: ${JSON.stringify(step.titleSuffix)}`;
    case 'default':
      // The conversion a number default goes through follows the column: show what it became.
      if (!step.convert) return '';
      return step.convert.kind === 'integer'
        ? `${step.convert.bits === 64 ? 'big integer' : 'integer'}${rangeText(step.convert)}`
        : `decimal, precision: ${step.convert.precision}${rangeText(step.convert)}`;
    case 'map':
    case 'trim':
    case 'lowercase':
    case 'uppercase':
    case 'titlecase':
    case 'collapse_whitespace':
    case 'strip_control':
    case 'null_if_empty':
    case 'to_string':
    case 'coalesce':
    case 'boolean':
      return '';
    default:
      return assertNever(step);
  }
}

/** A step by its YAML name; a map's name and a default's value always, other parameters when `detailed`. */
export function stepText(step: IrStep, detailed: boolean): string {
  const head =
    step.kind === 'map' || step.kind === 'multi_map'
      ? `${step.kind}: ${mapName(step.map)}`
      : step.kind === 'default'
        ? `default: ${scalar(step.value)}`
        : step.kind;
  const params = detailed ? stepParams(step) : '';
  return params ? `${head} (${params})` : head;
}

/** A step compared across sides: the map id without the column it is resolved for. */
export const comparableStep = (step: IrStep): string =>
  JSON.stringify(
    step.kind === 'map' || step.kind === 'multi_map' ? { ...step, map: mapName(step.map) } : step,
  );

/**
 * Two chains as step names. A step kind whose parameters differ between the sides is shown with its
 * parameters on both, so `truncate` → `truncate` never hides a changed length.
 */
export function chainTexts(
  before: readonly IrStep[],
  after: readonly IrStep[],
): { before: string[]; after: string[] } {
  const of = (steps: readonly IrStep[], kind: IrStepKind) =>
    steps.filter((s) => s.kind === kind).map(comparableStep);
  const detailed = new Set<IrStepKind>();
  for (const s of before) {
    const a = of(before, s.kind);
    const b = of(after, s.kind);
    if (b.length > 0 && JSON.stringify(a) !== JSON.stringify(b)) detailed.add(s.kind);
  }
  return {
    before: before.map((s) => stepText(s, detailed.has(s.kind))),
    after: after.map((s) => stepText(s, detailed.has(s.kind))),
  };
}

/** A key as the YAML declares it. */
export function keyText(key: IrKey): string {
  switch (key.kind) {
    case 'alternate':
      return `column ${key.column}, prefix ${JSON.stringify(key.prefix)}, source ${key.sources.map(dotted).join(' + ')}`;
    case 'derived':
      return `derived id, prefix ${JSON.stringify(key.prefix)}, source ${key.sources.map(dotted).join(' + ')}`;
    case 'match':
      return `match ${key.column} = ${dotted(key.source)}${key.activeOnly ? ' (active rows only)' : ''}`;
    default:
      return assertNever(key);
  }
}

/** What differs between two keys: the parts a risk note names. */
export function keyParts(before: IrKey, after: IrKey): string[] {
  if (before.kind !== after.kind) return ['kind'];
  const parts: string[] = [];
  const column = (k: IrKey) => (k.kind === 'derived' ? undefined : k.column);
  const prefix = (k: IrKey) => (k.kind === 'match' ? undefined : k.prefix);
  const sources = (k: IrKey) => JSON.stringify(k.kind === 'match' ? [k.source] : k.sources);
  if (column(before) !== column(after)) parts.push('column');
  if (prefix(before) !== prefix(after)) parts.push('prefix');
  if (sources(before) !== sources(after)) parts.push('source');
  if (before.kind === 'match' && after.kind === 'match' && before.activeOnly !== after.activeOnly)
    parts.push('active rows only');
  return parts;
}

/** A lookup's settings as text. */
export function lookupView(lookup: IrLookup): LookupView {
  const pick = lookup.pick;
  return {
    candidates: lookup.candidates.map((c) => `${c.mapping} via ${dotted(c.path)}`),
    pick: pick
      ? [
          pick.mode,
          pick.element ? `element ${pick.element}` : '',
          pick.orderBy ? `order_by ${pick.orderBy}` : '',
        ]
          .filter(Boolean)
          .join(', ')
      : undefined,
    required: lookup.required,
    deferred: lookup.deferred,
  };
}

/** A where condition as text; values sorted because their order means nothing. */
export function conditionText(c: IrCondition): string {
  switch (c.kind) {
    case 'in':
    case 'not_in':
      return `${dotted(c.path)} ${c.kind === 'in' ? 'in' : 'not in'} [${[...c.values]
        .map(scalar)
        .sort()
        .join(', ')}]`;
    case 'present':
      return `${dotted(c.path)} ${c.present ? 'present' : 'absent'}`;
    case 'not_matched_by':
      return `not matched by ${c.mapping}`;
    default:
      return assertNever(c);
  }
}

/** Mapping-level settings as text, by name; absent settings are `undefined`. Order-free ones are sorted. */
export function mappingSettings(m: IrMapping): Record<string, string | undefined> {
  const where = m.where.map(conditionText).sort();
  return {
    'source resource': m.source,
    'target table': m.target,
    mode: m.mode,
    updates: m.updates,
    where: where.length ? where.join('; ') : undefined,
    each: m.each
      ? `${dotted(m.each.path)}${m.each.skipMostRecent ? ', skip most_recent' : ''}${m.each.orderBy ? `, order_by ${m.each.orderBy}` : ''}`
      : undefined,
    group: m.group
      ? `by ${dotted(m.group.by)}, pick ${m.group.pick}, order_by ${dotted(m.group.orderBy)}`
      : undefined,
    owner: m.owner ? `${m.owner.kind} ${dotted(m.owner.path)}` : undefined,
    'state rule': m.state ? `from ${dotted(m.state.path)}, map ${mapName(m.state.map)}` : undefined,
    document: m.document ? `file ${dotted(m.document.path)}, max ${m.document.maxBytes} bytes` : undefined,
    archive: m.archive
      ? `name ${JSON.stringify(templateText(m.archive.name))}, columns [${m.archive.columns.map(dotted).join(', ')}], url column ${m.archive.urlColumn}`
      : undefined,
    'connection roles': m.roles.length
      ? m.roles
          .map((r) => `${r.column}: ${r.role}`)
          .sort()
          .join('; ')
      : undefined,
  };
}

/** A value-map result as text: `Female (2)`, `Completed / Completed (1/3)`, `"text"`, `(empty)`. */
export function mapValueText(v: MapValue | undefined): string {
  if (v === undefined) return '(not in the map)';
  const { value, label } = v;
  if (value === null) return '(empty)';
  if (typeof value === 'string') return JSON.stringify(value);
  const number = typeof value === 'number' ? String(value) : `${value.state}/${value.status}`;
  return label === undefined ? number : `${label} (${number})`;
}
