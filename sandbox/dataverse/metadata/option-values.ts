import type { Ctx } from '../context.ts';
import { Errors } from '../errors.ts';
import { allowedPrefixes } from './names.ts';

type Body = Record<string, unknown>;

/** Column types whose options UpdateOptionValue changes (statecode options take UpdateStateValue). */
const OPTION_TYPES = new Set(['Picklist', 'MultiSelectPicklist', 'Status']);

/** The label of a Label body in `languageCode`, else its first localized label. */
function labelIn(value: unknown, languageCode: number): string | undefined {
  const labels = (value as { LocalizedLabels?: { Label?: unknown; LanguageCode?: unknown }[] } | undefined)
    ?.LocalizedLabels;
  if (!Array.isArray(labels)) return undefined;
  const text = (labels.find((l) => l.LanguageCode === languageCode) ?? labels[0])?.Label;
  return typeof text === 'string' ? text : undefined;
}

/**
 * `POST UpdateOptionValue`: changes the label of one option of a column's local option set, named by
 * EntityLogicalName, AttributeLogicalName and Value (PA`webapi/create-update-optionsets`, "Update
 * options"; the action's parameters: MergeLabels is not nullable). The sandbox holds one label per
 * option, in 1033, so MergeLabels changes nothing more here. It has no global option sets: an
 * OptionSetName is not found.
 */
export function updateOptionValue(ctx: Ctx, body: Body): void {
  if (typeof body.MergeLabels !== 'boolean')
    throw Errors.invalidArgument('UpdateOptionValue requires MergeLabels (true or false).');
  if (typeof body.SolutionUniqueName === 'string') allowedPrefixes(ctx, body.SolutionUniqueName);
  if (typeof body.OptionSetName === 'string' && body.OptionSetName !== '')
    throw Errors.metadataNotFound('an option set', body.OptionSetName);
  const tableName = String(body.EntityLogicalName ?? '');
  const columnName = String(body.AttributeLogicalName ?? '');
  const table = ctx.state.catalog.table(tableName);
  if (!table) throw Errors.metadataNotFound('an entity', tableName);
  const column = table.columns.get(columnName);
  if (!column) throw Errors.attributeNotFound(columnName, tableName);
  if (!OPTION_TYPES.has(column.type) || !column.options)
    throw Errors.invalidArgument(
      `The column ${columnName} of ${tableName} has no option set whose options UpdateOptionValue changes.`,
    );
  const value = body.Value;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw Errors.invalidArgument('UpdateOptionValue requires Value, an integer.');
  if (!column.options.some((o) => o.value === value))
    throw Errors.invalidArgument(`The option set of ${columnName} has no option with the value ${value}.`);
  const label = labelIn(body.Label, 1033);
  if (label === undefined) return;
  table.columns.set(columnName, {
    ...column,
    options: column.options.map((o) => (o.value === value ? { ...o, label } : o)),
  });
}
