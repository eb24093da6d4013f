import type { IrPlanColumn, IrPlanCustomTable, IrSchemaPlan } from '../../compiler/ir/types.ts';
import type {
  AttributeDefinition,
  DataverseClient,
  EntityDefinition,
  Publisher,
} from '../dataverse/index.ts';
import { DataverseError } from '../dataverse/index.ts';
import type { GeneratedModule } from '../mapping/index.ts';
import {
  dateTimeBehaviorName,
  plannedPrecision,
  plannedRange,
  requiredLevel,
  requiredLevelName,
  stringFormatName,
  TYPE_NAMES,
} from './bodies.ts';
import { keyFindings } from './keys.ts';
import { optionFindings } from './options.ts';

/** Something the organisation lacks (or has differently) compared with the plan. */
export interface SchemaFinding {
  readonly kind: 'table' | 'column' | 'option' | 'key' | 'role' | 'publisher';
  readonly table: string;
  readonly name: string;
  readonly problem: string;
  /** Whether `flitstack schema apply` can fix it. */
  readonly applicable: boolean;
}

/** A table's columns, each planned Yes/No column with its two options (true and false) and their labels. */
async function withBooleanLabels(
  client: DataverseClient,
  table: string,
  plan: IrSchemaPlan,
): Promise<AttributeDefinition[]> {
  const booleans = new Set(
    (plan.tables.find((t) => t.name === table)?.columns ?? [])
      .filter((c) => c.type === 'boolean')
      .map((c) => c.name),
  );
  const attributes = await client.attributes(table, true);
  return Promise.all(
    attributes.map((a) =>
      booleans.has(a.logicalName) && a.metadataType === 'BooleanAttributeMetadata'
        ? client.readColumnOptions(table, a)
        : a,
    ),
  );
}

/** The live state the checks read; `schema apply` reuses it. */
export interface LiveSchema {
  readonly tables: ReadonlyMap<string, EntityDefinition | undefined>;
  readonly roles: ReadonlySet<string>;
  /** The publisher of the plan's prefix, when the organisation has one. */
  readonly publisher?: Publisher;
}

/**
 * Reads the metadata of every table the migration writes (one request per table), the connection roles
 * and the publisher of the plan's prefix.
 */
export async function readLiveSchema(
  client: DataverseClient,
  plan: IrSchemaPlan,
  tables: GeneratedModule['TABLES'],
): Promise<LiveSchema> {
  const names = [...new Set([...Object.keys(tables), ...plan.tables.map((t) => t.name)])];
  const live = new Map<string, EntityDefinition | undefined>();
  for (const name of names) {
    try {
      const entity = await client.entityDefinition(name, { keys: true });
      // Choice options are read with the columns' type casts (attributes with options), and the two
      // labels of the plan's Yes/No columns on their own (BooleanAttributeMetadata's OptionSet).
      live.set(
        name,
        entity ? { ...entity, attributes: await withBooleanLabels(client, name, plan) } : undefined,
      );
    } catch (error) {
      if (error instanceof DataverseError && error.status === 404) live.set(name, undefined);
      else throw error;
    }
  }
  const roles = new Set<string>();
  if (plan.connectionRoles.length > 0) {
    for await (const role of client.query<{ name: string }>('connectionroles', { select: ['name'] }))
      roles.add(role.name.toLowerCase());
  }
  const publisher = plan.publisher.prefix ? await client.publisherByPrefix(plan.publisher.prefix) : undefined;
  return { tables: live, roles, ...(publisher ? { publisher } : {}) };
}

/**
 * The plan's option_value_prefix differing from its publisher's CustomizationOptionValuePrefix: the
 * plan's choice options get values outside the range Dataverse gives the publisher's options, which is
 * what keeps them apart from other publishers' options ("the option value prefix for your solution is
 * applied and the value will be more likely to be unique when the solution is installed in another
 * organization", InsertOptionValueRequest.Value, learn.microsoft.com/dotnet/api/
 * microsoft.xrm.sdk.messages.insertoptionvaluerequest.value). Only a plan with choice options.
 */
function publisherFinding(live: LiveSchema, plan: IrSchemaPlan): SchemaFinding | undefined {
  const publisher = live.publisher;
  const planned = plan.publisher.optionValuePrefix;
  if (!publisher || publisher.optionValuePrefix === planned) return undefined;
  if (!plan.tables.some((t) => t.columns.some((c) => c.options.length > 0))) return undefined;
  const org = publisher.optionValuePrefix;
  return {
    kind: 'publisher',
    table: publisher.uniqueName,
    name: publisher.uniqueName,
    problem: `option value prefix is ${org} in the organisation, the plan's target.publisher.option_value_prefix is ${planned}: the plan's choice options get values from ${planned * 10_000}, not from ${org * 10_000} as Dataverse gives this publisher's options, so they are not kept apart from other publishers' options; set option_value_prefix: ${org} under target.publisher in migration.yaml, then compile and confirm (before schema apply creates the choice columns: options already created keep their values), or use the publisher whose option value prefix is ${planned}`,
    applicable: false,
  };
}

/** A property of a column that the organisation has otherwise than the plan says. */
interface Difference {
  readonly property: string;
  readonly org: string;
  readonly plan: string;
  /** What the difference does to the load, when it does something. */
  readonly effect?: string;
  /**
   * The AttributeMetadata properties `schema apply` changes to fix it (a longer MaxLength, a wider range,
   * the RequiredLevel), where the metadata API can change it without touching stored values.
   */
  readonly changes?: Record<string, unknown>;
  /**
   * False when Dataverse cannot change the property of a saved column at all: its type ("Once a column is
   * saved, you cannot change the data type", PA maker `data-platform/create-edit-field-portal`) and a
   * lookup's target, which its relationship fixes.
   */
  readonly fixed?: false;
}

const numberText = (n: number | undefined) => (n === undefined ? '(none)' : String(n));

/**
 * Every property the plan gives a column and the metadata API reports on the column's type
 * (StringAttributeMetadata FormatName and MaxLength, Integer/Decimal/MoneyAttributeMetadata MinValue,
 * MaxValue and Precision, MoneyAttributeMetadata PrecisionSource, DateTimeAttributeMetadata
 * DateTimeBehavior and Format, AttributeMetadata RequiredLevel: PA`webapi/create-update-column-definitions-using-web-api`
 * and the metadata entity types it links to). A longer MaxLength or a wider range than the plan's takes
 * every value the load writes, so only a shorter or narrower one is a difference.
 */
/** Required levels from the least to the most demanding. */
const REQUIRED_RANK: Readonly<Record<string, number>> = {
  None: 0,
  Recommended: 1,
  ApplicationRequired: 2,
  SystemRequired: 3,
};

function columnDifferences(column: IrPlanColumn, attribute: AttributeDefinition): Difference[] {
  const expected = TYPE_NAMES[column.type];
  if (attribute.typeName !== expected)
    return [{ property: 'type', org: attribute.typeName, plan: expected, fixed: false }];
  const out: Difference[] = [];
  if ((column.type === 'string' || column.type === 'memo') && column.maxLength !== undefined) {
    if ((attribute.maxLength ?? 0) < column.maxLength)
      out.push({
        property: 'maximum length',
        org: `${numberText(attribute.maxLength)} characters`,
        plan: `${column.maxLength}`,
        effect: 'longer values are refused',
        changes: { MaxLength: column.maxLength },
      });
  }
  // A text column's format tells apps how to show it and validates no value (PA`data-type-format-
  // conversions`: "The applied formats don't validate context, domains, or any other values"), and it
  // may be set through the API: apply changes it, touching no stored value.
  if (column.type === 'string' && attribute.formatName && attribute.formatName !== stringFormatName(column))
    out.push({
      property: 'format',
      org: attribute.formatName,
      plan: stringFormatName(column),
      changes: { FormatName: { Value: stringFormatName(column) } },
    });
  const precision = plannedPrecision(column);
  if (precision !== undefined) {
    if (column.type === 'money' && attribute.precisionSource !== undefined && attribute.precisionSource !== 0)
      out.push({
        property: 'precision source',
        org:
          attribute.precisionSource === 1
            ? "the organisation's pricing precision"
            : "the currency's precision",
        plan: `the column's own precision (${precision})`,
        effect: 'values are rounded to that precision, which may hold fewer decimal places',
      });
    // More decimal places than the plan keep every value the load writes, as a longer MaxLength does.
    else if (attribute.precision !== undefined && attribute.precision < precision)
      out.push({
        property: 'precision',
        org: String(attribute.precision),
        plan: String(precision),
        effect: `values are rounded to ${attribute.precision} decimal places, and the rest is lost`,
      });
  }
  const range = plannedRange(column);
  if (
    range &&
    ((attribute.minValue !== undefined && attribute.minValue > range.min) ||
      (attribute.maxValue !== undefined && attribute.maxValue < range.max))
  )
    out.push({
      property: 'range',
      org: `${numberText(attribute.minValue)} to ${numberText(attribute.maxValue)}`,
      plan: `${range.min} to ${range.max}`,
      effect: `values outside ${numberText(attribute.minValue)} to ${numberText(attribute.maxValue)} are refused`,
      // Widened only: values the organisation already holds stay within the range.
      changes: {
        MinValue: Math.min(attribute.minValue ?? range.min, range.min),
        MaxValue: Math.max(attribute.maxValue ?? range.max, range.max),
      },
    });
  if (
    (column.type === 'date' || column.type === 'datetime') &&
    attribute.dateTimeBehavior &&
    attribute.dateTimeBehavior !== dateTimeBehaviorName(column)
  )
    out.push({
      property: 'behaviour',
      org: attribute.dateTimeBehavior,
      plan: dateTimeBehaviorName(column),
      effect: 'the times the load writes are stored and shown differently',
      // A behaviour changes from UserLocal to DateOnly or TimeZoneIndependent, once, and never back
      // (reference §5.1; PA`behavior-format-date-time-attribute`, "Change the behavior of a date and
      // time attribute").
      ...(attribute.dateTimeBehavior !== 'UserLocal' ? { fixed: false as const } : {}),
    });
  // Format is the column's display format (PA`behavior-format-date-time-attribute`: "use the
  // DateTimeAttributeMetadata.Format Property to specify the display format"): a date-time column shown
  // as DateOnly hides the time of every value the load writes. Changing it touches no stored value.
  // (A date column's DateOnly behaviour requires Format DateOnly, so the behaviour covers it.)
  if (column.type === 'datetime' && attribute.format && attribute.format !== 'DateAndTime')
    out.push({
      property: 'format',
      org: attribute.format,
      plan: 'DateAndTime',
      effect: 'apps show the date of the values the load writes, not their time',
      changes: { Format: 'DateAndTime' },
    });
  if (column.type === 'lookup' && column.target && !(attribute.targets ?? []).includes(column.target))
    out.push({
      property: 'target',
      org: (attribute.targets ?? []).join(', ') || 'nothing',
      plan: column.target,
      fixed: false,
    });
  // Only a level below the plan's is a difference, which apply raises: a higher one is the admin's
  // choice, and none refuses a Web API write (the levels above None are kept by forms).
  if (
    attribute.requiredLevel &&
    (REQUIRED_RANK[attribute.requiredLevel] ?? 0) < REQUIRED_RANK[requiredLevelName(column.required)]!
  )
    out.push({
      property: 'required level',
      org: attribute.requiredLevel,
      plan: requiredLevelName(column.required),
      changes: { RequiredLevel: requiredLevel(column.required) },
    });
  return out;
}

/**
 * The finding of a difference: what the organisation has, what the plan says, its effect and, when
 * `schema apply` cannot change it, where to change it.
 */
function differenceFinding(table: string, column: string, d: Difference, specHint: string): SchemaFinding {
  const where = `Power Apps → Tables → ${table} → Columns → ${column}`;
  const fix = d.changes
    ? ''
    : d.fixed === false
      ? `; Dataverse cannot change a saved column's ${d.property}: ${specHint} to match the organisation, then compile, or delete the column (${where}; the values it holds are lost) and run schema apply, which creates it as the plan says`
      : `; change it in Dataverse (${where}) or ${specHint}, then compile`;
  return {
    kind: 'column',
    table,
    name: column,
    problem: `${d.property} is ${d.org} in the organisation, the plan says ${d.plan}${d.effect ? `: ${d.effect}` : ''}${fix}`,
    applicable: d.changes !== undefined,
  };
}

/** A custom table's primary name column holding fewer characters than the plan's primary_name.max_length. */
function primaryNameDifference(
  custom: IrPlanCustomTable,
  attribute: AttributeDefinition | undefined,
): Difference | undefined {
  const length = attribute?.maxLength;
  if (length === undefined || length >= custom.primaryName.maxLength) return undefined;
  return {
    property: 'maximum length of the primary name column',
    org: `${length} characters`,
    plan: String(custom.primaryName.maxLength),
    effect: 'longer names are refused',
    changes: { MaxLength: custom.primaryName.maxLength },
  };
}

/**
 * A custom table the organisation has with another primary name column than the plan's (made by hand,
 * or by a spec that named it otherwise): the load writes the record's name to the plan's column, which
 * the table lacks, and a table's primary name column cannot be replaced or renamed once it exists
 * (reference §5.1: names cannot be changed after creation).
 */
function primaryNameProblem(
  custom: IrPlanCustomTable | undefined,
  entity: EntityDefinition,
  column: string,
): string | undefined {
  if (!custom || custom.primaryName.name.toLowerCase() !== column || !entity.primaryNameAttribute)
    return undefined;
  return `the table's primary name column is ${entity.primaryNameAttribute} in the organisation, the plan's is ${column}, which the table lacks: set primary_name.column of the custom table to ${entity.primaryNameAttribute} in the spec, then compile (Dataverse cannot rename or replace a primary name column)`;
}

/**
 * A column the transformer writes from the target snapshot (not a custom column of the plan) that holds
 * fewer characters in the organisation than the snapshot says: the transformer lets values of the
 * snapshot's length through and Dataverse refuses each longer one when the run writes it (reference §8,
 * 0x80044331), as when the snapshot was taken from another organisation or before the column changed.
 */
function snapshotLength(
  table: string,
  column: string,
  written: GeneratedModule['TABLES'][string]['columns'][string],
  attributes: ReadonlyMap<string, AttributeDefinition>,
): SchemaFinding | undefined {
  const org = attributes.get(column)?.maxLength;
  if (written.maxLength === undefined || org === undefined || org >= written.maxLength) return undefined;
  return {
    kind: 'column',
    table,
    name: column,
    problem: `maximum length is ${org} characters in the organisation, the target snapshot says ${written.maxLength}: the load lets values up to ${written.maxLength} characters through and Dataverse refuses the longer ones; refresh the snapshot from this organisation (flitstack audit --target), then compile and confirm, or lengthen the column in Dataverse (Power Apps → Tables → ${table} → Columns → ${column})`,
    applicable: false,
  };
}

/** A change `schema apply` makes to an existing column. */
export interface ColumnChange {
  readonly table: string;
  readonly column: string;
  /** The column's metadata type (type cast), e.g. `StringAttributeMetadata`. */
  readonly metadataType: string;
  readonly changes: Record<string, unknown>;
  /** The properties changed, for the report. */
  readonly properties: readonly string[];
}

/** The changes that bring existing columns to the plan where the metadata API can make them. */
export function columnChanges(live: LiveSchema, plan: IrSchemaPlan): ColumnChange[] {
  const out: ColumnChange[] = [];
  for (const table of plan.tables) {
    const attributes = new Map(
      (live.tables.get(table.name)?.attributes ?? []).map((a) => [a.logicalName, a]),
    );
    const columns: [string, Difference[]][] = table.columns.map((c) => {
      const attribute = attributes.get(c.name);
      return [c.name, attribute ? columnDifferences(c, attribute) : []];
    });
    if (table.custom) {
      const name = table.custom.primaryName.name.toLowerCase();
      const difference = primaryNameDifference(table.custom, attributes.get(name));
      if (difference) columns.push([name, [difference]]);
    }
    for (const [column, differences] of columns) {
      const fixable = differences.filter((d) => d.changes);
      if (fixable.length === 0) continue;
      out.push({
        table: table.name,
        column,
        metadataType: attributes.get(column)!.metadataType,
        changes: Object.assign({}, ...fixable.map((d) => d.changes)),
        properties: fixable.map((d) => d.property),
      });
    }
  }
  return out;
}

/**
 * The run addresses records through the entity set the spec expects (the plan's for a custom table,
 * the target snapshot's for a standard one); any other name in the organisation stops the load at the
 * table's first write, so it is found here instead.
 */
function entitySetProblem(
  name: string,
  entity: EntityDefinition,
  planTable: IrSchemaPlan['tables'][number] | undefined,
  written: GeneratedModule['TABLES'][string] | undefined,
): SchemaFinding | undefined {
  const expected = planTable?.custom?.entitySet ?? written?.entitySet;
  if (expected === undefined || entity.entitySetName === expected) return undefined;
  const fix = planTable?.custom
    ? `change the table's entity set name (EntitySetName) to ${expected} in Dataverse, or give the mapping another table name in the spec`
    : `set the table's entity_set in the target snapshot (target.metadata of migration.yaml) to ${entity.entitySetName}, then compile and confirm`;
  return {
    kind: 'table',
    table: name,
    name,
    problem: `entity set is ${entity.entitySetName || '(none)'}, the generated code writes to ${expected}: ${fix}`,
    applicable: false,
  };
}

/**
 * Compares the organisation with the plan and the columns the transformer writes: every table (and
 * its entity set name), column, choice option (its value and its label), alternate key (Active) and
 * connection role. An empty list means the load can start.
 */
export function checkSchema(
  live: LiveSchema,
  plan: IrSchemaPlan,
  tables: GeneratedModule['TABLES'],
): SchemaFinding[] {
  const findings: SchemaFinding[] = [];
  const planned = new Map(plan.tables.map((t) => [t.name, t]));
  for (const name of new Set([...planned.keys(), ...Object.keys(tables)])) {
    const entity = live.tables.get(name);
    const planTable = planned.get(name);
    if (!entity) {
      findings.push({
        kind: 'table',
        table: name,
        name,
        problem: planTable?.custom
          ? 'custom table does not exist'
          : 'table does not exist in the organisation',
        applicable: Boolean(planTable?.custom),
      });
      continue;
    }
    const entitySetFinding = entitySetProblem(name, entity, planTable, tables[name]);
    if (entitySetFinding) findings.push(entitySetFinding);
    const attributes = new Map((entity.attributes ?? []).map((a) => [a.logicalName, a]));
    if (planTable?.custom) {
      const column = planTable.custom.primaryName.name.toLowerCase();
      const difference = primaryNameDifference(planTable.custom, attributes.get(column));
      if (difference)
        findings.push(
          differenceFinding(name, column, difference, 'change primary_name.max_length in the spec'),
        );
    }
    const customColumns = new Map((planTable?.columns ?? []).map((c) => [c.name, c]));
    for (const column of planTable?.columns ?? []) {
      const attribute = attributes.get(column.name);
      if (!attribute) {
        findings.push({
          kind: 'column',
          table: name,
          name: column.name,
          problem: `custom column (${column.type}) does not exist`,
          applicable: true,
        });
        continue;
      }
      const mapping = column.usedBy.length > 0 ? ` (mapping ${column.usedBy.join(', ')})` : '';
      for (const difference of columnDifferences(column, attribute))
        findings.push(
          differenceFinding(
            name,
            column.name,
            difference,
            `change the column's custom: properties in the spec${mapping}`,
          ),
        );
      findings.push(...optionFindings(name, column, attribute));
    }
    for (const [column, written] of Object.entries(tables[name]?.columns ?? {})) {
      const shorter = customColumns.has(column)
        ? undefined
        : snapshotLength(name, column, written, attributes);
      if (shorter) findings.push(shorter);
      if (!customColumns.has(column) && !attributes.has(column)) {
        findings.push({
          kind: 'column',
          table: name,
          name: column,
          problem:
            primaryNameProblem(planTable?.custom, entity, column) ??
            'column does not exist (it is not a custom column of the plan: check the target snapshot)',
          applicable: false,
        });
      }
    }
    if (planTable) findings.push(...keyFindings(name, planTable, entity, attributes));
  }
  for (const role of plan.connectionRoles) {
    if (!live.roles.has(role.name.toLowerCase()))
      findings.push({
        kind: 'role',
        table: 'connectionrole',
        name: role.name,
        problem: 'connection role does not exist',
        applicable: true,
      });
  }
  return findings;
}

/**
 * What `schema verify` and `schema apply` report: the findings of checkSchema, which a load refuses to
 * start with, and a publisher whose option value prefix is not the plan's, which the load does not need
 * (apply creates the options with the plan's values) but the schema's owner should fix.
 */
export function verifySchema(
  live: LiveSchema,
  plan: IrSchemaPlan,
  tables: GeneratedModule['TABLES'],
): SchemaFinding[] {
  const publisher = publisherFinding(live, plan);
  return [...(publisher ? [publisher] : []), ...checkSchema(live, plan, tables)];
}
