import type { ObjectSpec, SourceField } from '../../compiler/model/spec.ts';
import type { SpecContext } from '../../compiler/validate/context.ts';
import { isUsed } from '../../compiler/validate/paths.ts';
import type { AuditReport, FieldSummary } from '../audit/index.ts';
import { byText } from '../shared/order.ts';
import { declarationData } from './chains.ts';

/** Everything the drafting steps share: the spec, the audit, and names taken so far. */
export interface DraftContext {
  readonly ctx: SpecContext;
  readonly prefix: string;
  readonly country: string | undefined;
  readonly audit: AuditReport | undefined;
  /** Value map names in use, drafted ones included. */
  readonly maps: Set<string>;
  /** Custom declarations by table: column → YAML data (existing first, then drafted). */
  readonly declared: Map<string, Map<string, Record<string, unknown>>>;
  /** The mapping (and its table) drafted for each resource no mapping reads yet, by resource. */
  readonly planned?: ReadonlyMap<string, { readonly name: string; readonly table: string }>;
}

/** Custom declarations of a table as YAML data, the first declaration of each column. */
export function declaredOn(d: DraftContext, table: string): Map<string, Record<string, unknown>> {
  let map = d.declared.get(table);
  if (!map) {
    map = new Map();
    for (const decl of d.ctx.customDeclarations)
      if (decl.table === table && !map.has(decl.column)) map.set(decl.column, declarationData(decl.spec));
    d.declared.set(table, map);
  }
  return map;
}

/** The mapping whose rows stand for a resource's records: upsert, not per element or group, first by name. */
export function loaderOf(ctx: SpecContext, resource: string): ObjectSpec | undefined {
  return ctx.objects
    .filter(
      (o) => o.source === resource && o.target && !o.extends && o.mode === 'upsert' && !o.each && !o.group,
    )
    .sort((a, b) => byText(a.name, b.name))[0];
}

/** The mapping new lines for a resource go to: its loader, else any base mapping of it. */
export function primaryOf(ctx: SpecContext, resource: string): ObjectSpec | undefined {
  return (
    loaderOf(ctx, resource) ??
    ctx.objects
      .filter((o) => o.source === resource && o.target && !o.extends)
      .sort((a, b) => byText(a.name, b.name))[0]
  );
}

/**
 * The mappings that write the same rows as `base`: its extensions, and mappings of the same table
 * keyed the same way (an update mapping keyed like the rows it updates).
 */
export function familyOf(ctx: SpecContext, base: ObjectSpec): ObjectSpec[] {
  const key = (o: ObjectSpec) => (o.key?.column ? `${o.key.column}:${o.key.prefix}` : undefined);
  const mine = key(base);
  return ctx.objects.filter(
    (o) =>
      o === base ||
      o.extends === base.name ||
      (o.target === base.target && mine !== undefined && key(o) === mine),
  );
}

/** Columns the family writes. */
export function writtenBy(family: readonly ObjectSpec[]): Set<string> {
  const out = new Set<string>();
  for (const o of family) {
    for (const f of o.fields) out.add(f.to);
    if (o.key?.column) out.add(o.key.column);
    if (o.archive) out.add(o.archive.urlColumn);
  }
  return out;
}

/** Unmapped fields of a resource, in model order; object fields are replaced by their unmapped children. */
export function unmappedFields(
  fields: ReadonlyMap<string, SourceField>,
  used: readonly string[],
  skip: ReadonlySet<string>,
  prefix = '',
): { path: string; field: SourceField }[] {
  return [...fields].flatMap(([name, field]) => {
    const path = `${prefix}${name}`;
    if (!prefix && skip.has(name)) return [];
    if (field.type === 'object' && field.fields) {
      if (used.includes(path)) return [];
      return unmappedFields(field.fields, used, skip, `${path}.`);
    }
    return isUsed(path, used) ? [] : [{ path, field }];
  });
}

/** A field as the audit saw it, with how much of its resource the audit's sampled pages held. */
export interface SeenField extends FieldSummary {
  readonly sampled: number;
  readonly total: number;
  /** The sampled pages held fewer records than the resource: the longest value may be longer. */
  readonly partial: boolean;
}

/** The audit's summary of a field, by path. */
export function seenField(
  audit: AuditReport | undefined,
  resource: string,
  path: string,
): SeenField | undefined {
  const walk = (list: readonly FieldSummary[] | undefined): FieldSummary | undefined => {
    for (const f of list ?? []) {
      if (f.path === path) return f;
      const inner = walk(f.fields);
      if (inner) return inner;
    }
    return undefined;
  };
  const audited = audit?.resources.find((r) => r.resource === resource);
  const found = walk(audited?.fields);
  return found && audited
    ? { ...found, sampled: audited.sampled, total: audited.total, partial: audited.sampled < audited.total }
    : undefined;
}

/** A value map some line already uses to write `table.column` (reused for standard choice columns). */
export function mapWriting(ctx: SpecContext, table: string, column: string): string | undefined {
  for (const o of ctx.objects) {
    if (o.target !== table) continue;
    for (const f of o.fields) {
      if (f.to !== column) continue;
      const step = f.transform.find((s) => s.name === 'map');
      if (step && typeof step.params.map === 'string') return step.params.map;
    }
  }
  return undefined;
}
