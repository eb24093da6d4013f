import type { CustomTableSpec, SourceField, SourceResource } from '../../compiler/model/spec.ts';
import { tableOf } from '../../compiler/validate/context.ts';
import { isUsed, leftOutOf } from '../../compiler/validate/paths.ts';
import { NEVER_MAPPED, RESOURCE_TABLES } from './correspondences.ts';
import { draftInto, matchTarget, type Skipped } from './drafts.ts';
import type { DraftLine, MatchTarget } from './match.ts';
import { compact, kebab, label, singular } from './names.ts';
import { type DraftContext, declaredOn, unmappedFields } from './targets.ts';

/** A new mapping file drafted for a resource no mapping reads. */
export interface ObjectDraft {
  readonly mapping: string;
  readonly file: string;
  readonly resource: string;
  readonly table: string;
  readonly reason: string;
  readonly confidence: number;
  /** The file's top-level entries before `fields` (YAML data), in order. */
  readonly head: Readonly<Record<string, unknown>>;
  readonly lines: DraftLine[];
  /** Entries after `fields` (owner, document). */
  readonly tail: Readonly<Record<string, unknown>>;
}

/** Resources whose records are files other mappings attach (their bodies travel with those mappings). */
function attachedResources(d: DraftContext): Set<string> {
  const out = new Set<string>();
  for (const o of d.ctx.objects) {
    const field =
      o.document && o.source ? d.ctx.source?.resources.get(o.source)?.fields.get(o.document.file) : undefined;
    if (field?.references) out.add(field.references);
  }
  return out;
}

/**
 * Fields no column takes, written into the note text as `Label: {field}` lines, as the shipped
 * prescription and policy-document mappings do, when the table has a free note text column.
 */
function noteTemplate(
  t: MatchTarget,
  candidates: readonly { path: string; field: SourceField }[],
  unplaced: readonly Skipped[],
): DraftLine | undefined {
  const column = t.table.columns.get('notetext');
  if (!column || column.readOnly || t.written.has('notetext')) return undefined;
  const scalar = new Set([
    'string',
    'text',
    'integer',
    'decimal',
    'boolean',
    'date',
    'datetime',
    'enum',
    'id',
  ]);
  const paths = unplaced
    .map((u) => candidates.find((c) => c.path === u.path))
    .filter(
      (c): c is { path: string; field: SourceField } =>
        c !== undefined && scalar.has(c.field.type) && !c.path.includes('.'),
    )
    .map((c) => c.path);
  if (paths.length === 0) return undefined;
  t.written.add('notetext');
  return {
    path: paths[0]!,
    column: 'notetext',
    line: {
      to: 'notetext',
      template: paths.map((p) => `${label(p)}: {${p}}`).join('\n'),
      transform: ['strip_control', 'truncate'],
    },
    reason: `no column of ${t.tableName} takes ${paths.join(', ')}: they are written into the note text`,
    confidence: 0.6,
  };
}

const NAME_FIELDS = ['name', 'title', 'subject', 'course_name', 'medication_name', 'label', 'code'];

/** The mapping name and table a new mapping file of a resource takes, chosen before any line is drafted. */
export interface ObjectPlan {
  readonly resource: string;
  readonly mapping: string;
  readonly table: string;
  /** The usual standard table (the table), or undefined for a new custom table. */
  readonly standard: string | undefined;
}

/**
 * The resources of the model that no mapping reads and that get a new mapping file, with its name and
 * table: planned before the lines of any mapping are drafted, so a lookup to such a resource is drafted
 * in the same call as its mapping.
 */
export function planObjects(
  d: DraftContext,
  only: ReadonlySet<string> | undefined,
  skipped: Skipped[],
  taken: Set<string>,
): ObjectPlan[] {
  const read = new Set(d.ctx.objects.map((o) => o.source));
  const attached = attachedResources(d);
  const out: ObjectPlan[] = [];
  for (const [name] of d.ctx.source?.resources ?? []) {
    if (read.has(name) || (only && !only.has(name))) continue;
    if (leftOutOf(d.ctx, name).whole) {
      skipped.push({ resource: name, reason: 'left out on purpose (left_out in migration.yaml)' });
      continue;
    }
    if (attached.has(name)) {
      skipped.push({
        resource: name,
        reason: 'its files travel with the mappings that attach them (document:)',
      });
      continue;
    }
    const base = kebab(singular(name));
    const mapping = [base, `${base}-2`, `${base}-3`].find(
      (m) => !taken.has(m) && !d.ctx.objectsByName.has(m),
    );
    if (!mapping) continue;
    taken.add(mapping);
    const usual = RESOURCE_TABLES[name];
    const standard = usual && d.ctx.target?.tables.has(usual) ? usual : undefined;
    const table = standard ?? `${d.prefix}_${compact(singular(name))}`;
    if (!standard && (d.ctx.target?.tables.has(table) || d.ctx.customTables.has(table))) {
      skipped.push({ resource: name, reason: `no usual table, and ${table} is taken` });
      continue;
    }
    out.push({ resource: name, mapping, table, standard });
  }
  return out;
}

/** A new mapping file for each planned resource (see `planObjects`). */
export function draftObjects(
  d: DraftContext,
  plans: readonly ObjectPlan[],
  skipped: Skipped[],
): ObjectDraft[] {
  return plans.map((plan) => draftObject(d, plan, d.ctx.source!.resources.get(plan.resource)!, skipped));
}

function draftObject(
  d: DraftContext,
  plan: ObjectPlan,
  resource: SourceResource,
  skipped: Skipped[],
): ObjectDraft {
  const { resource: name, mapping, table: tableName, standard } = plan;
  const singularLabel = label(singular(name));
  let customTable: CustomTableSpec | undefined;
  const head: Record<string, unknown> = {};
  if (!standard) {
    customTable = {
      file: '',
      pointer: '/custom_table',
      label: singularLabel,
      pluralLabel: label(name),
      description: `PracticeHub ${name.replace(/_/g, ' ')}.`,
      ownership: 'user',
      hasNotes: false,
      primaryName: { column: `${d.prefix}_name`, label: 'Name', maxLength: 200, pointer: '' },
    };
    head.custom_table = {
      label: customTable.label,
      plural_label: customTable.pluralLabel,
      description: customTable.description,
      ownership: 'user',
      primary_name: { column: customTable.primaryName.column, label: 'Name', max_length: 200 },
    };
  }
  const ctx = customTable
    ? {
        ...d.ctx,
        customTables: new Map([
          ...d.ctx.customTables,
          [tableName, { table: tableName, spec: customTable, mapping }],
        ]),
      }
    : d.ctx;
  const table = tableOf(ctx, tableName)!;
  const declared = declaredOn(d, tableName);
  const keyColumn = `${d.prefix}_practicehubid`;
  const keyDeclaration = declared.get(keyColumn) ?? {
    type: 'string',
    max_length: 100,
    label: 'PracticeHub id',
    required: 'none',
  };
  head.key = table.customColumnsAllowed
    ? {
        source: 'id',
        prefix: `${mapping}-`,
        column: keyColumn,
        ...(table.columns.has(keyColumn) ? {} : { custom: keyDeclaration }),
      }
    : { source: 'id', prefix: `${mapping}-`, derive_id: true };
  if (table.customColumnsAllowed && !declared.has(keyColumn)) declared.set(keyColumn, keyDeclaration);
  const written = new Set<string>(table.customColumnsAllowed ? [keyColumn] : []);
  const t = { ...matchTarget(d, name, tableName, table, 'upsert', written), table };
  const lines: DraftLine[] = [];
  const tail: Record<string, unknown> = {};
  // Fields left out on purpose are not drafted, not even as the owner, the file or the row's name.
  const left = leftOutOf(d.ctx, name).fields;
  const fields = [...resource.fields].filter(([path]) => !isUsed(path, left));
  const staff = d.ctx.migration?.staff?.resource;
  const ownerField =
    table.ownership === 'user' && staff
      ? fields.find(([, f]) => f.type === 'id' && f.references === staff)?.[0]
      : undefined;
  const fileField =
    tableName === 'annotation'
      ? fields.find(([, f]) => f.type === 'id' && f.references === 'files')?.[0]
      : undefined;
  if (customTable) {
    const named = NAME_FIELDS.map((n) => [n, resource.fields.get(n)] as const).find(
      ([n, f]) => (f?.type === 'string' || f?.type === 'text') && !isUsed(n, left),
    );
    const primary = customTable.primaryName.column;
    lines.push({
      path: named?.[0] ?? 'id',
      column: primary,
      line: named
        ? {
            to: primary,
            from: named[0],
            transform: ['trim', { default: `(no ${named[0].replace(/_/g, ' ')})` }, 'truncate'],
          }
        : { to: primary, template: `${singularLabel} {id}`, transform: ['truncate'] },
      reason: named
        ? `the record's ${named[0]} names the row`
        : 'no name field: the row is named after its id',
      confidence: named ? 0.8 : 0.5,
    });
    written.add(primary);
  }
  const claimed = [ownerField, fileField, ...lines.map((l) => l.path), ...left].filter(
    (f): f is string => !!f,
  );
  const candidates = unmappedFields(resource.fields, claimed, NEVER_MAPPED);
  const unplaced: Skipped[] = [];
  lines.push(...draftInto(t, d, candidates, unplaced));
  const note = noteTemplate(t, candidates, unplaced);
  if (note) lines.push(note);
  else skipped.push(...unplaced);
  for (const column of table.columns.values()) {
    if (column.required !== 'application' || written.has(column.name) || column.readOnly) continue;
    if (column.type !== 'string' && column.type !== 'memo') continue;
    lines.push({
      path: 'id',
      column: column.name,
      line: { to: column.name, template: `${singularLabel} {id}`, transform: ['truncate'] },
      reason: `${tableName}.${column.name} is required and no field fits it`,
      confidence: 0.4,
    });
    written.add(column.name);
  }
  if (ownerField) tail.owner = { staff: ownerField };
  if (fileField) tail.document = { file: fileField };
  return {
    mapping,
    file: `objects/${mapping}.yaml`,
    resource: name,
    table: tableName,
    reason: standard
      ? `no mapping reads ${name}: usual correspondence ${name} → ${standard}`
      : `no mapping reads ${name}, and no standard table is usual for it: a new custom table ${tableName}`,
    confidence: standard ? 0.7 : 0.4,
    head,
    lines,
    tail,
  };
}
