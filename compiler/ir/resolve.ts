import { optionValue } from '../model/options.ts';
import type { TargetColumn, TargetTable, ValueMapTarget } from '../model/spec.ts';
import { columnOf, type SpecContext, tableOf } from '../validate/context.ts';
import type { IrMapTarget } from './types.ts';

/** The option number a choice target names: a custom option key, an option label or value. */
export function choiceValue(
  ctx: SpecContext,
  table: string,
  column: string,
  target: string | number,
): number | undefined {
  const custom = ctx.customDeclarations.find((d) => d.table === table && d.column === column);
  if (custom) {
    const option = custom.spec.options.find((o) => o.key === target || o.value === target);
    return option ? optionValue(ctx.migration?.optionValuePrefix ?? 10000, option) : undefined;
  }
  const known = columnOf(ctx, table, column)?.column;
  const match = known?.options.find(
    (o) =>
      o.value === target || (typeof target === 'string' && o.label.toLowerCase() === target.toLowerCase()),
  );
  return match?.value;
}

function option(
  column: TargetColumn | undefined,
  target: string | number,
): { value: number; state: number | undefined } | undefined {
  const match = column?.options.find(
    (o) =>
      o.value === target || (typeof target === 'string' && o.label.toLowerCase() === target.toLowerCase()),
  );
  return match ? { value: match.value, state: match.state } : undefined;
}

/** A state-map target as numbers (validated before: FS124 reports targets that do not resolve). */
export function stateValue(table: TargetTable, target: ValueMapTarget): IrMapTarget {
  if (target === null || typeof target !== 'object') return null;
  const state = option(table.columns.get('statecode'), target.state);
  const status = option(table.columns.get('statuscode'), target.status);
  return state && status ? { state: state.value, status: status.value } : null;
}

/** A choice-map target for a column (numbers), or the text itself for `as: text` maps (column undefined). */
export function mapTarget(
  ctx: SpecContext,
  table: string,
  column: string | undefined,
  target: ValueMapTarget,
): IrMapTarget {
  if (target === null) return null;
  if (typeof target === 'object') {
    const t = tableOf(ctx, table);
    return t ? stateValue(t, target) : null;
  }
  if (column === undefined) {
    return typeof target === 'number' ? target : target;
  }
  return choiceValue(ctx, table, column, target) ?? null;
}
