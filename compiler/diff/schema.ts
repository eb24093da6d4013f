import { byText } from '../../runtime/shared/order.ts';
import type { Ir, IrLimitFlag, IrPlanColumn, IrPlanTable } from '../ir/types.ts';
import { PROFESSIONAL_LIMIT } from '../validate/rules/limits.ts';
import { keyed, setChanges, settingChanges } from './compare.ts';
import type { ColumnChange, FlagChange, FlagView, OptionChange, SchemaDiff, TableChange } from './types.ts';

/** A custom column's type as the YAML declares it, with what sizes it. */
export function columnType(c: IrPlanColumn): string {
  switch (c.type) {
    case 'string':
    case 'memo':
      return `${c.type} (max_length ${c.maxLength})`;
    case 'choice':
    case 'multi_choice':
      return `${c.type} (${c.options.length} option${c.options.length === 1 ? '' : 's'})`;
    case 'lookup':
      return `lookup to ${c.target}`;
    case 'decimal':
    case 'money':
      return `${c.type} (precision ${c.precision ?? 2})`;
    default:
      return c.type;
  }
}

const text = (v: string | number | undefined): string | undefined =>
  v === undefined ? undefined : String(v);

/** Every property of a custom column that the admin sets, as text (options are compared one by one). */
function columnSettings(c: IrPlanColumn): Record<string, string | undefined> {
  return {
    type: c.type,
    max_length: text(c.maxLength),
    label: c.label,
    description: c.description,
    required: c.required,
    format: c.format,
    precision: text(c.precision),
    min: text(c.min),
    max: text(c.max),
    behavior: c.behavior,
    true_label: c.trueLabel,
    false_label: c.falseLabel,
    target: c.target,
    schema_name: c.schemaName,
  };
}

function optionChanges(before: IrPlanColumn | undefined, after: IrPlanColumn | undefined): OptionChange[] {
  const { removed, added, common } = keyed(before?.options ?? [], after?.options ?? [], (o) => o.key);
  const view = (o: { label: string; value: number }) => ({ label: o.label, value: o.value });
  return [
    ...removed.map((o) => ({ key: o.key, before: view(o), after: undefined })),
    ...added.map((o) => ({ key: o.key, before: undefined, after: view(o) })),
    ...common
      .filter(([b, a]) => b.label !== a.label || b.value !== a.value)
      .map(([b, a]) => ({ key: a.key, before: view(b), after: view(a) })),
  ].sort((x, y) => byText(x.key, y.key));
}

function columnChanges(before: IrPlanTable | undefined, after: IrPlanTable | undefined): ColumnChange[] {
  const { removed, added, common } = keyed(before?.columns ?? [], after?.columns ?? [], (c) => c.name);
  const whole = (c: IrPlanColumn, status: 'added' | 'removed'): ColumnChange => ({
    status,
    column: c.name,
    label: c.label,
    type: columnType(c),
    settings: [],
    options: status === 'added' ? optionChanges(undefined, c) : [],
  });
  const changed = common.flatMap(([b, a]): ColumnChange[] => {
    const settings = settingChanges(columnSettings(b), columnSettings(a));
    const options = optionChanges(b, a);
    if (settings.length === 0 && options.length === 0) return [];
    return [{ status: 'changed', column: a.name, label: a.label, type: columnType(a), settings, options }];
  });
  return [
    ...removed.map((c) => whole(c, 'removed')),
    ...added.map((c) => whole(c, 'added')),
    ...changed,
  ].sort((x, y) => byText(x.column, y.column));
}

function customTableSettings(t: IrPlanTable): Record<string, string | undefined> {
  const c = t.custom!;
  return {
    label: c.label,
    plural_label: c.pluralLabel,
    description: c.description,
    ownership: c.ownership,
    has_notes: String(c.hasNotes),
    primary_name: `${c.primaryName.name} (${c.primaryName.label}, max_length ${c.primaryName.maxLength})`,
  };
}

function customTableChange(
  b: IrPlanTable | undefined,
  a: IrPlanTable | undefined,
): TableChange['customTable'] {
  const before = b?.custom ? b : undefined;
  const after = a?.custom ? a : undefined;
  if (!before && !after) return undefined;
  if (!before) return { status: 'added', settings: settingChanges({}, customTableSettings(after!)) };
  if (!after) return { status: 'removed', settings: [] };
  const settings = settingChanges(customTableSettings(before), customTableSettings(after));
  return settings.length ? { status: 'changed', settings } : undefined;
}

function tableChanges(base: Ir, head: Ir): TableChange[] {
  const limit = (ir: Ir) => (ir.plan.license === 'professional' ? PROFESSIONAL_LIMIT : undefined);
  const before = new Map(base.plan.tables.map((t) => [t.name, t]));
  const after = new Map(head.plan.tables.map((t) => [t.name, t]));
  // Head's order (load order) first, then tables only the base plans.
  const names = [...new Set([...after.keys(), ...before.keys()])];
  return names.flatMap((name): TableChange[] => {
    const b = before.get(name);
    const a = after.get(name);
    const change: TableChange = {
      table: name,
      customTable: customTableChange(b, a),
      columns: columnChanges(b, a),
      keys: setChanges(b?.keys.map((k) => k.name) ?? [], a?.keys.map((k) => k.name) ?? []),
      count: { before: b?.customColumnCount ?? 0, after: a?.customColumnCount ?? 0 },
      limit: { before: limit(base), after: limit(head) },
    };
    const changed =
      change.customTable !== undefined ||
      change.columns.length > 0 ||
      change.keys.added.length + change.keys.removed.length > 0 ||
      change.count.before !== change.count.after;
    return changed ? [change] : [];
  });
}

const flagView = (f: IrLimitFlag): FlagView => ({
  count: f.count,
  limit: f.limit,
  blocking: f.blocking,
  acknowledged: f.acknowledged,
});

function flagChanges(base: Ir, head: Ir): FlagChange[] {
  const id = (f: IrLimitFlag) => `${f.kind}:${f.table ?? ''}`;
  const { removed, added, common } = keyed(base.plan.flags, head.plan.flags, id);
  return [
    ...removed.map((f) => ({ flag: f.kind, table: f.table, before: flagView(f), after: undefined })),
    ...added.map((f) => ({ flag: f.kind, table: f.table, before: undefined, after: flagView(f) })),
    ...common
      .filter(([b, a]) => JSON.stringify(flagView(b)) !== JSON.stringify(flagView(a)))
      .map(([b, a]) => ({ flag: a.kind, table: a.table, before: flagView(b), after: flagView(a) })),
  ].sort((x, y) => byText(`${x.flag}:${x.table ?? ''}`, `${y.flag}:${y.table ?? ''}`));
}

const privileges = (ir: Ir): string[] =>
  ir.plan.privileges.flatMap((p) => p.tables.map((t) => `${p.name} on ${t}`));

/** What changed in the schema plan: custom tables and columns, keys, counts, flags, roles, privileges. */
export function diffSchema(base: Ir, head: Ir): SchemaDiff {
  const customTables = (ir: Ir) => ir.plan.tables.filter((t) => t.custom).length;
  return {
    tables: tableChanges(base, head),
    flags: flagChanges(base, head),
    customTables: { before: customTables(base), after: customTables(head) },
    connectionRoles: setChanges(
      base.plan.connectionRoles.map((r) => r.name),
      head.plan.connectionRoles.map((r) => r.name),
    ),
    privileges: setChanges(privileges(base), privileges(head)),
  };
}
