import type { Ctx } from '../context.ts';
import { Errors } from '../errors.ts';
import { ACTIVE_INACTIVE, lookup, nav } from './columns.ts';
import { columnFromBody } from './define-column.ts';
import { checkSchemaName, labelText, pluralize } from './names.ts';
import { tableDef } from './table.ts';
import type { CascadeDelete, KeyMeta, TableMeta } from './types.ts';

type Body = Record<string, unknown>;

/** Key column types allowed by PA`define-alternate-keys-entity`. */
const KEY_TYPES = new Set(['Decimal', 'Integer', 'String', 'DateTime', 'Lookup', 'Picklist']);

/**
 * Sales Professional: the custom-column rule of the seed (seed.md corrections), not a documented platform
 * limit; enforced here only because the sandbox is configured with it.
 */
function checkColumnQuota(ctx: Ctx, table: TableMeta): void {
  const max = ctx.config.maxCustomColumnsPerTableProfessional;
  if (ctx.config.licence !== 'professional' || max === null) return;
  if (ctx.state.catalog.customColumnCount(table) >= max) {
    throw Errors.invalidArgument(
      `The table '${table.def.logicalName}' already has ${max} custom columns, the limit this environment is configured with for Sales Professional.`,
    );
  }
}

/** `POST EntityDefinitions(…)/Attributes`: the column is usable by the data API at once (reference §5.3). */
export function createColumn(ctx: Ctx, table: TableMeta, body: Body, solution: string | undefined): string {
  const column = columnFromBody(ctx, body, solution);
  if (table.columns.has(column.logicalName))
    throw Errors.attributeExists(column.schemaName, table.def.logicalName);
  checkColumnQuota(ctx, table);
  return ctx.state.catalog.addColumn(table, column).metadataId;
}

/**
 * `POST EntityDefinitions` (reference §5.2): exactly one primary-name StringAttributeMetadata; the primary
 * key is `{prefix}_{name}id`. On Sales Professional the 16th custom table fails with
 * ExceedCustomEntityQuota: the 15-table rule is contractual (reference §6), enforced by configuration.
 * Custom tables support the bulk messages ("Any custom table should support them", reference §3.1).
 */
export function createTable(ctx: Ctx, body: Body, solution: string | undefined): TableMeta {
  const { catalog } = ctx.state;
  checkSchemaName(ctx, body.SchemaName, 'Entity', solution);
  const schemaName = String(body.SchemaName);
  const logicalName = schemaName.toLowerCase();
  if (catalog.table(logicalName)) throw Errors.schemaNameNotUnique(schemaName, 'Entity');
  if (
    ctx.config.licence === 'professional' &&
    catalog.customTableCount() >= ctx.config.maxCustomTablesProfessional
  ) {
    throw Errors.customEntityQuota();
  }
  const ownership = body.OwnershipType ?? 'UserOwned';
  if (ownership !== 'UserOwned' && ownership !== 'OrganizationOwned') {
    throw Errors.invalidArgument(`'${String(ownership)}' is not a valid OwnershipType for a new table.`);
  }
  if (body.IsActivity === true) throw Errors.notImplemented('custom activity tables');
  const attributes = Array.isArray(body.Attributes) ? (body.Attributes as Body[]) : [];
  const primaries = attributes.filter((a) => a.IsPrimaryName === true);
  if (
    attributes.length !== 1 ||
    primaries.length !== 1 ||
    !String(primaries[0]!['@odata.type']).endsWith('StringAttributeMetadata')
  ) {
    throw Errors.invalidArgument(
      'The Attributes collection must contain exactly one StringAttributeMetadata with IsPrimaryName true.',
    );
  }
  const primary = { ...columnFromBody(ctx, primaries[0]!, solution), isPrimaryName: true };
  const setName = typeof body.EntitySetName === 'string' ? body.EntitySetName : pluralize(logicalName);
  if (catalog.bySetName(setName))
    throw Errors.invalidArgument(`An entity with the collection name '${setName}' already exists.`);
  const hasNotes = body.HasNotes === true;
  const table = catalog.addTable(
    tableDef({
      logicalName,
      schemaName,
      entitySetName: setName,
      displayName: labelText(body.DisplayName) ?? schemaName,
      displayCollectionName: labelText(body.DisplayCollectionName) ?? setName,
      primaryId: `${logicalName}id`,
      primaryName: primary.logicalName,
      ownership,
      objectTypeCode: 0,
      isCustom: true,
      hasNotes,
      bulk: ctx.config.bulkMessages[logicalName] ?? true,
      columns: [primary],
      states: ACTIVE_INACTIVE,
    }),
  );
  if (hasNotes) {
    // Notes attach through objectid_<table> (PA`annotation-note-entity`: HasNotes on custom tables).
    const annotation = catalog.table('annotation')!;
    catalog.addNav(
      annotation,
      nav(`objectid_${logicalName}`, 'objectid', logicalName, `${schemaName}_Annotations`, 'Cascade'),
    );
  }
  ctx.state.syncMessages();
  return table;
}

/**
 * `POST EntityDefinitions(…)/Keys` (reference §3.4): at most 16 columns, 10 keys per table, 900 bytes;
 * allowed column types only. The index is built asynchronously (Pending → Active after the delay).
 */
export function createKey(ctx: Ctx, table: TableMeta, body: Body, solution: string | undefined): KeyMeta {
  checkSchemaName(ctx, body.SchemaName, 'EntityKey', solution);
  const schemaName = String(body.SchemaName);
  const attributes = body.KeyAttributes;
  if (!Array.isArray(attributes) || attributes.length === 0 || attributes.length > 16) {
    throw Errors.invalidArgument('KeyAttributes must list from 1 to 16 columns.');
  }
  let bytes = 0;
  for (const a of attributes) {
    const column = table.columns.get(String(a));
    if (!column)
      throw Errors.invalidArgument(`The column '${String(a)}' does not exist on '${table.def.logicalName}'.`);
    if (!KEY_TYPES.has(column.type)) {
      throw Errors.invalidArgument(
        `The column '${column.logicalName}' of type ${column.type} cannot be part of a key.`,
      );
    }
    bytes += column.type === 'String' ? (column.maxLength ?? 100) * 2 : 16;
  }
  if (bytes > 900)
    throw Errors.invalidArgument(`The key would be ${bytes} bytes; a key may be at most 900 bytes.`);
  if (table.keys.length >= 10) throw Errors.invalidArgument('A table can have at most 10 alternate keys.');
  if (table.keys.some((k) => k.logicalName === schemaName.toLowerCase()))
    throw Errors.keyNameExists(schemaName, table.def.logicalName);
  const sorted = [...attributes].map(String).sort().join(',');
  if (table.keys.some((k) => [...k.attributes].sort().join(',') === sorted))
    throw Errors.keyAttributesExist();
  const key = ctx.state.catalog.addKey(table, {
    logicalName: schemaName.toLowerCase(),
    schemaName,
    attributes: attributes.map(String),
    displayName: labelText(body.DisplayName) ?? schemaName,
  });
  ctx.state.scheduleKeyActivation(table, key, ctx.config.keyActivationDelayMs);
  return key;
}

/**
 * `POST ReactivateEntityKey` with EntityLogicalName and EntityKeyLogicalName: "Submit a new asynchronous
 * system job to create the index for the key" (PA`webapi/reference/reactivateentitykey`). A Failed key
 * still reports Failed until the job starts (keyReactivationLagMs), then goes Pending and is built after
 * the delay, Active when its columns now hold no duplicate values, else Failed again; a key being built
 * or built already is left as it is, as a new build would end the same.
 */
export function reactivateKey(ctx: Ctx, body: Body): void {
  const tableName = String(body.EntityLogicalName ?? '');
  const keyName = String(body.EntityKeyLogicalName ?? '');
  const table = ctx.state.catalog.table(tableName);
  if (!table) throw Errors.metadataNotFound('an entity', tableName);
  const key = table.keys.find((k) => k.logicalName === keyName.toLowerCase());
  if (!key) throw Errors.metadataNotFound('an entity key', keyName);
  if (key.status === 'Failed')
    ctx.state.scheduleKeyActivation(
      table,
      key,
      ctx.config.keyActivationDelayMs,
      ctx.config.keyReactivationLagMs,
    );
}

/**
 * `POST RelationshipDefinitions` with a OneToManyRelationshipMetadata and its Lookup (reference §5.1).
 * The navigation property of a custom lookup is named after the lookup's SchemaName, case kept: binds with
 * the lower-case name fail as undeclared (scottdurow/dataverse-ify #7, PowerAppsCodeApps #451).
 */
export function createRelationship(ctx: Ctx, body: Body, solution: string | undefined): string {
  const { catalog } = ctx.state;
  const type = String(body['@odata.type'] ?? '').replace(/^#?Microsoft\.Dynamics\.CRM\./, '');
  if (type === 'ManyToManyRelationshipMetadata') throw Errors.notImplemented('many-to-many relationships');
  if (type !== 'OneToManyRelationshipMetadata')
    throw Errors.invalidArgument(`'${type}' is not a relationship type.`);
  checkSchemaName(ctx, body.SchemaName, 'Relationship', solution);
  // One relationship a schema name, as for every component (SchemaNameNotUnique, 0x80044363, in the
  // Dataverse error list, PA`reference/web-service-error-codes`).
  const relationship = String(body.SchemaName).toLowerCase();
  if (
    catalog.all().some((t) => [...t.navs.values()].some((n) => n.relationship.toLowerCase() === relationship))
  )
    throw Errors.schemaNameNotUnique(String(body.SchemaName), 'Relationship');
  const referenced = catalog.table(String(body.ReferencedEntity));
  const referencing = catalog.table(String(body.ReferencingEntity));
  if (!referenced || !referencing)
    throw Errors.invalidArgument('ReferencedEntity and ReferencingEntity must be existing tables.');
  // "also requires complex properties using AssociatedMenuConfiguration, CascadeConfiguration, Label and
  // LocalizedLabel" (PA`webapi/create-update-entity-relationships-using-web-api`); the wording of the
  // refusal is the sandbox's own.
  for (const property of ['AssociatedMenuConfiguration', 'CascadeConfiguration']) {
    const value = body[property];
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw Errors.invalidArgument(`The relationship definition requires ${property}.`);
  }
  if (body.ReferencedAttribute !== undefined && body.ReferencedAttribute !== referenced.def.primaryId)
    throw Errors.invalidArgument(
      `ReferencedAttribute '${String(body.ReferencedAttribute)}' is not the primary key of ${referenced.def.logicalName}.`,
    );
  const lookupBody = (body.Lookup ?? {}) as Body;
  checkSchemaName(ctx, lookupBody.SchemaName, 'Attribute', solution);
  const lookupSchema = String(lookupBody.SchemaName);
  const logicalName = lookupSchema.toLowerCase();
  if (referencing.columns.has(logicalName))
    throw Errors.attributeExists(lookupSchema, referencing.def.logicalName);
  checkColumnQuota(ctx, referencing);
  const required = (lookupBody.RequiredLevel as { Value?: string } | undefined)?.Value ?? 'None';
  if (required === 'SystemRequired') throw Errors.invalidArgument('Custom columns cannot be SystemRequired.');
  const cascade = ((body.CascadeConfiguration as { Delete?: string } | undefined)?.Delete ??
    'RemoveLink') as CascadeDelete;
  if (!['Cascade', 'RemoveLink', 'Restrict'].includes(cascade))
    throw Errors.invalidArgument(`'${cascade}' is not a supported delete cascade.`);
  catalog.addColumn(
    referencing,
    lookup(logicalName, [referenced.def.logicalName], {
      schemaName: lookupSchema,
      displayName: labelText(lookupBody.DisplayName) ?? lookupSchema,
      requiredLevel: required as 'None',
      isCustom: true,
    }),
  );
  const navName =
    typeof body.ReferencingEntityNavigationPropertyName === 'string'
      ? body.ReferencingEntityNavigationPropertyName
      : lookupSchema;
  if (referencing.navs.has(navName))
    throw Errors.invalidArgument(`The navigation property '${navName}' already exists.`);
  catalog.addNav(
    referencing,
    nav(navName, logicalName, referenced.def.logicalName, String(body.SchemaName), cascade),
  );
  return referencing.columns.get(logicalName)!.metadataId;
}
