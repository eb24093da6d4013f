import type { ClientContext } from './context.ts';
import { type DataverseError, isDuplicateRecord } from './errors.ts';
import { keys } from './metadata.ts';
import { isGuid, literal } from './odata.ts';

type Json = Record<string, unknown>;

/**
 * The language of every label the schema plan creates (LanguageCode 1033, English, as the examples of
 * PA`webapi/create-update-optionsets` send), and so the language its labels are compared in.
 */
export const LABEL_LANGUAGE = 1033;

/** A Label with one localized label (create-update-column-definitions: only LocalizedLabels needs setting). */
export function label(text: string, languageCode = LABEL_LANGUAGE): Json {
  return {
    '@odata.type': 'Microsoft.Dynamics.CRM.Label',
    LocalizedLabels: [
      { '@odata.type': 'Microsoft.Dynamics.CRM.LocalizedLabel', Label: text, LanguageCode: languageCode },
    ],
  };
}

/**
 * Codes that say a schema component already exists: after a create attempt without an answer, they mean
 * that attempt created it (DuplicateAttributeSchemaName, the answer to a column created twice: Microsoft's
 * PowerApps-Samples, dataverse/webapi/C#-NETx/ImageOperations/Utility.cs; DuplicateAttributePhysicalName,
 * SchemaNameisNotUnique, EntityKeyNameExists, EntityKeyWithSelectedAttributesExists; Dataverse error list).
 */
const EXISTS = new Set(['0x80047013', '0x80060304', '0x80044363', '0x80060893', '0x80060894']);
const existed = (e: DataverseError) => EXISTS.has(e.code);

/**
 * Whether Dataverse refused to create a schema component because it is there already: made since it was
 * last read, by another apply or by a create still running from an earlier one (a metadata create goes
 * on in the organisation when the client that sent it stops), or, for a row with a client-chosen id
 * such as a connection role, DuplicateRecord (0x80040237).
 */
export const componentExists = (e: DataverseError): boolean => existed(e) || isDuplicateRecord(e);

/** The GUID of `…(<guid>)` at the end of an OData-EntityId header. */
function trailingId(header: string | undefined): string | undefined {
  const m = /\(([^()]+)\)$/.exec(header ?? '');
  return m && isGuid(m[1]!) ? m[1]!.toLowerCase() : undefined;
}

async function post(
  ctx: ClientContext,
  path: string,
  body: Json,
  solution: string | undefined,
  operation: string,
) {
  return ctx.transport.send({
    method: 'POST',
    path,
    kind: 'metadata',
    json: body,
    // MSCRM.SolutionUniqueName puts the component in the solution (create-update-column-definitions).
    headers: solution ? { 'MSCRM.SolutionUniqueName': solution } : {},
    idempotent: true,
    settledOnRetry: existed,
    operation,
  });
}

async function metadataIdAt(ctx: ClientContext, path: string, operation: string): Promise<string> {
  const res = await ctx.transport.send({
    method: 'GET',
    path: `${path}?$select=MetadataId`,
    kind: 'metadata',
    headers: { Consistency: 'Strong' },
    operation,
  });
  return String((res.body as Json).MetadataId);
}

const entityPath = (logicalName: string) =>
  `EntityDefinitions(LogicalName=${encodeURIComponent(literal(logicalName))})`;

/** `POST EntityDefinitions(LogicalName='x')/Attributes` (reference §5.1); returns the MetadataId. */
export async function createAttribute(
  ctx: ClientContext,
  logicalName: string,
  metadata: Json,
  solution?: string,
): Promise<string> {
  const base = `${entityPath(logicalName)}/Attributes`;
  const res = await post(
    ctx,
    base,
    metadata,
    solution,
    `create column ${String(metadata.SchemaName)} on ${logicalName}`,
  );
  const id = trailingId(res.headers['odata-entityid']);
  if (id) return id;
  const name = String(metadata.SchemaName).toLowerCase();
  return metadataIdAt(
    ctx,
    `${base}(LogicalName=${encodeURIComponent(literal(name))})`,
    `read column ${name}`,
  );
}

/**
 * Changes a column: reads its whole definition through its type cast, applies `changes` and sends it back
 * with `PUT …/Attributes(LogicalName='x')` and `MSCRM.MergeLabels: true` (PA`webapi/create-update-column-
 * definitions-using-web-api`, "Update a column": PATCH is not supported, and without the header the
 * labels of other languages would be dropped).
 */
export async function updateAttribute(
  ctx: ClientContext,
  logicalName: string,
  column: string,
  metadataType: string,
  changes: Json,
  solution?: string,
): Promise<void> {
  const path = `${entityPath(logicalName)}/Attributes(LogicalName=${encodeURIComponent(literal(column))})`;
  const current = await ctx.transport.send({
    method: 'GET',
    path: `${path}/Microsoft.Dynamics.CRM.${metadataType}`,
    kind: 'metadata',
    headers: { Consistency: 'Strong' },
    operation: `read column ${column} of ${logicalName}`,
  });
  const { '@odata.context': _, ...definition } = current.body as Json;
  await ctx.transport.send({
    method: 'PUT',
    path,
    kind: 'metadata',
    json: { ...definition, '@odata.type': `Microsoft.Dynamics.CRM.${metadataType}`, ...changes },
    headers: { 'MSCRM.MergeLabels': 'true', ...(solution ? { 'MSCRM.SolutionUniqueName': solution } : {}) },
    operation: `change column ${column} of ${logicalName}`,
  });
}

/**
 * Changes the label of one option of a column's local option set: `POST UpdateOptionValue` with
 * EntityLogicalName, AttributeLogicalName, Value and Label (PA`webapi/create-update-optionsets`, "Update
 * options"), MergeLabels true so that the labels of other languages stay. Setting a label twice sets the
 * same label, so the request is safe to repeat.
 */
export async function updateOptionValue(
  ctx: ClientContext,
  logicalName: string,
  column: string,
  value: number,
  text: string,
  solution?: string,
): Promise<void> {
  await ctx.transport.send({
    method: 'POST',
    path: 'UpdateOptionValue',
    kind: 'metadata',
    json: {
      EntityLogicalName: logicalName,
      AttributeLogicalName: column,
      Value: value,
      Label: label(text),
      MergeLabels: true,
      ...(solution ? { SolutionUniqueName: solution } : {}),
    },
    idempotent: true,
    operation: `change the label of option ${value} of column ${column} of ${logicalName}`,
  });
}

/**
 * Adds one option to a column's local option set: `POST InsertOptionValue` with EntityLogicalName,
 * AttributeLogicalName, Value, Label and SolutionUniqueName (PA`webapi/create-update-optionsets`, "Insert
 * options"); Dataverse answers the value in NewOptionValue (InsertOptionValueResponse). The plan's value
 * is sent, not left to Dataverse, since value maps and loaded rows name the option by it; so the request
 * is retried after a lost answer like an idempotent one: sent twice it adds one option, as Dataverse
 * refuses a value the option set holds, and schema apply, which finds the option there when it checks
 * the organisation at its end, lists nothing for that refusal.
 */
export async function insertOptionValue(
  ctx: ClientContext,
  logicalName: string,
  column: string,
  value: number,
  text: string,
  solution?: string,
): Promise<number> {
  const res = await ctx.transport.send({
    method: 'POST',
    path: 'InsertOptionValue',
    kind: 'metadata',
    json: {
      EntityLogicalName: logicalName,
      AttributeLogicalName: column,
      Value: value,
      Label: label(text),
      ...(solution ? { SolutionUniqueName: solution } : {}),
    },
    idempotent: true,
    operation: `add option ${value} to column ${column} of ${logicalName}`,
  });
  const added = (res.body as { NewOptionValue?: unknown } | undefined)?.NewOptionValue;
  return typeof added === 'number' ? added : value;
}

/** `POST EntityDefinitions` with the table and its primary name column (reference §5.2); returns the MetadataId. */
export async function createTable(ctx: ClientContext, definition: Json, solution?: string): Promise<string> {
  const res = await post(
    ctx,
    'EntityDefinitions',
    definition,
    solution,
    `create table ${String(definition.SchemaName)}`,
  );
  const id = trailingId(res.headers['odata-entityid']);
  if (id) return id;
  const name = String(definition.SchemaName).toLowerCase();
  return metadataIdAt(ctx, entityPath(name), `read table ${name}`);
}

/** `POST RelationshipDefinitions` with a OneToManyRelationshipMetadata and its Lookup (a lookup column). */
export async function createOneToManyRelationship(
  ctx: ClientContext,
  definition: Json,
  solution?: string,
): Promise<string | undefined> {
  const body = { '@odata.type': 'Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata', ...definition };
  const res = await post(
    ctx,
    'RelationshipDefinitions',
    body,
    solution,
    `create relationship ${String(definition.SchemaName)}`,
  );
  return trailingId(res.headers['odata-entityid']);
}

/** `POST EntityDefinitions(LogicalName='x')/Keys` (reference §3.4); the index is built asynchronously. */
export async function createKey(
  ctx: ClientContext,
  logicalName: string,
  key: Json,
  solution?: string,
): Promise<string> {
  const base = `${entityPath(logicalName)}/Keys`;
  const res = await post(ctx, base, key, solution, `create key ${String(key.SchemaName)} on ${logicalName}`);
  const id = trailingId(res.headers['odata-entityid']);
  if (id) return id;
  const name = String(key.SchemaName).toLowerCase();
  return metadataIdAt(ctx, `${base}(LogicalName=${encodeURIComponent(literal(name))})`, `read key ${name}`);
}

/**
 * Builds a key's index again: `POST ReactivateEntityKey` with EntityLogicalName and EntityKeyLogicalName
 * ("Submit a new asynchronous system job to create the index for the key",
 * PA`webapi/reference/reactivateentitykey`). A key that failed for duplicate values becomes Active once
 * they are gone; submitting the job twice builds the same index, so the request is safe to repeat.
 */
export async function reactivateKey(ctx: ClientContext, logicalName: string, keyName: string): Promise<void> {
  await ctx.transport.send({
    method: 'POST',
    path: 'ReactivateEntityKey',
    kind: 'metadata',
    json: { EntityLogicalName: logicalName, EntityKeyLogicalName: keyName.toLowerCase() },
    idempotent: true,
    operation: `reactivate key ${keyName} on ${logicalName}`,
  });
}

/**
 * Polls a key until its index is Active (define-alternate-keys-entity: Pending → InProgress → Active or
 * Failed; upserts through the key fail until then). Throws on Failed or after `timeoutMs`. A key just
 * built again (ReactivateEntityKey, which only submits an asynchronous job,
 * PA`webapi/reference/reactivateentitykey`) reports the Failed of its last build until that job starts:
 * with `failedGraceMs`, Failed counts only once the key has been seen building, or after that time.
 */
export async function waitForKey(
  ctx: ClientContext,
  sleep: (ms: number) => Promise<void>,
  now: () => number,
  logicalName: string,
  keyName: string,
  o: { timeoutMs?: number; intervalMs?: number; failedGraceMs?: number } = {},
): Promise<void> {
  const deadline = now() + (o.timeoutMs ?? 600_000);
  const grace = Math.min(deadline, now() + (o.failedGraceMs ?? 0));
  let building = false;
  for (;;) {
    const key = (await keys(ctx, logicalName)).find((k) => k.logicalName === keyName.toLowerCase());
    if (!key)
      throw new KeyError(
        `the alternate key ${keyName} does not exist on ${logicalName}`,
        'create it with `flitstack schema apply`',
        'missing',
      );
    if (key.status === 'Active') return;
    if (key.status === 'Pending' || key.status === 'InProgress') building = true;
    if (key.status === 'Failed' && (building || now() >= grace))
      throw new KeyError(
        `the alternate key ${keyName} on ${logicalName} failed to build: rows of ${logicalName} hold the same values of ${key.keyAttributes.join(', ')}`,
        failedKeyHint(logicalName, keyName),
        'failed',
      );
    if (now() >= deadline)
      throw new KeyError(
        `the alternate key ${keyName} on ${logicalName} is still ${key.status} after ${Math.round((o.timeoutMs ?? 600_000) / 1000)} s`,
        'Dataverse builds the index of a large table in the background: run `flitstack schema apply` again later, or check the key in Power Apps (Tables → the table → Keys)',
        'timeout',
      );
    await sleep(o.intervalMs ?? 2000);
  }
}

/** An alternate key that cannot be used (missing, failed to build, or not Active in time), with what to do. */
export class KeyError extends Error {
  override name = 'KeyError';
  constructor(
    message: string,
    readonly hint: string,
    /** Why: the key is not there, its index failed to build (Failed), or it was not Active in time. */
    readonly reason: 'missing' | 'failed' | 'timeout',
  ) {
    super(message);
  }
}

/** What to do about an alternate key whose index failed to build. */
export function failedKeyHint(table: string, key: string): string {
  return `find the rows of ${table} that share those values and change or remove all but one, then run \`flitstack schema apply\`, which builds the key ${key} again`;
}

const xmlEscape = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

/** `PublishXml` for the named tables, or `PublishAllXml` when none is named (reference §5.3). */
export async function publish(ctx: ClientContext, entities: readonly string[]): Promise<void> {
  if (entities.length === 0) {
    await ctx.transport.send({
      method: 'POST',
      path: 'PublishAllXml',
      kind: 'metadata',
      idempotent: true,
      operation: 'publish all customizations',
    });
    return;
  }
  const xml = `<importexportxml><entities>${entities.map((e) => `<entity>${xmlEscape(e)}</entity>`).join('')}</entities></importexportxml>`;
  await ctx.transport.send({
    method: 'POST',
    path: 'PublishXml',
    kind: 'metadata',
    json: { ParameterXml: xml },
    // Publishing twice publishes the same definitions: safe to repeat.
    idempotent: true,
    operation: `publish ${entities.join(', ')}`,
  });
}

/** A solution publisher (reference §5.4). */
export interface Publisher {
  readonly id: string;
  readonly uniqueName: string;
  readonly friendlyName: string;
  readonly prefix: string;
  readonly optionValuePrefix: number;
}

/** The publisher whose customization prefix is `prefix`, if any. */
export async function publisherByPrefix(ctx: ClientContext, prefix: string): Promise<Publisher | undefined> {
  const select = 'publisherid,uniquename,friendlyname,customizationprefix,customizationoptionvalueprefix';
  const filter = encodeURIComponent(`customizationprefix eq ${literal(prefix)}`);
  const res = await ctx.transport.send({
    method: 'GET',
    path: `publishers?$select=${select}&$filter=${filter}`,
    kind: 'data',
    operation: `find the publisher with prefix ${prefix}`,
  });
  const row = ((res.body as { value?: Json[] }).value ?? [])[0];
  if (!row) return undefined;
  return {
    id: String(row.publisherid),
    uniqueName: String(row.uniquename),
    friendlyName: String(row.friendlyname),
    prefix: String(row.customizationprefix),
    optionValuePrefix: Number(row.customizationoptionvalueprefix),
  };
}
