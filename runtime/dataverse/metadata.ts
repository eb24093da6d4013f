import type { ClientContext } from './context.ts';
import type { DataverseError } from './errors.ts';
import { literal } from './odata.ts';

type Json = Record<string, unknown>;

/** One option of a choice column. */
export interface ChoiceOption {
  readonly value: number;
  /** The label in the language of the calling user (UserLocalizedLabel). */
  readonly label: string;
  /**
   * The label in each language the organisation holds one for (LocalizedLabels, by LanguageCode): the
   * base language always has one, others may not (PA`customize-labels-support-multiple-languages`).
   */
  readonly labels?: Readonly<Record<number, string>>;
  /** For status reasons: the state the option belongs to. */
  readonly state?: number;
}

/** A column's definition, reduced to what the runtime checks before writing. */
export interface AttributeDefinition {
  readonly metadataId: string;
  readonly logicalName: string;
  readonly schemaName: string;
  /** `@odata.type` without its namespace, e.g. `StringAttributeMetadata`. */
  readonly metadataType: string;
  /** AttributeTypeName.Value, e.g. `StringType`, `MultiSelectPicklistType` (AttributeType says Virtual). */
  readonly typeName: string;
  readonly attributeType: string;
  readonly isCustom: boolean;
  /**
   * The column this one is derived from (AttributeOf): the name of a lookup (`…name`), the base of a
   * currency column (`…_base`); such columns come with their column and are not columns of their own.
   */
  readonly attributeOf?: string;
  readonly isPrimaryId: boolean;
  readonly isPrimaryName: boolean;
  readonly validForCreate: boolean;
  readonly validForUpdate: boolean;
  readonly requiredLevel: string;
  readonly maxLength?: number;
  readonly format?: string;
  /**
   * StringAttributeMetadata.FormatName.Value (Email, Text, Url, Phone…): the string format Dataverse
   * applies; `Format` is its older, deprecated twin (PA`webapi/create-update-column-definitions-using-web-api`).
   */
  readonly formatName?: string;
  readonly dateTimeBehavior?: string;
  readonly minValue?: number;
  readonly maxValue?: number;
  readonly precision?: number;
  /**
   * MoneyAttributeMetadata.PrecisionSource: 0 the column's Precision, 1 the organisation's pricing
   * precision, 2 the currency's precision (reference §5.1).
   */
  readonly precisionSource?: number;
  readonly targets?: readonly string[];
  readonly options?: readonly ChoiceOption[];
  /** The option set of a choice column: its name, and whether it is a global one that columns share. */
  readonly optionSet?: { readonly name: string; readonly isGlobal: boolean };
}

/** An alternate key and the state of its index (EntityKeyIndexStatus: Pending, InProgress, Active, Failed). */
export interface KeyDefinition {
  readonly metadataId: string;
  readonly logicalName: string;
  readonly schemaName: string;
  readonly keyAttributes: readonly string[];
  readonly status: string;
}

/** A table's definition. */
export interface EntityDefinition {
  readonly metadataId: string;
  readonly logicalName: string;
  readonly schemaName: string;
  readonly entitySetName: string;
  readonly primaryIdAttribute: string;
  readonly primaryNameAttribute: string | null;
  readonly ownershipType: string;
  readonly isCustom: boolean;
  readonly isActivity: boolean;
  readonly objectTypeCode: number | null;
  readonly attributes?: readonly AttributeDefinition[];
  readonly keys?: readonly KeyDefinition[];
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
const labelOf = (v: unknown) =>
  str((v as { UserLocalizedLabel?: { Label?: unknown } } | null)?.UserLocalizedLabel?.Label);

/** A Label's LocalizedLabels by LanguageCode; undefined when the answer lists none. */
function labelsOf(v: unknown): Record<number, string> | undefined {
  const localized = (v as { LocalizedLabels?: unknown } | null)?.LocalizedLabels;
  if (!Array.isArray(localized)) return undefined;
  const out: Record<number, string> = {};
  for (const l of localized as Json[])
    if (typeof l.LanguageCode === 'number' && typeof l.Label === 'string') out[l.LanguageCode] = l.Label;
  return out;
}

/** Cache-sensitive metadata reads within about 30 s of a change need `Consistency: Strong` (reference §5.3). */
const STRONG = { Consistency: 'Strong' } as const;

const entityPath = (logicalName: string) =>
  `EntityDefinitions(LogicalName=${encodeURIComponent(literal(logicalName))})`;

function options(json: Json): ChoiceOption[] | undefined {
  const set = json.OptionSet as
    | { Options?: Json[]; TrueOption?: Json; FalseOption?: Json }
    | null
    | undefined;
  // A Yes/No column's BooleanOptionSetMetadata holds its two options as TrueOption and FalseOption.
  const listed = set?.TrueOption && set.FalseOption ? [set.TrueOption, set.FalseOption] : set?.Options;
  if (!Array.isArray(listed)) return undefined;
  return listed.map((o) => {
    const labels = labelsOf(o.Label);
    return {
      value: Number(o.Value),
      label: labelOf(o.Label),
      ...(labels ? { labels } : {}),
      ...(typeof o.State === 'number' ? { state: o.State } : {}),
    };
  });
}

/** OptionSetMetadata's Name and IsGlobal, when the answer holds the option set. */
function optionSetOf(json: Json): AttributeDefinition['optionSet'] {
  const set = json.OptionSet as { Name?: unknown; IsGlobal?: unknown } | null | undefined;
  return set && typeof set === 'object'
    ? { name: str(set.Name), isGlobal: set.IsGlobal === true }
    : undefined;
}

/** AttributeMetadata JSON → AttributeDefinition. */
export function toAttribute(json: Json): AttributeDefinition {
  const maxLength = num(json.MaxLength);
  const minValue = num(json.MinValue);
  const maxValue = num(json.MaxValue);
  const precision = num(json.Precision);
  const precisionSource = num(json.PrecisionSource);
  const formatName = str((json.FormatName as { Value?: unknown } | undefined)?.Value);
  const format = str(json.Format) || str((json.FormatName as { Value?: unknown } | undefined)?.Value);
  const behavior = str((json.DateTimeBehavior as { Value?: unknown } | undefined)?.Value);
  const opts = options(json);
  const optionSet = opts ? optionSetOf(json) : undefined;
  const attributeOf = str(json.AttributeOf);
  return {
    metadataId: str(json.MetadataId),
    logicalName: str(json.LogicalName),
    schemaName: str(json.SchemaName),
    metadataType: str(json['@odata.type']).replace(/^#?Microsoft\.Dynamics\.CRM\./, ''),
    typeName: str((json.AttributeTypeName as { Value?: unknown } | undefined)?.Value),
    attributeType: str(json.AttributeType),
    isCustom: json.IsCustomAttribute === true,
    ...(attributeOf ? { attributeOf } : {}),
    isPrimaryId: json.IsPrimaryId === true,
    isPrimaryName: json.IsPrimaryName === true,
    validForCreate: json.IsValidForCreate === true,
    validForUpdate: json.IsValidForUpdate === true,
    requiredLevel: str((json.RequiredLevel as { Value?: unknown } | undefined)?.Value),
    ...(maxLength !== undefined ? { maxLength } : {}),
    ...(format ? { format } : {}),
    ...(formatName ? { formatName } : {}),
    ...(behavior ? { dateTimeBehavior: behavior } : {}),
    ...(minValue !== undefined ? { minValue } : {}),
    ...(maxValue !== undefined ? { maxValue } : {}),
    ...(precision !== undefined ? { precision } : {}),
    ...(precisionSource !== undefined ? { precisionSource } : {}),
    ...(Array.isArray(json.Targets) ? { targets: json.Targets.map(String) } : {}),
    ...(opts ? { options: opts } : {}),
    ...(optionSet ? { optionSet } : {}),
  };
}

/** EntityKeyMetadata JSON → KeyDefinition. */
export function toKey(json: Json): KeyDefinition {
  return {
    metadataId: str(json.MetadataId),
    logicalName: str(json.LogicalName),
    schemaName: str(json.SchemaName),
    keyAttributes: Array.isArray(json.KeyAttributes) ? json.KeyAttributes.map(String) : [],
    status: str(json.EntityKeyIndexStatus),
  };
}

/** `GET EntityDefinitions(LogicalName='x')`, with its Attributes and Keys when asked; undefined on 404. */
export async function entityDefinition(
  ctx: ClientContext,
  logicalName: string,
  o: { attributes?: boolean; keys?: boolean } = {},
): Promise<EntityDefinition | undefined> {
  const expand = [o.attributes ? 'Attributes' : '', o.keys ? 'Keys' : ''].filter(Boolean).join(',');
  let json: Json;
  try {
    const res = await ctx.transport.send({
      method: 'GET',
      path: `${entityPath(logicalName)}${expand ? `?$expand=${expand}` : ''}`,
      kind: 'metadata',
      headers: STRONG,
      operation: `read the definition of ${logicalName}`,
    });
    json = res.body as Json;
  } catch (e) {
    if ((e as DataverseError).status === 404) return undefined;
    throw e;
  }
  return {
    metadataId: str(json.MetadataId),
    logicalName: str(json.LogicalName),
    schemaName: str(json.SchemaName),
    entitySetName: str(json.EntitySetName),
    primaryIdAttribute: str(json.PrimaryIdAttribute),
    primaryNameAttribute: typeof json.PrimaryNameAttribute === 'string' ? json.PrimaryNameAttribute : null,
    ownershipType: str(json.OwnershipType),
    isCustom: json.IsCustomEntity === true,
    isActivity: json.IsActivity === true,
    objectTypeCode: num(json.ObjectTypeCode) ?? null,
    ...(Array.isArray(json.Attributes) ? { attributes: (json.Attributes as Json[]).map(toAttribute) } : {}),
    ...(Array.isArray(json.Keys) ? { keys: (json.Keys as Json[]).map(toKey) } : {}),
  };
}

/** Choice-like column types whose options are read through a type-cast segment (query-metadata-web-api). */
const CHOICE_TYPES = [
  'PicklistAttributeMetadata',
  'MultiSelectPicklistAttributeMetadata',
  'StateAttributeMetadata',
  'StatusAttributeMetadata',
] as const;

async function get(ctx: ClientContext, path: string, operation: string): Promise<Json> {
  const res = await ctx.transport.send({ method: 'GET', path, kind: 'metadata', headers: STRONG, operation });
  return res.body as Json;
}

/**
 * Every column of a table. Options of choice columns come from the type-cast collection
 * (`Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$expand=OptionSet`); when an answer leaves
 * OptionSet out, each column is asked on its own (`Attributes(LogicalName='x')/<cast>?$expand=OptionSet`).
 */
export async function attributes(
  ctx: ClientContext,
  logicalName: string,
  withOptions = true,
): Promise<AttributeDefinition[]> {
  const base = `${entityPath(logicalName)}/Attributes`;
  const all = ((await get(ctx, base, `read the columns of ${logicalName}`)).value as Json[]).map(toAttribute);
  if (!withOptions) return all;
  const byName = new Map(all.map((a) => [a.logicalName, a]));
  for (const cast of CHOICE_TYPES) {
    const columns = all.filter((a) => a.metadataType === cast);
    if (columns.length === 0) continue;
    const op = `read the options of the ${cast} columns of ${logicalName}`;
    const listed = (
      await get(ctx, `${base}/Microsoft.Dynamics.CRM.${cast}?$select=LogicalName&$expand=OptionSet`, op)
    ).value as Json[];
    for (const json of listed) {
      const name = str(json.LogicalName);
      const column = byName.get(name);
      if (column)
        byName.set(
          name,
          options(json) ? withOptionSet(column, json) : await readColumnOptions(ctx, logicalName, column),
        );
    }
  }
  return all.map((a) => byName.get(a.logicalName)!);
}

function withOptionSet(column: AttributeDefinition, json: Json): AttributeDefinition {
  const opts = options(json);
  const optionSet = optionSetOf(json);
  return opts ? { ...column, options: opts, ...(optionSet ? { optionSet } : {}) } : column;
}

/**
 * A column with its options, read on its own through its type cast
 * (`Attributes(LogicalName='x')/<cast>?$expand=OptionSet`): a choice column's, or a Yes/No column's two
 * (BooleanAttributeMetadata, whose OptionSet holds TrueOption and FalseOption).
 */
export async function readColumnOptions(
  ctx: ClientContext,
  table: string,
  column: AttributeDefinition,
): Promise<AttributeDefinition> {
  const cast = column.metadataType;
  const json = await get(
    ctx,
    `${entityPath(table)}/Attributes(LogicalName=${encodeURIComponent(literal(column.logicalName))})/Microsoft.Dynamics.CRM.${cast}?$select=LogicalName&$expand=OptionSet`,
    `read the options of the ${cast} column ${column.logicalName} of ${table}`,
  );
  return withOptionSet(column, json);
}

/** `GET EntityDefinitions?$filter=IsCustomEntity eq true`: the logical names of the custom tables, sorted. */
export async function customTables(ctx: ClientContext): Promise<string[]> {
  const filter = encodeURIComponent('IsCustomEntity eq true');
  const path = `EntityDefinitions?$select=LogicalName&$filter=${filter}`;
  const listed = (await get(ctx, path, 'read the custom tables')).value as Json[];
  return listed.map((t) => str(t.LogicalName)).sort();
}

/** The alternate keys of a table with their index status. */
export async function keys(ctx: ClientContext, logicalName: string): Promise<KeyDefinition[]> {
  const path = `${entityPath(logicalName)}/Keys?$select=LogicalName,SchemaName,KeyAttributes,EntityKeyIndexStatus`;
  return ((await get(ctx, path, `read the keys of ${logicalName}`)).value as Json[]).map(toKey);
}

/** A table's privilege of one type, as its EntityMetadata names it (prvReadActivity, prvReadNote, ...). */
export interface TablePrivilege {
  readonly id: string;
  readonly name: string;
}

/**
 * Each table's Read privilege, from EntityMetadata's Privileges (SecurityPrivilegeMetadata,
 * PA`webapi/reference/securityprivilegemetadata`), in one request: privilege names are not derived from
 * the table's name, since every activity table shares prvReadActivity and annotation's is prvReadNote.
 * A table missing from the answer, or without a Read privilege and its id, is left out.
 */
export async function readPrivileges(
  ctx: ClientContext,
  logicalNames: readonly string[],
): Promise<Map<string, TablePrivilege>> {
  const filter = logicalNames.map((n) => `LogicalName eq ${literal(n)}`).join(' or ');
  const path = `EntityDefinitions?$select=LogicalName,Privileges&$filter=${encodeURIComponent(filter)}`;
  const found = new Map<string, TablePrivilege>();
  for (const table of (await get(ctx, path, `read the privileges of ${logicalNames.join(', ')}`))
    .value as Json[]) {
    const privileges = Array.isArray(table.Privileges) ? (table.Privileges as Json[]) : [];
    const read = privileges.find((p) => p.PrivilegeType === 'Read');
    if (read && typeof read.PrivilegeId === 'string')
      found.set(str(table.LogicalName), { id: read.PrivilegeId.toLowerCase(), name: str(read.Name) });
  }
  return found;
}

/** A one-to-many relationship seen from its referenced (one) table: the lookup that points to it. */
export interface OneToManyRelationship {
  readonly schemaName: string;
  readonly referencedEntity: string;
  readonly referencingEntity: string;
  /** The lookup column of the referencing table; `_<column>_value` in a query's answer. */
  readonly referencingAttribute: string;
  /** CascadeConfiguration.Delete: Cascade, RemoveLink or Restrict (CascadeType). */
  readonly cascadeDelete: string;
}

/**
 * `GET EntityDefinitions(LogicalName='x')/OneToManyRelationships`: the lookups of every table that point
 * to `x` (OneToManyRelationshipMetadata, PA`webapi/use-web-api-metadata`: ReferencingEntity,
 * ReferencingAttribute, and CascadeConfiguration whose Delete is a CascadeType: Cascade deletes the
 * referencing rows with the referenced one, RemoveLink empties their lookup, Restrict refuses the delete).
 */
export async function oneToManyRelationships(
  ctx: ClientContext,
  logicalName: string,
): Promise<OneToManyRelationship[]> {
  const path = `${entityPath(logicalName)}/OneToManyRelationships?$select=SchemaName,ReferencedEntity,ReferencingEntity,ReferencingAttribute,CascadeConfiguration`;
  const listed = (await get(ctx, path, `read the relationships pointing to ${logicalName}`)).value as Json[];
  return listed.map((r) => ({
    schemaName: str(r.SchemaName),
    referencedEntity: str(r.ReferencedEntity),
    referencingEntity: str(r.ReferencingEntity),
    referencingAttribute: str(r.ReferencingAttribute),
    cascadeDelete: str((r.CascadeConfiguration as Json | null | undefined)?.Delete),
  }));
}
