import type { SourceField, SourceFieldType } from '../../compiler/model/spec.ts';
import { byText } from '../shared/order.ts';
import { phiByName } from './phi.ts';
import { type FieldProfile, newField } from './profile.ts';

/** A type as the audit infers it: a source model type, or null (only nulls seen), or mixed. */
export type InferredType = SourceFieldType | 'null' | 'mixed';

/**
 * One field as the audit reports it (audit.json). PHI fields never carry values; a field inside a PHI
 * field (an object's field, an array's elements) is PHI too.
 */
export interface FieldSummary {
  readonly name: string;
  /** Dotted path; array elements as `name[]`, e.g. `clinic_assignments[].clinic_id`. */
  readonly path: string;
  readonly type: InferredType;
  /** Kinds of the values seen, with counts (tells what a mixed field holds). */
  readonly kinds: Readonly<Record<string, number>>;
  readonly present: number;
  readonly filled: number;
  /** Filled values per record (or per parent object / element), 0 to 1. */
  readonly fill_rate: number;
  /** Longest text value in the sampled pages only: the full data may hold longer ones. */
  readonly max_length?: number;
  /** Distinct values, when few and the field is not PHI. */
  readonly values?: readonly string[];
  readonly distinct?: number;
  readonly phi: boolean;
  /**
   * model: flagged by the source model; name: flagged by the name heuristic (fields the model lacks);
   * either of them for the field itself or for the field holding it.
   */
  readonly phi_source?: 'model' | 'name';
  readonly phi_reason?: string;
  readonly in_model: boolean;
  readonly model_type?: SourceFieldType;
  readonly model_values?: readonly string[];
  readonly model_open?: boolean;
  /** Enumerations: seen values the model does not list (their count always; the values unless PHI). */
  readonly unlisted?: number;
  readonly unlisted_values?: readonly string[];
  readonly items?: FieldSummary;
  /** Arrays: elements per filled value, on average. */
  readonly mean_items?: number;
  readonly fields?: readonly FieldSummary[];
}

const ID_NAME = /(^|_)id$/;
const ENUM_VALUE = /^[\p{L}\p{N}_ ./&+-]{1,40}$/u;
/** At most this many distinct values (each seen repeatedly) make a text field an enumeration. */
const ENUM_MAX = 12;
/** Fewer filled values than this cannot tell an enumeration from free text. */
const ENUM_MIN_FILLED = 20;

function looksLikeEnum(p: FieldProfile): boolean {
  const d = p.distinct;
  if (!d || d.size === 0 || d.size > ENUM_MAX || p.filled < ENUM_MIN_FILLED) return false;
  if (d.size * 4 > p.filled) return false;
  return [...d.keys()].every((v) => ENUM_VALUE.test(v));
}

/** The one type a field's values fit, from the kinds seen. */
export function resolveType(p: FieldProfile): InferredType {
  const kinds = [...p.kinds.keys()];
  if (kinds.length === 0) return 'null';
  const only = (...allowed: string[]) => kinds.every((k) => allowed.includes(k));
  if (only('boolean')) return 'boolean';
  if (only('integer')) return ID_NAME.test(p.name) ? 'id' : 'integer';
  if (only('integer', 'decimal')) return 'decimal';
  if (only('date')) return 'date';
  if (only('datetime')) return 'datetime';
  if (only('array')) return 'array';
  if (only('object')) return 'object';
  if (only('digits')) return ID_NAME.test(p.name) ? 'id' : 'string';
  if (only('digits', 'string', 'text', 'date', 'datetime')) {
    if (p.kinds.has('text')) return 'text';
    return looksLikeEnum(p) ? 'enum' : 'string';
  }
  return 'mixed';
}

/** Why a field is PHI: the model's flag or the name heuristic, on the field or on the field holding it. */
export interface PhiFlag {
  readonly source: 'model' | 'name';
  readonly reason?: string;
}

/** Whether values of type `seen` fit a model field of type `model` (a looser reading is no change). */
export function compatible(model: SourceFieldType, seen: InferredType): boolean {
  if (seen === 'null') return true;
  switch (model) {
    case 'id':
      return seen === 'id' || seen === 'integer';
    case 'string':
    case 'text':
      return ['string', 'text', 'enum', 'id', 'date', 'datetime'].includes(seen);
    case 'enum':
      return seen === 'enum' || seen === 'string' || seen === 'id';
    case 'integer':
      return seen === 'integer' || seen === 'id';
    case 'decimal':
      return seen === 'decimal' || seen === 'integer';
    default:
      return seen === model;
  }
}

function round(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}

/**
 * Summarises a field profile against its model field. `of` is the number of records (or parent
 * objects, or elements) the field could have appeared in; `within` is the PHI flag of the field
 * holding it, which its own fields and elements take whatever their own flags or names say.
 */
export function summarise(
  p: FieldProfile,
  model: SourceField | undefined,
  of: number,
  path: string,
  within?: PhiFlag,
): FieldSummary {
  const type = resolveType(p);
  const nameReason = model ? undefined : phiByName(p.name);
  const own: PhiFlag | undefined = model
    ? model.phi
      ? { source: 'model' }
      : undefined
    : nameReason
      ? { source: 'name', reason: nameReason }
      : undefined;
  const flag = own ?? within;
  const phi = flag !== undefined;
  const distinct = p.distinct ? [...p.distinct.keys()].sort() : undefined;
  const showValues =
    !phi && distinct !== undefined && (type === 'enum' || model?.type === 'enum') && distinct.length > 0;
  const unlisted =
    model?.type === 'enum' && distinct ? distinct.filter((v) => !model.values?.includes(v)) : [];
  const objects = p.kinds.get('object') ?? 0;
  const arrays = p.kinds.get('array') ?? 0;
  const fields =
    p.fields.size > 0 || model?.fields
      ? childSummaries(p.fields, model?.fields, objects, `${path}.`, flag)
      : undefined;
  const items =
    p.items || model?.items
      ? summarise(p.items ?? newField('items'), model?.items, p.elements, `${path}[]`, flag)
      : undefined;
  return {
    name: p.name,
    path,
    type,
    kinds: Object.fromEntries([...p.kinds.entries()].sort(([a], [b]) => byText(a, b))),
    present: p.present,
    filled: p.filled,
    fill_rate: of > 0 ? round(p.filled / of) : 0,
    ...(p.maxLength > 0 ? { max_length: p.maxLength } : {}),
    ...(showValues ? { values: distinct } : {}),
    ...(distinct !== undefined && distinct.length > 0 ? { distinct: distinct.length } : {}),
    phi,
    ...(flag ? { phi_source: flag.source } : {}),
    ...(flag?.reason ? { phi_reason: flag.reason } : {}),
    in_model: model !== undefined,
    ...(model ? { model_type: model.type } : {}),
    ...(model?.values ? { model_values: model.values } : {}),
    ...(model?.open ? { model_open: true } : {}),
    ...(unlisted.length > 0 ? { unlisted: unlisted.length } : {}),
    ...(unlisted.length > 0 && !phi ? { unlisted_values: unlisted } : {}),
    ...(items ? { items } : {}),
    ...(arrays > 0 && p.filled > 0 ? { mean_items: round(p.elements / p.filled) } : {}),
    ...(fields ? { fields } : {}),
  };
}

/**
 * Summaries of the fields seen and of the model fields never seen (those come out with present 0, so
 * the diff can tell them), in model order then in order of appearance; `within` as for summarise.
 */
export function childSummaries(
  seen: ReadonlyMap<string, FieldProfile>,
  model: ReadonlyMap<string, SourceField> | undefined,
  of: number,
  prefix: string,
  within?: PhiFlag,
): FieldSummary[] {
  const names = [...(model?.keys() ?? []), ...[...seen.keys()].filter((n) => !model?.has(n))];
  return names.map((name) =>
    summarise(seen.get(name) ?? newField(name), model?.get(name), of, `${prefix}${name}`, within),
  );
}
