import type { SourceField, TargetColumn, TargetColumnType, TargetTable } from '../../compiler/model/spec.ts';
import { byText } from '../shared/order.ts';
import { chainFor, customFor, mapEntries, type Step, withOther } from './chains.ts';
import { CUSTOM_COLUMNS, FIELD_COLUMNS } from './correspondences.ts';
import { compact, kebab, label, nameMatch, singular } from './names.ts';
import type { SeenField } from './targets.ts';

/** A drafted value map: its name and YAML data. */
export interface DraftedMap {
  readonly name: string;
  readonly entries: Readonly<Record<string, string>>;
  readonly default: string | undefined;
  readonly description: string;
}

/** One drafted field map. */
export interface DraftLine {
  readonly path: string;
  readonly column: string;
  /** The field map as YAML data (without its proposed/note block). */
  readonly line: Readonly<Record<string, unknown>>;
  readonly reason: string;
  readonly confidence: number;
  readonly map?: DraftedMap;
}

/** Where lines are drafted: one mapping's table, and what is already written or declared there. */
export interface MatchTarget {
  readonly resource: string;
  readonly tableName: string;
  readonly table: TargetTable;
  readonly mode: 'upsert' | 'update';
  readonly prefix: string;
  readonly country: string | undefined;
  /** Columns the mapping (with its extensions) writes, plus those drafted so far. */
  readonly written: Set<string>;
  /** Custom columns declared on the table (by any mapping, and drafted): name → declaration data. */
  readonly declared: Map<string, Record<string, unknown>>;
  /** Value map names in use (existing and drafted). */
  readonly maps: Set<string>;
  /** A value map some line already uses to write `table.column`. */
  readonly mapFor: (column: string) => string | undefined;
  /** The mapping that loads a resource's rows, and its table. */
  readonly loader: (resource: string) => { readonly name: string; readonly table: string } | undefined;
  readonly seen: (path: string) => SeenField | undefined;
}

const UNWRITABLE = new Set<TargetColumnType>([
  'state',
  'status',
  'owner',
  'uniqueidentifier',
  'image',
  'file',
]);
const REFERENCE = new Set<TargetColumnType>(['lookup', 'customer']);

/** A TargetColumn for a custom declaration given as YAML data. */
export function columnFromData(name: string, d: Record<string, unknown>): TargetColumn {
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const type = d.type as TargetColumnType;
  return {
    name,
    type,
    label: typeof d.label === 'string' ? d.label : undefined,
    maxLength: num(d.max_length),
    format: typeof d.format === 'string' ? d.format : undefined,
    required: 'none',
    readOnly: false,
    createOnly: false,
    precision: num(d.precision),
    min: num(d.min),
    max: num(d.max),
    behavior: type === 'date' ? 'date_only' : typeof d.behavior === 'string' ? d.behavior : undefined,
    targets: typeof d.target === 'string' ? new Map([[d.target, name]]) : new Map(),
    options: [],
  };
}

function writable(t: MatchTarget, c: TargetColumn): boolean {
  return (
    !t.written.has(c.name) && !c.readOnly && !(c.createOnly && t.mode === 'update') && !UNWRITABLE.has(c.type)
  );
}

function leafOf(path: string): string {
  return path.split('.').at(-1)!;
}

function sameDeclaration(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A lookup line for an id field that references a resource some mapping loads. */
function lookupLine(t: MatchTarget, path: string, field: SourceField): DraftLine | undefined {
  const loader = field.references ? t.loader(field.references) : undefined;
  if (!loader) return undefined;
  const leaf = leafOf(path);
  const standard = [...t.table.columns.values()]
    .filter((c) => REFERENCE.has(c.type) && writable(t, c) && c.targets.has(loader.table))
    .sort((a, b) => nameMatch(leaf, b.name).score - nameMatch(leaf, a.name).score || byText(a.name, b.name));
  const lookup = { object: loader.name };
  if (standard[0]) {
    return {
      path,
      column: standard[0].name,
      line: { to: standard[0].name, from: path, lookup },
      reason: `${t.resource}.${path} references ${field.references}, loaded by '${loader.name}' into ${loader.table}`,
      confidence: standard.length === 1 ? 0.75 : 0.6,
    };
  }
  if (!t.table.customColumnsAllowed) return undefined;
  const name = `${t.prefix}_${compact(leaf)}`;
  const custom = { type: 'lookup', target: loader.table, label: label(path.replace(/_id$/, '')) };
  if (t.table.columns.has(name) || t.written.has(name)) return undefined;
  const existing = t.declared.get(name);
  if (existing && !sameDeclaration(existing, custom)) return undefined;
  return {
    path,
    column: name,
    line: { to: name, from: path, lookup, custom: existing ?? custom },
    reason: `${t.resource}.${path} references ${field.references}, loaded by '${loader.name}': new custom lookup to ${loader.table}`,
    confidence: 0.6,
  };
}

function line(path: string, column: string, transform: Step[], extra: Record<string, unknown> = {}) {
  return { to: column, from: path, ...(transform.length > 0 ? { transform } : {}), ...extra };
}

/** What the audit saw of a field; a longest value from a partial sample says so. */
function seenFacts(seen: SeenField): string {
  const filled = `filled ${Math.round(seen.fill_rate * 100)} %`;
  if (seen.max_length === undefined) return filled;
  const partial = seen.partial
    ? ` in the sampled pages (${seen.sampled} of ${seen.total} records): sized with headroom for longer values, check the longest in the full data`
    : '';
  return `longest ${seen.max_length}${partial}, ${filled}`;
}

/** The custom column a field gets when nothing fits, with a value map when it is a choice. */
function customLine(t: MatchTarget, path: string, field: SourceField): DraftLine | undefined {
  if (!t.table.customColumnsAllowed) return undefined;
  const seen = t.seen(path);
  const leaf = leafOf(path);
  // An update mapping adds another record's values to rows it does not create (an insurance policy on
  // the patient's contact): its columns carry the record's name, as the shipped fs_insurancecarrier does.
  const qualified = t.mode === 'update';
  const declaration = customFor(field, qualified ? `${singular(t.resource)}_${leaf}` : path, seen);
  if (!declaration) return undefined;
  const plain = `${t.prefix}_${compact(leaf)}`;
  const long = `${t.prefix}_${compact(singular(t.resource) + leaf)}`;
  const names = qualified ? [long, plain] : [plain, long];
  const name = names.find((n) => {
    if (t.table.columns.has(n) || t.written.has(n)) return false;
    const existing = t.declared.get(n);
    return !existing || sameDeclaration(existing, declaration);
  });
  if (!name) return undefined;
  let map: DraftedMap | undefined;
  if (declaration.type === 'choice' || declaration.type === 'multi_choice') {
    const values =
      field.type === 'enum' ? withOther(field.values ?? [], field.open) : [...(field.items?.values ?? [])];
    const base = kebab(`${singular(t.resource)}-${leaf}`);
    const mapName = [base, `${base}-2`, `${base}-3`].find((n) => !t.maps.has(n));
    if (!mapName) return undefined;
    map = {
      name: mapName,
      entries: mapEntries(values),
      default: field.type === 'enum' && field.open ? 'other' : undefined,
      description: `Drafted by flitstack propose: PracticeHub ${t.resource}.${path} → ${t.tableName}.${name}. Review it with the line that uses it.`,
    };
  }
  const column = columnFromData(name, declaration);
  const transform = chainFor(field, column, { country: t.country, draftedMap: map?.name });
  if (!transform) return undefined;
  const facts = seen ? ` (audit: ${seenFacts(seen)})` : '';
  return {
    path,
    column: name,
    line: line(path, name, transform, { custom: declaration }),
    reason: `no column of ${t.tableName} fits ${t.resource}.${path}: new custom ${declaration.type} column${facts}`,
    confidence: 0.6,
    ...(map ? { map } : {}),
  };
}

/** The best line for one unmapped source field, or why there is none. */
export function matchField(t: MatchTarget, path: string, field: SourceField): DraftLine | { skip: string } {
  const leaf = leafOf(path);
  if (field.type === 'id' && field.references) {
    return (
      lookupLine(t, path, field) ?? {
        skip: `references ${field.references}, which no mapping loads into a table ${t.tableName} can point to`,
      }
    );
  }
  const ctxFor = (c: TargetColumn) => ({ country: t.country, existingMap: t.mapFor(c.name) });
  for (const corr of FIELD_COLUMNS) {
    if (!corr.fields.includes(leaf) || (corr.tables && !corr.tables.includes(t.tableName))) continue;
    const column = t.table.columns.get(corr.column);
    const transform = column && writable(t, column) ? chainFor(field, column, ctxFor(column)) : undefined;
    if (column && transform)
      return {
        path,
        column: column.name,
        line: line(path, column.name, transform),
        reason: `usual correspondence: PracticeHub ${t.resource}.${path} → ${t.tableName}.${column.name}`,
        confidence: 0.95,
      };
  }
  for (const c of CUSTOM_COLUMNS) {
    const name = `${t.prefix}_${c.name}`;
    if (!c.fields.includes(leaf) || t.written.has(name) || !t.table.customColumnsAllowed) continue;
    const declaration = t.declared.get(name) ?? { ...c.declaration };
    const transform = chainFor(field, columnFromData(name, declaration), { country: t.country });
    if (transform)
      return {
        path,
        column: name,
        line: line(path, name, transform, { custom: declaration }),
        reason: `the spec keeps ${leaf} in ${name} on every table (Dataverse cannot import modifiedon)`,
        confidence: 0.85,
      };
  }
  const columns = [
    ...[...t.table.columns.values()],
    ...[...t.declared.entries()]
      .filter(([n]) => !t.table.columns.has(n))
      .map(([n, d]) => columnFromData(n, d)),
  ].filter((c) => writable(t, c) && !REFERENCE.has(c.type));
  const ranked = columns
    .map((c) => ({ c, m: nameMatch(leaf, c.name, t.prefix) }))
    .filter(({ m }) => m.score >= 0.8)
    .sort((a, b) => b.m.score - a.m.score || byText(a.c.name, b.c.name));
  for (const { c, m } of ranked) {
    const transform = chainFor(field, c, ctxFor(c));
    if (!transform) continue;
    const custom = t.declared.get(c.name);
    const confidence =
      m.kind === 'same' ? 0.9 : m.kind === 'synonym' ? 0.85 : Math.round((0.5 + (m.score - 0.8)) * 100) / 100;
    return {
      path,
      column: c.name,
      line: line(path, c.name, transform, custom && !t.table.columns.has(c.name) ? { custom } : {}),
      reason: `${m.kind === 'similar' ? 'similar' : m.kind === 'same' ? 'same' : 'synonymous'} name and a compatible type: ${t.resource}.${path} (${field.type}) → ${t.tableName}.${c.name} (${c.type})`,
      confidence,
    };
  }
  return (
    customLine(t, path, field) ?? {
      skip: `no column of ${t.tableName} takes a ${field.type}, and no custom column can be added`,
    }
  );
}
