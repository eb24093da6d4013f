import type { IrPlanColumn, IrSchemaPlan } from '../../compiler/ir/types.ts';
import type { AttributeDefinition, ChoiceOption } from '../dataverse/index.ts';
import { LABEL_LANGUAGE } from '../dataverse/index.ts';
import type { LiveSchema, SchemaFinding } from './verify.ts';

/**
 * The checks of a choice column's options. The load writes an option's value, and the label is what the
 * value means to every reader: an option of the planned value that the organisation labels otherwise
 * (made by hand, or by an earlier spec that pinned the value to another option) would give every record
 * the wrong meaning without any write failing. Labels are compared in the plan's language
 * (LABEL_LANGUAGE, the language `schema apply` creates them in), not in the calling user's
 * (UserLocalizedLabel), and exactly: Dataverse stores a label as it is sent.
 */

const quoted = (text: string) => JSON.stringify(text);

/** The organisation's label of an option in the plan's language; undefined when it holds none in it. */
function labelInPlanLanguage(option: ChoiceOption): string | undefined {
  return option.labels ? option.labels[LABEL_LANGUAGE] : option.label;
}

/** A planned option whose value the organisation has under another label (or under none in the plan's language). */
interface LabelDifference {
  readonly key: string;
  readonly value: number;
  readonly plan: string;
  /** The label in the plan's language; undefined when there is none. */
  readonly org: string | undefined;
  /** The label the organisation shows the calling user. */
  readonly shown: string;
}

/**
 * A Yes/No column's two options as the plan creates them: true (1) and false (0), labelled with the
 * spec's true_label and false_label, or Dataverse's Yes and No (bodies.ts).
 */
function booleanOptions(column: IrPlanColumn): IrPlanColumn['options'] {
  return [
    { key: 'true', value: 1, label: column.trueLabel ?? 'Yes' },
    { key: 'false', value: 0, label: column.falseLabel ?? 'No' },
  ];
}

function labelDifferences(column: IrPlanColumn, attribute: AttributeDefinition): LabelDifference[] {
  const live = new Map((attribute.options ?? []).map((o) => [o.value, o]));
  const out: LabelDifference[] = [];
  for (const option of column.type === 'boolean' ? booleanOptions(column) : column.options) {
    const found = live.get(option.value);
    if (!found) continue;
    const org = labelInPlanLanguage(found);
    if (org !== option.label)
      out.push({ key: option.key, value: option.value, plan: option.label, org, shown: found.label });
  }
  return out;
}

/**
 * The planned options whose value the column lacks. A value the column holds is the planned option,
 * whatever its label (labelDifferences compares that): it is never added a second time, as Dataverse
 * refuses a value in use.
 */
function missingOptions(column: IrPlanColumn, attribute: AttributeDefinition): IrPlanColumn['options'] {
  const values = new Set((attribute.options ?? []).map((o) => o.value));
  return column.options.filter((o) => !values.has(o.value));
}

/**
 * Whether apply may change the column's options (relabel, add): a local option set only, as a global one
 * is shared by other columns, whose options would change too.
 */
const isLocal = (attribute: AttributeDefinition) => attribute.optionSet?.isGlobal !== true;

function labelFinding(
  table: string,
  column: IrPlanColumn,
  attribute: AttributeDefinition,
  d: LabelDifference,
): SchemaFinding {
  const mapping = column.usedBy.length > 0 ? ` of mapping ${column.usedBy.join(', ')}` : '';
  const pin = `give option ${d.key} another value in the spec (value: under custom.options.${d.key}${mapping}), then compile`;
  const base = { kind: 'option', table, name: `${column.name}=${d.value}` } as const;
  if (column.type === 'boolean') return booleanLabelFinding(base, table, column, d, mapping);
  if (d.org === undefined)
    return {
      ...base,
      problem: `option ${d.value} has no label in language ${LABEL_LANGUAGE}, the language of the plan's labels (it shows ${quoted(d.shown)}), the plan says ${quoted(d.plan)}: if it means ${quoted(d.plan)}, add that label in language ${LABEL_LANGUAGE} in Dataverse; if not, ${pin}`,
      applicable: false,
    };
  const meaning = `option ${d.value} is labelled ${quoted(d.org)} in the organisation, the plan says ${quoted(d.plan)}: the load writes ${d.value} for ${quoted(d.plan)}, which Dataverse shows as ${quoted(d.org)}`;
  if (!isLocal(attribute))
    return {
      ...base,
      problem: `${meaning}; the column uses the global choice ${attribute.optionSet?.name}, which other columns may share: if ${d.value} means ${quoted(d.plan)} in all of them, change its label in Power Apps (Choices → ${attribute.optionSet?.name}); if not, ${pin}`,
      applicable: false,
    };
  return {
    ...base,
    problem: `${meaning}; schema apply relabels it, and rows that already hold ${d.value} then show ${quoted(d.plan)} too: if they mean ${quoted(d.org)}, instead ${pin}`,
    applicable: true,
  };
}

/**
 * A Yes/No column's option labelled otherwise than the spec's true_label or false_label: the load writes
 * true or false, which every reader sees under the organisation's label. Apply leaves it: the labels are
 * the admin's or the spec's to change.
 */
function booleanLabelFinding(
  base: Pick<SchemaFinding, 'kind' | 'table' | 'name'>,
  table: string,
  column: IrPlanColumn,
  d: LabelDifference,
  mapping: string,
): SchemaFinding {
  const key = `${d.key}_label`;
  const org =
    d.org === undefined
      ? `has no label in language ${LABEL_LANGUAGE} (it shows ${quoted(d.shown)})`
      : `is labelled ${quoted(d.org)}`;
  const shown = d.org ?? d.shown;
  return {
    ...base,
    problem: `option ${d.value} (${d.key}) ${org} in the organisation, the plan says ${quoted(d.plan)}: the load writes ${d.value} for ${quoted(d.plan)}, which Dataverse shows as ${quoted(shown)}; change the label to ${quoted(d.plan)} in Power Apps (Tables → ${table} → Columns → ${column.name}), or set ${key}: ${quoted(shown)} under custom${mapping} in the spec, then compile`,
    applicable: false,
  };
}

/**
 * The findings of a planned choice, multi-select choice or Yes/No column that exists: every planned
 * option the column lacks (which apply adds to a local option set), and every one it labels otherwise
 * (a Yes/No column's true and false labels included).
 */
export function optionFindings(
  table: string,
  column: IrPlanColumn,
  attribute: AttributeDefinition,
): SchemaFinding[] {
  if (column.type === 'boolean')
    return labelDifferences(column, attribute).map((d) => labelFinding(table, column, attribute, d));
  if (column.type !== 'choice' && column.type !== 'multi_choice') return [];
  const missing = missingOptions(column, attribute).map((o): SchemaFinding => {
    const base = { kind: 'option', table, name: `${column.name}=${o.value}` } as const;
    const problem = `option ${o.value} (${o.label}) is missing`;
    if (isLocal(attribute)) return { ...base, problem: `${problem}: schema apply adds it`, applicable: true };
    const set = attribute.optionSet?.name;
    return {
      ...base,
      problem: `${problem}; the column uses the global choice ${set}, which other columns may share: add option ${o.value} labelled ${quoted(o.label)} to it in Power Apps (Choices → ${set}), which every column using it then offers`,
      applicable: false,
    };
  });
  const relabelled = labelDifferences(column, attribute).map((d) =>
    labelFinding(table, column, attribute, d),
  );
  return [...missing, ...relabelled];
}

/** A label `schema apply` changes: an option of a column's local option set, to the plan's label. */
export interface OptionLabelChange {
  readonly table: string;
  readonly column: string;
  readonly value: number;
  readonly from: string;
  readonly to: string;
}

/** Each planned choice column of a local option set that the organisation has, with its table's name. */
function* localChoiceColumns(
  live: LiveSchema,
  plan: IrSchemaPlan,
): Generator<{ table: string; column: IrPlanColumn; attribute: AttributeDefinition }> {
  for (const table of plan.tables) {
    const attributes = new Map(
      (live.tables.get(table.name)?.attributes ?? []).map((a) => [a.logicalName, a]),
    );
    for (const column of table.columns) {
      const attribute = attributes.get(column.name);
      if (!attribute || !isLocal(attribute)) continue;
      if (column.type === 'choice' || column.type === 'multi_choice')
        yield { table: table.name, column, attribute };
    }
  }
}

/**
 * The labels that bring existing options to the plan: options of a local option set labelled otherwise
 * in the plan's language. An option without a label in that language, or of a global option set, is left
 * to the admin (its finding says why).
 */
export function optionLabelChanges(live: LiveSchema, plan: IrSchemaPlan): OptionLabelChange[] {
  const out: OptionLabelChange[] = [];
  for (const { table, column, attribute } of localChoiceColumns(live, plan))
    for (const d of labelDifferences(column, attribute))
      if (d.org !== undefined)
        out.push({ table, column: column.name, value: d.value, from: d.org, to: d.plan });
  return out;
}

/** An option `schema apply` adds: a planned option the column's local option set lacks. */
export interface OptionInsert {
  readonly table: string;
  readonly column: string;
  readonly key: string;
  readonly value: number;
  readonly label: string;
}

/**
 * The options that bring existing columns to the plan: every planned option, with its value and label,
 * that a column of a local option set lacks. A global option set is left to the admin (its finding says
 * why), as is a value the column holds under another label (the label finding).
 */
export function optionInserts(live: LiveSchema, plan: IrSchemaPlan): OptionInsert[] {
  const out: OptionInsert[] = [];
  for (const { table, column, attribute } of localChoiceColumns(live, plan))
    for (const o of missingOptions(column, attribute))
      out.push({ table, column: column.name, key: o.key, value: o.value, label: o.label });
  return out;
}
