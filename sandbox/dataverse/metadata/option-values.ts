import type { Ctx } from '../context.ts';
import { Errors } from '../errors.ts';
import { allowedPrefixes } from './names.ts';
import type { ColumnMeta, OptionDef } from './types.ts';

type Body = Record<string, unknown>;

/**
 * Column types whose options InsertOptionValue and UpdateOptionValue change (statecode options take
 * UpdateStateValue, and a status option is inserted with InsertStatusValue).
 */
const OPTION_TYPES = new Set(['Picklist', 'MultiSelectPicklist', 'Status']);

/** The label of a Label body in `languageCode`, else its first localized label. */
function labelIn(value: unknown, languageCode: number): string | undefined {
  const labels = (value as { LocalizedLabels?: { Label?: unknown; LanguageCode?: unknown }[] } | undefined)
    ?.LocalizedLabels;
  if (!Array.isArray(labels)) return undefined;
  const text = (labels.find((l) => l.LanguageCode === languageCode) ?? labels[0])?.Label;
  return typeof text === 'string' ? text : undefined;
}

/** The column of a local option set named by EntityLogicalName and AttributeLogicalName. */
function optionColumn(ctx: Ctx, body: Body, action: string) {
  if (typeof body.SolutionUniqueName === 'string') allowedPrefixes(ctx, body.SolutionUniqueName);
  // The sandbox has no global option sets: an OptionSetName is not found.
  if (typeof body.OptionSetName === 'string' && body.OptionSetName !== '')
    throw Errors.metadataNotFound('an option set', body.OptionSetName);
  const tableName = String(body.EntityLogicalName ?? '');
  const columnName = String(body.AttributeLogicalName ?? '');
  const table = ctx.state.catalog.table(tableName);
  if (!table) throw Errors.metadataNotFound('an entity', tableName);
  const column = table.columns.get(columnName);
  if (!column) throw Errors.attributeNotFound(columnName, tableName);
  return { table, column, options: optionsOf(column, action) };
}

function optionsOf(column: ColumnMeta, action: string): readonly OptionDef[] {
  if (!OPTION_TYPES.has(column.type) || !column.options)
    throw Errors.invalidArgument(
      `The column ${column.logicalName} has no option set whose options ${action} changes.`,
    );
  return column.options;
}

/**
 * `POST InsertOptionValue`: adds an option to a column's local option set, named by EntityLogicalName and
 * AttributeLogicalName, with Value (or, without one, the value after the column's highest) and Label
 * (PA`webapi/create-update-optionsets`, "Insert options"); answers 200 with InsertOptionValueResponse's
 * NewOptionValue. A value the option set already holds is refused (the doc gives no code for it; the
 * sandbox answers InvalidArgument), as are a table, column or global option set it lacks. Status columns
 * take InsertStatusValue instead.
 */
export function insertOptionValue(ctx: Ctx, body: Body): number {
  const { table, column, options } = optionColumn(ctx, body, 'InsertOptionValue');
  if (column.type === 'Status')
    throw Errors.invalidArgument('Options of a status column are inserted with InsertStatusValue.');
  const raw = body.Value;
  const value = raw === undefined || raw === null ? Math.max(...options.map((o) => o.value)) + 1 : raw;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw Errors.invalidArgument('InsertOptionValue takes Value, an integer.');
  if (options.some((o) => o.value === value))
    throw Errors.invalidArgument(
      `The option set of ${column.logicalName} already has an option with the value ${value}.`,
    );
  const label = labelIn(body.Label, 1033);
  if (label === undefined) throw Errors.invalidArgument('InsertOptionValue requires Label.');
  table.columns.set(column.logicalName, { ...column, options: [...options, { value, label }] });
  return value;
}

/**
 * `POST UpdateOptionValue`: changes the label of one option of a column's local option set, named by
 * EntityLogicalName, AttributeLogicalName and Value (PA`webapi/create-update-optionsets`, "Update
 * options"; the action's parameters: MergeLabels is not nullable). The sandbox holds one label per
 * option, in 1033, so MergeLabels changes nothing more here.
 */
export function updateOptionValue(ctx: Ctx, body: Body): void {
  if (typeof body.MergeLabels !== 'boolean')
    throw Errors.invalidArgument('UpdateOptionValue requires MergeLabels (true or false).');
  const { table, column, options } = optionColumn(ctx, body, 'UpdateOptionValue');
  const value = body.Value;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw Errors.invalidArgument('UpdateOptionValue requires Value, an integer.');
  if (!options.some((o) => o.value === value))
    throw Errors.invalidArgument(
      `The option set of ${column.logicalName} has no option with the value ${value}.`,
    );
  const label = labelIn(body.Label, 1033);
  if (label === undefined) return;
  table.columns.set(column.logicalName, {
    ...column,
    options: options.map((o) => (o.value === value ? { ...o, label } : o)),
  });
}
