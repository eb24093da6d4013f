import { byText } from '../../runtime/shared/order.ts';
import type { FieldSpec, ObjectSpec, SourceField, ValueMapSpec } from '../model/spec.ts';
import { parseTemplate } from '../transforms/template.ts';
import { columnOf, type SpecContext, tableOf } from '../validate/context.ts';
import { baseName, dependencies, loadOrder, updatedBase } from '../validate/graph.ts';
import { buildPlan } from './plan.ts';
import { choiceValue, mapTarget } from './resolve.ts';
import { columnConversion, irSteps, wallClock } from './steps.ts';
import { buildTables } from './tables.ts';
import type {
  Ir,
  IrColumnType,
  IrCondition,
  IrField,
  IrKey,
  IrLookup,
  IrMapping,
  IrMigration,
  IrResource,
  IrSourceField,
  IrSourceType,
  IrTemplatePart,
  IrValueMap,
  IrValueSource,
} from './types.ts';

const path = (p: string): string[] => p.split('.');

function sourceType(field: SourceField): IrSourceType {
  switch (field.type) {
    case 'enum':
      return { kind: 'enum', values: field.values ?? [], open: field.open };
    case 'array':
      return { kind: 'array', items: field.items ? sourceType(field.items) : { kind: 'string' } };
    case 'object':
      return { kind: 'object', fields: sourceFields(field.fields ?? new Map()) };
    default:
      return { kind: field.type };
  }
}

function sourceFields(fields: ReadonlyMap<string, SourceField>): IrSourceField[] {
  return [...fields].map(([name, f]) => ({
    name,
    type: sourceType(f),
    nullable: f.nullable,
    phi: f.phi,
    description: f.description,
  }));
}

function migrationOf(ctx: SpecContext): IrMigration {
  const m = ctx.migration!;
  return {
    name: m.name ?? 'migration',
    region: m.region ?? 'eu',
    account: m.account,
    requestsPerSecond: m.requestsPerSecond,
    pageSize: m.pageSize,
    license: m.license ?? 'professional',
    prefix: m.prefix ?? '',
    optionValuePrefix: m.optionValuePrefix,
    solution: m.solution,
    timeZone: m.timeZone,
    batchSize: m.batchSize,
    sampleSize: m.sampleSize,
    tolerance: m.tolerance,
    checksums: m.checksums,
    fallbackOwner: m.fallbackOwner,
    staff: m.staff ? { resource: m.staff.resource, emailField: m.staff.email } : undefined,
    deletedRecords: m.policies.deletedRecords,
    archive: m.archive,
    maxUploadFileSize: ctx.target?.maxUploadFileSize ?? 5_242_880,
  };
}

/** Value maps resolved per use: `<map>` for state and text maps, `<map>@<table>.<column>` for choice maps. */
function valueMapsOf(ctx: SpecContext, mappings: readonly ObjectSpec[]): Map<string, IrValueMap> {
  const maps = new Map<string, IrValueMap>();
  const resolve = (spec: ValueMapSpec, id: string, table: string, column: string | undefined) => {
    if (maps.has(id)) return;
    maps.set(id, {
      name: id,
      kind: spec.kind,
      entries: spec.entries.map((e) => ({
        source: spec.caseSensitive ? e.source : e.source.toLowerCase(),
        target: mapTarget(ctx, table, column, e.target),
      })),
      default: spec.default === undefined ? undefined : mapTarget(ctx, table, column, spec.default),
      unmapped: spec.unmapped ?? ctx.migration!.policies.unmappedValue,
      caseSensitive: spec.caseSensitive,
    });
  };
  for (const o of mappings) {
    for (const f of o.fields) {
      for (const step of f.transform) {
        if (step.name !== 'map' && step.name !== 'multi_map') continue;
        const spec = ctx.valueMaps.get(String(step.params.map));
        if (!spec) continue;
        const text = step.name === 'multi_map' && step.params.as === 'text';
        resolve(
          spec,
          text ? `${spec.name}@text` : `${spec.name}@${o.target}.${f.to}`,
          o.target!,
          text ? undefined : f.to,
        );
      }
    }
    if (o.state) {
      const spec = ctx.valueMaps.get(o.state.map);
      if (spec) resolve(spec, `${spec.name}@${o.target}`, o.target!, undefined);
    }
  }
  return maps;
}

function valueSource(ctx: SpecContext, o: ObjectSpec, f: FieldSpec): IrValueSource {
  if (f.template !== undefined) {
    const parsed = parseTemplate(f.template);
    const parts: IrTemplatePart[] = parsed.ok
      ? parsed.parts.map((p) => (p.kind === 'text' ? p : { kind: 'field', path: path(p.path) }))
      : [];
    return { kind: 'template', parts };
  }
  if (f.value !== undefined) {
    const column = columnOf(ctx, o.target!, f.to)?.column;
    if (
      column &&
      (column.type === 'choice' || column.type === 'multi_choice') &&
      typeof f.value !== 'boolean'
    ) {
      return { kind: 'constant', value: choiceValue(ctx, o.target!, f.to, f.value) ?? f.value };
    }
    return { kind: 'constant', value: f.value };
  }
  if (f.fromIsList) return { kind: 'paths', paths: f.from.map(path) };
  return { kind: 'path', path: path(f.from[0] ?? '') };
}

function keyOf(o: ObjectSpec): IrKey {
  if (o.match)
    return {
      kind: 'match',
      column: o.match.column,
      source: path(o.match.source),
      activeOnly: o.match.activeOnly,
    };
  const key = o.key!;
  const sources = key.sources.map(path);
  return key.column
    ? { kind: 'alternate', column: key.column, prefix: key.prefix, sources }
    : { kind: 'derived', prefix: key.prefix, sources };
}

function conditions(o: ObjectSpec): IrCondition[] {
  const out: IrCondition[] = [];
  for (const c of o.where) {
    if (c.notMatchedBy) out.push({ kind: 'not_matched_by', mapping: c.notMatchedBy });
    if (c.field && c.in) out.push({ kind: 'in', path: path(c.field), values: c.in });
    if (c.field && c.notIn) out.push({ kind: 'not_in', path: path(c.field), values: c.notIn });
    if (c.field && c.present !== undefined)
      out.push({ kind: 'present', path: path(c.field), present: c.present });
  }
  return out;
}

/**
 * A spec file's path inside the spec directory (`objects/patient.yaml`): the IR does not depend on
 * where the spec was read from, so the code generated from it does not either.
 */
function specRelative(ctx: SpecContext, file: string): string {
  return file.startsWith(`${ctx.root}/`) ? file.slice(ctx.root.length + 1) : file;
}

function mappingOf(
  ctx: SpecContext,
  o: ObjectSpec,
  deferredFields: ReadonlySet<string>,
  order: readonly string[],
): IrMapping {
  const extensions = ctx.objects.filter((e) => e.extends === o.name);
  const table = tableOf(ctx, o.target!)!;
  const fieldSpecs = [
    ...o.fields.map((f, i) => ({ f, i, owner: o })),
    ...extensions.flatMap((e) => e.fields.map((f, i) => ({ f, i, owner: e }))),
  ];
  const mapIdFor = (column: string) => (map: string, as: 'choice' | 'text') =>
    as === 'text' ? `${map}@text` : `${map}@${o.target}.${column}`;
  const fields: IrField[] = [];
  const lookups: IrLookup[] = [];
  const roles: IrMapping['roles'][number][] = [];
  for (const { f, i, owner } of fieldSpecs) {
    const column = columnOf(ctx, o.target!, f.to)?.column;
    if (f.connectionRole !== undefined) {
      roles.push({
        column: f.to,
        role: f.connectionRole,
        nav: column?.targets.get('connectionrole') ?? f.to,
      });
    } else if (f.lookup) {
      lookups.push({
        column: f.to,
        candidates: f.lookup.objects.map((name, j) => {
          const target = ctx.objectsByName.get(baseName(ctx, name))!;
          const targetTable = tableOf(ctx, target.target!)!;
          return {
            path: path(f.from[j] ?? f.from[0]!),
            mapping: target.name,
            table: targetTable.name,
            entitySet: targetTable.entitySet,
            nav: column?.targets.get(targetTable.name) ?? f.to,
          };
        }),
        pick: f.lookup.pick
          ? { mode: f.lookup.pick, element: f.lookup.element, orderBy: f.lookup.orderBy }
          : f.lookup.element
            ? { mode: 'first', element: f.lookup.element, orderBy: undefined }
            : undefined,
        required: f.lookup.required,
        deferred: deferredFields.has(`${owner.name}#${i}`),
        file: owner.file,
      });
    } else {
      fields.push({
        column: f.to,
        type: (column?.type ?? 'string') as IrColumnType,
        source: valueSource(ctx, o, f),
        steps: irSteps(f, column, ctx.migration!, mapIdFor(f.to)),
        conversion: columnConversion(column),
        wallClock: wallClock(column),
        file: owner.file,
      });
    }
  }
  const splitField = fields.find((f) => f.steps.some((s) => s.kind === 'split'));
  const ownerColumn = table.columns.get('ownerid');
  const updated = updatedBase(ctx, o);
  const deps = dependencies(ctx).filter(
    (d) => d.from === o.name && !deferredFields.has(`${d.mapping}#${d.fieldIndex}`) && d.to !== o.name,
  );
  return {
    name: o.name,
    files: [o.file, ...extensions.map((e) => e.file)].map((f) => specRelative(ctx, f)),
    description: o.description,
    source: o.source!,
    target: o.target!,
    mode: o.mode,
    key: keyOf(o),
    updates: updated?.name,
    where: conditions(o),
    each: o.each
      ? { path: path(o.each.path), skipMostRecent: o.each.skip === 'most_recent', orderBy: o.each.orderBy }
      : undefined,
    group: o.group ? { by: path(o.group.by), pick: o.group.pick, orderBy: path(o.group.orderBy) } : undefined,
    fields,
    lookups,
    roles,
    owner: o.owner
      ? {
          kind: o.owner.staff ? 'staff' : 'email',
          path: path(o.owner.staff ?? o.owner.email ?? ''),
          nav: ownerColumn?.targets.get('systemuser') ?? 'ownerid',
        }
      : undefined,
    state: o.state ? { path: path(o.state.from), map: `${o.state.map}@${o.target}` } : undefined,
    document: o.document
      ? {
          path: path(o.document.file),
          maxBytes: o.document.maxBytes ?? ctx.target?.maxUploadFileSize ?? 5_242_880,
        }
      : undefined,
    archive: o.archive
      ? {
          name: (() => {
            const parsed = parseTemplate(o.archive.name);
            return parsed.ok
              ? parsed.parts.map((p) =>
                  p.kind === 'text' ? p : { kind: 'field' as const, path: path(p.path) },
                )
              : [];
          })(),
          columns: o.archive.columns.map(path),
          urlColumn: o.archive.urlColumn,
        }
      : undefined,
    split: splitField
      ? {
          column: splitField.column,
          titleColumn: fields.some((f) => f.column === table.primaryName) ? table.primaryName : undefined,
        }
      : undefined,
    dependsOn: [...new Set(deps.map((d) => d.to))].sort((a, b) => order.indexOf(a) - order.indexOf(b)),
  };
}

/** Top-level fields a mapping reads from its source records. */
function usedFields(m: IrMapping): string[] {
  const first = (p: readonly string[]) => (p[0] === 'item' ? undefined : p[0]);
  const used: (string | undefined)[] = ['id'];
  const fromSource = (s: IrValueSource) => {
    if (s.kind === 'path') used.push(first(s.path));
    if (s.kind === 'paths') for (const p of s.paths) used.push(first(p));
    if (s.kind === 'template')
      for (const part of s.parts) if (part.kind === 'field') used.push(first(part.path));
  };
  for (const f of m.fields) fromSource(f.source);
  for (const l of m.lookups) for (const c of l.candidates) used.push(first(c.path));
  if (m.key.kind === 'match') used.push(first(m.key.source));
  else for (const s of m.key.sources) used.push(first(s));
  for (const c of m.where) if (c.kind !== 'not_matched_by') used.push(first(c.path));
  if (m.each) used.push(first(m.each.path));
  if (m.group) used.push(first(m.group.by), first(m.group.orderBy));
  if (m.owner) used.push(first(m.owner.path));
  if (m.state) used.push(first(m.state.path));
  if (m.document) used.push(first(m.document.path));
  if (m.archive) {
    for (const c of m.archive.columns) used.push(first(c));
    for (const p of m.archive.name) if (p.kind === 'field') used.push(first(p.path));
  }
  return used.filter((u): u is string => u !== undefined);
}

function resourcesOf(ctx: SpecContext, mappings: readonly IrMapping[]): IrResource[] {
  const names = new Set(mappings.map((m) => m.source));
  if (ctx.migration?.staff) names.add(ctx.migration.staff.resource);
  return [...names].sort().flatMap((name) => {
    const resource = ctx.source?.resources.get(name);
    if (!resource) return [];
    const readers = mappings.filter((m) => m.source === name);
    const used = new Set(readers.flatMap(usedFields));
    if (ctx.migration?.staff?.resource === name) used.add(ctx.migration.staff.email);
    for (const tracking of ['updated_at', 'deleted_at'])
      if (resource.fields.has(tracking)) used.add(tracking);
    return [
      {
        name,
        fields: sourceFields(resource.fields),
        used: [...used].filter((u) => resource.fields.has(u)).sort(),
        phi: [...resource.fields]
          .filter(([, f]) => f.phi)
          .map(([n]) => n)
          .sort(),
        mappings: readers.map((m) => m.name),
      },
    ];
  });
}

/** Builds the IR of a spec that validated without errors. */
export function buildIr(ctx: SpecContext): Ir {
  const order = loadOrder(ctx);
  const deferredFields = new Set(order.deferred.map((d) => `${d.mapping}#${d.fieldIndex}`));
  const bases = order.order.map((name) => ctx.objectsByName.get(name)!);
  const mappings = bases.map((o) => mappingOf(ctx, o, deferredFields, order.order));
  const valueMaps = valueMapsOf(ctx, [...bases, ...ctx.objects.filter((o) => o.extends)]);
  const tables = buildTables(ctx, mappings);
  return {
    migration: migrationOf(ctx),
    resources: resourcesOf(ctx, mappings),
    tables,
    valueMaps: [...valueMaps.values()].sort((a, b) => byText(a.name, b.name)),
    mappings,
    deferred: mappings.flatMap((m) =>
      m.lookups
        .filter((l) => l.deferred)
        .map((l) => ({ mapping: m.name, column: l.column, references: l.candidates.map((c) => c.mapping) })),
    ),
    plan: buildPlan(ctx, mappings),
    policies: {
      invalidEmail: ctx.migration!.policies.invalidEmail,
      invalidPhone: ctx.migration!.policies.invalidPhone,
      dateOutOfRange: ctx.migration!.policies.dateOutOfRange,
      unmappedValue: ctx.migration!.policies.unmappedValue,
    },
    leftOut: (ctx.migration?.leftOut ?? []).flatMap((l) =>
      (l.fields ?? [undefined]).map((field) => ({ resource: l.resource, field, reason: l.reason })),
    ),
  };
}
