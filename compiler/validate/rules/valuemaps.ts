import { isEmpty } from '../../../runtime/transforms/text.ts';
import { foldKey } from '../../../runtime/transforms/value-map.ts';
import type { PendingDiagnostic } from '../../diagnostics/diagnostic.ts';
import type { TargetColumn, TargetTable, ValueMapSpec, ValueMapTarget } from '../../model/spec.ts';
import { pathType } from '../chain.ts';
import { columnOf, type SpecContext, tableOf } from '../context.ts';
import { finding, type Rule } from '../rule.ts';

/**
 * Whether `target` names an option of a choice column: for a custom column, an option key (exact) or a
 * pinned value; for a column of the target snapshot, an option value or label (any case).
 */
export function choiceOption(
  ctx: SpecContext,
  table: string,
  column: TargetColumn,
  target: string | number,
): boolean {
  const custom = ctx.customDeclarations.find((d) => d.table === table && d.column === column.name);
  if (custom)
    return custom.spec.options.some((o) => o.key === target || (o.value !== undefined && o.value === target));
  return column.options.some(
    (o) =>
      o.value === target || (typeof target === 'string' && o.label.toLowerCase() === target.toLowerCase()),
  );
}

/**
 * FS124's hint for a choice column: how a value map or constant names its options, which differs
 * between a custom column (its keys, or pinned values) and a column of the target snapshot (values or
 * labels), and the options themselves.
 */
function choiceHint(ctx: SpecContext, table: string, column: TargetColumn): string {
  const custom = ctx.customDeclarations.find((d) => d.table === table && d.column === column.name);
  if (!custom)
    return `use one of the column's option values (a number, unquoted) or labels (any case): ${column.options.map((o) => `${o.value} ${o.label}`).join(', ')}`;
  const pinned = custom.spec.options.some((o) => o.value !== undefined);
  const options = custom.spec.options.map((o) =>
    o.value === undefined ? o.key : `${o.key} (pinned ${o.value})`,
  );
  return `use one of the column's option keys, exactly as declared under custom.options${pinned ? ', or a pinned value' : ''} (a label or a derived value is not accepted): ${options.join(', ')}`;
}

function stateOption(table: TargetTable, target: ValueMapTarget): string | undefined {
  if (target === null || typeof target !== 'object') return 'a state map entry is { state, status }';
  const state = table.columns.get('statecode');
  const status = table.columns.get('statuscode');
  if (!state || !status) return `${table.name} has no statecode/statuscode`;
  const pick = (c: TargetColumn, v: string | number) =>
    c.options.find(
      (o) => o.value === v || (typeof v === 'string' && o.label.toLowerCase() === v.toLowerCase()),
    );
  const s = pick(state, target.state);
  if (!s)
    return `${table.name} has no state '${target.state}' (states: ${state.options.map((o) => `${o.value} ${o.label}`).join(', ')})`;
  const r = pick(status, target.status);
  if (!r) return `${table.name} has no status reason '${target.status}'`;
  if (r.state !== s.value) return `status reason '${r.label}' belongs to state ${r.state}, not '${s.label}'`;
  return undefined;
}

/** The value maps a field uses and the columns they write to. */
function usages(ctx: SpecContext) {
  const uses: {
    map: ValueMapSpec;
    table: string;
    column: TargetColumn | undefined;
    file: string;
    pointer: string;
    values: readonly string[] | undefined;
    open: boolean;
  }[] = [];
  for (const o of ctx.objects) {
    if (!o.target || !o.source) continue;
    const resource = ctx.source?.resources.get(o.source);
    const table = o.target;
    o.fields.forEach((f) => {
      for (const step of f.transform) {
        if (step.name !== 'map' && step.name !== 'multi_map') continue;
        const map = ctx.valueMaps.get(String(step.params.map ?? ''));
        if (!map) continue;
        let typed = f.from.length === 1 ? pathType(resource, f.from[0]!, o.each?.path).type : undefined;
        if (typed?.kind === 'list') typed = typed.items;
        uses.push({
          map,
          table,
          column:
            step.name === 'multi_map' && step.params.as === 'text'
              ? undefined
              : columnOf(ctx, table, f.to)?.column,
          file: o.file,
          pointer: step.pointer,
          values:
            typed?.kind === 'enum' ? typed.values : typed?.kind === 'boolean' ? ['true', 'false'] : undefined,
          open: typed?.kind === 'enum' ? typed.open : typed?.kind !== 'boolean',
        });
      }
    });
    if (o.state) {
      const map = ctx.valueMaps.get(o.state.map);
      const typed = resource ? pathType(resource, o.state.from, o.each?.path).type : undefined;
      if (map)
        uses.push({
          map,
          table,
          column: undefined,
          file: o.file,
          pointer: '/state/map',
          values: typed?.kind === 'enum' ? typed.values : undefined,
          open: typed?.kind === 'enum' ? typed.open : true,
        });
    }
  }
  return uses;
}

/** FS112 missing entries, FS134 open enumerations without default, FS124 unknown options, FS138 unused maps. */
export const valueMaps: Rule = (ctx) => {
  const out: PendingDiagnostic[] = [];
  const used = new Set<string>();
  const checkedOptions = new Set<string>();
  for (const use of usages(ctx)) {
    const { map } = use;
    used.add(map.name);
    const norm = (s: string) => (map.caseSensitive ? s : s.toLowerCase());
    // A key written with a target the map cannot hold has its own error (FS012): it is not missing.
    const keys = new Set([...map.entries.map((e) => e.source), ...map.unreadable].map(norm));
    if (use.values && map.default === undefined) {
      const missing = use.values.filter((v) => !keys.has(norm(v)));
      if (missing.length > 0) {
        out.push(
          finding(
            'FS112',
            'error',
            use.file,
            use.pointer,
            `value map '${map.name}' has no entry for ${missing.map((m) => `'${m}'`).join(', ')} (values of the source field)`,
            `add them to ${map.file}, or give the map a default`,
          ),
        );
      }
    }
    if (use.open && map.default === undefined && map.unmapped === undefined && use.values) {
      out.push(
        finding(
          'FS134',
          'warning',
          use.file,
          use.pointer,
          `the source field has values outside its documented list, and value map '${map.name}' has no default: those records follow policies.unmapped_value`,
          `add default: <option> or unmapped: drop_with_flag to ${map.file}`,
        ),
      );
    }
    const table = tableOf(ctx, use.table);
    const id = `${map.name}→${use.table}.${use.column?.name ?? 'state'}`;
    if (checkedOptions.has(id) || !table) continue;
    checkedOptions.add(id);
    const targets = [
      ...map.entries.map((e) => ({ target: e.target, pointer: e.pointer })),
      ...(map.default !== undefined ? [{ target: map.default, pointer: '/default' }] : []),
    ];
    for (const { target, pointer } of targets) {
      if (target === null) continue;
      if (map.kind === 'state') {
        const problem = stateOption(table, target);
        if (problem)
          out.push(
            finding(
              'FS124',
              'error',
              map.file,
              pointer,
              problem,
              'use a state and status reason of the target table (label or value)',
            ),
          );
      } else if (
        use.column &&
        (typeof target === 'string' || typeof target === 'number') &&
        !choiceOption(ctx, use.table, use.column, target)
      ) {
        out.push(
          finding(
            'FS124',
            'error',
            map.file,
            pointer,
            `'${target}' is not an option of ${use.table}.${use.column.name}`,
            choiceHint(ctx, use.table, use.column),
          ),
        );
      }
    }
  }
  for (const o of ctx.objects) {
    if (!o.target) continue;
    o.fields.forEach((f) => {
      if (f.value === undefined || typeof f.value === 'boolean') return;
      const column = columnOf(ctx, o.target!, f.to)?.column;
      if (
        column &&
        (column.type === 'choice' || column.type === 'multi_choice') &&
        !choiceOption(ctx, o.target!, column, f.value)
      ) {
        out.push(
          finding(
            'FS124',
            'error',
            o.file,
            `${f.pointer}/value`,
            `'${f.value}' is not an option of ${o.target}.${f.to}`,
            choiceHint(ctx, o.target!, column),
          ),
        );
      }
    });
  }
  for (const o of ctx.objects) {
    if (o.state) used.add(o.state.map);
    for (const f of o.fields) {
      for (const step of f.transform) {
        if (step.name === 'map' || step.name === 'multi_map') used.add(String(step.params.map ?? ''));
      }
    }
  }
  for (const map of ctx.valueMaps.values()) {
    if (!used.has(map.name))
      out.push(
        finding(
          'FS138',
          'warning',
          map.file,
          '',
          `value map '${map.name}' is not used by any mapping`,
          'use it with { map: ... } or state:, or delete the file',
        ),
      );
  }
  return out;
};

/**
 * FS142: keys of a map that ignores case which are one key once folded as the runtime folds them
 * (trimmed, lower-cased): `card` and `Card` would both be kept, and only one of them would ever apply.
 * FS149: a key that is empty or only spaces, which no value ever reaches: the runtime turns an empty
 * or blank value into no value before it reads the map (isEmpty in mapValue, multiMap and mapState).
 */
export const valueMapKeys: Rule = (ctx) => {
  const out: PendingDiagnostic[] = [];
  for (const map of ctx.valueMaps.values()) {
    for (const entry of map.entries) {
      if (!isEmpty(entry.source)) continue;
      out.push(
        finding(
          'FS149',
          'error',
          map.file,
          entry.pointer,
          `value map key '${entry.source}' can never apply: an empty or blank value becomes no value before value map '${map.name}' is read`,
          'delete the entry; to give records without a value an option, put { default: <a key of the map> } before the map step in the mapping',
          'key',
        ),
      );
    }
    if (map.caseSensitive) continue;
    const first = new Map<string, string>();
    for (const entry of map.entries) {
      if (isEmpty(entry.source)) continue;
      const folded = foldKey(entry.source);
      const earlier = first.get(folded);
      if (earlier === undefined) {
        first.set(folded, entry.source);
        continue;
      }
      out.push(
        finding(
          'FS142',
          'error',
          map.file,
          entry.pointer,
          `value map key '${entry.source}' is the same key as '${earlier}': the map ignores case and surrounding spaces, so only one of the two entries can apply`,
          `keep one of the two entries, or add case_sensitive: true to ${map.file} if the source sends both spellings as different values`,
          'key',
        ),
      );
    }
  }
  return out;
};
