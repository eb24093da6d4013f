import { type Ctx, restoreWrites, saveWrites } from './context.ts';
import { Errors } from './errors.ts';
import { type ApiRequest, type ApiResponse, emptyResponse, jsonResponse } from './http.ts';
import type { TableMeta } from './metadata/types.ts';
import { parsePath, resourcePath } from './odata/path.ts';
import { type Address, addressOf, findId, missing, upsertAddress, withKeyValues } from './records/locate.ts';
import { readPayload } from './records/payload.ts';
import { createRecord, updateRecord } from './records/write.ts';

/** The bulk messages of PA`bulk-operations` (reference §3.1). */
export const BULK_ACTIONS = ['CreateMultiple', 'UpdateMultiple', 'UpsertMultiple'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

type Item = Record<string, unknown>;

function readTargets(req: ApiRequest, action: BulkAction, table: TableMeta): Item[] {
  let body: unknown;
  try {
    body = JSON.parse(req.body);
  } catch (e) {
    throw Errors.badPayload(table.def.entitySetName, `Invalid JSON. ${(e as Error).message}`);
  }
  const targets = (body as { Targets?: unknown } | null)?.Targets;
  if (!Array.isArray(targets) || targets.length === 0) {
    throw Errors.invalidArgument(`Required field 'Targets' is missing or empty for RequestName='${action}'.`);
  }
  return targets.map((t, i) => {
    if (typeof t !== 'object' || t === null || Array.isArray(t)) {
      throw Errors.invalidArgument(`Targets[${i}] of ${action} is not an entity.`);
    }
    // "@odata.type is mandatory on every item" and all items are of the set's table (upsertmultiple doc).
    const type = (t as Item)['@odata.type'];
    if (typeof type !== 'string') {
      throw Errors.badPayload(
        table.def.entitySetName,
        `Targets[${i}]: the '@odata.type' annotation is required for every entity in the Targets collection of ${action}.`,
      );
    }
    if (type.replace(/^#/, '') !== `Microsoft.Dynamics.CRM.${table.def.logicalName}`) {
      throw Errors.badPayload(
        table.def.entitySetName,
        `Targets[${i}]: all entities in Targets must be of type 'Microsoft.Dynamics.CRM.${table.def.logicalName}', found '${type}'.`,
      );
    }
    return t as Item;
  });
}

/** Where an UpsertMultiple/UpdateMultiple item points: `@odata.id` key form, the primary key, or key columns. */
function itemAddress(ctx: Ctx, table: TableMeta, item: Item, action: BulkAction): Address | undefined {
  const odataId = item['@odata.id'];
  if (typeof odataId === 'string') {
    const segments = parsePath(resourcePath(odataId));
    const seg = segments[0];
    if (segments.length !== 1 || !seg?.key || seg.name !== table.def.entitySetName) {
      throw Errors.badPayload(
        table.def.entitySetName,
        `The @odata.id '${odataId}' does not address a ${table.def.logicalName}.`,
      );
    }
    return addressOf(table, seg.key);
  }
  const pk = item[table.def.primaryId];
  if (typeof pk === 'string') return { by: 'id', id: pk.toLowerCase() };
  for (const key of ctx.state.catalog.activeKeys(table)) {
    if (key.attributes.every((a) => item[a] !== undefined && item[a] !== null)) {
      const changes = readPayload(
        ctx,
        table,
        Object.fromEntries(key.attributes.map((a) => [a, item[a]])),
        'create',
      );
      return { by: 'key', key, values: changes };
    }
  }
  if (action === 'CreateMultiple') return undefined;
  throw Errors.invalidArgument(
    `Each item of ${action} needs its primary key, an alternate key or '@odata.id'.`,
  );
}

function runItem(ctx: Ctx, table: TableMeta, action: BulkAction, item: Item): string {
  // '@odata.id' is an annotation, which readPayload skips.
  const body = item;
  if (action === 'CreateMultiple') return createRecord(ctx, table, readPayload(ctx, table, body, 'create'));
  const address = itemAddress(ctx, table, item, action)!;
  const id = findId(ctx, table, upsertAddress(table, address, item));
  if (id !== undefined) {
    const changes = readPayload(ctx, table, body, 'update');
    delete changes[table.def.primaryId];
    if (address.by === 'key') for (const a of address.key.attributes) delete changes[a];
    updateRecord(ctx, table, id, changes);
    return id;
  }
  if (action === 'UpdateMultiple') throw missing(table, address);
  if (address.by === 'key' && typeof item['@odata.id'] === 'string') {
    if (address.key.attributes.some((a) => a in item)) throw Errors.unexpected();
  }
  const changes = withKeyValues(table, address, readPayload(ctx, table, body, 'create'));
  return createRecord(ctx, table, changes, address.by === 'id' ? address.id : undefined);
}

/**
 * CreateMultiple / UpdateMultiple / UpsertMultiple on `/{set}/Microsoft.Dynamics.CRM.<action>`.
 * Tables without the message registered answer SdkEntityDoesNotSupportMessage. On standard tables any
 * error rolls back the whole request (bulk-operations). The error is the item's own, as Dataverse
 * answers it: it does not say which item failed ("Cannot insert duplicate key."), unless its text
 * names the row ("Contact With Ids = <guid> Do Not Exist"). A request of more items than the sandbox's
 * `bulkTimeoutItems` fails with SQL timeout expired, as one too large for the database's time does; one
 * of more items than `bulkSlow.items` is written and answered after `bulkSlow.delayMs`.
 */
export function handleBulk(ctx: Ctx, table: TableMeta, action: BulkAction, req: ApiRequest): ApiResponse {
  if (req.method !== 'POST') throw Errors.noHttpResource(req.url);
  if (!table.bulk || !table.def.writable) throw Errors.messageNotSupported(action, table.def.logicalName);
  const targets = readTargets(req, action, table);
  // On standard tables the whole request is one transaction: too many items and it times out (nothing kept).
  const timeout = ctx.config.bulkTimeoutItems;
  if (timeout !== null && targets.length > timeout) throw Errors.sqlTimeout();
  const store = ctx.state.store;
  const savepoint = store.savepoint();
  const counts = saveWrites(ctx.counters);
  const ids: string[] = [];
  try {
    for (const item of targets) ids.push(runItem(ctx, table, action, item));
  } catch (e) {
    store.rollback(savepoint);
    restoreWrites(ctx.counters, counts);
    throw e;
  }
  store.release();
  const response =
    action === 'CreateMultiple'
      ? jsonResponse(200, {
          '@odata.context': `${ctx.apiUrl}$metadata#Microsoft.Dynamics.CRM.CreateMultipleResponse`,
          Ids: ids,
        })
      : emptyResponse(204);
  const slow = ctx.config.bulkSlow;
  return slow !== null && targets.length > slow.items ? { ...response, delayMs: slow.delayMs } : response;
}
