import { randomUUID } from 'node:crypto';
import type { Ctx } from '../context.ts';
import { Errors } from '../errors.ts';
import { privilegeName } from '../metadata/privileges.ts';
import type { TableMeta } from '../metadata/types.ts';
import { isRef, type Ref, type Row, type Value } from '../store.ts';
import { computeColumns, mirrorConnection } from './computed.ts';
import type { Changes } from './payload.ts';

const seconds = (ms: number) => Math.floor(ms / 1000) * 1000;

function requireWritable(table: TableMeta): void {
  if (!table.def.writable) throw Errors.notImplemented(`writes to '${table.def.logicalName}'`);
}

function requireUpdatable(table: TableMeta): void {
  if (!table.def.updatable) throw Errors.notImplemented(`updates of '${table.def.logicalName}'`);
}

function stateLabel(table: TableMeta, state: number): string {
  const label =
    table.columns.get('statecode')?.options?.find((o) => o.value === state)?.label ?? String(state);
  return `${table.def.schemaName}State.${label.replace(/\s/g, '')}`;
}

function checkStatus(table: TableMeta, id: string, state: number, status: Value): void {
  const options = table.columns.get('statuscode')?.options;
  if (!options || status === null) return;
  if (!options.some((o) => o.value === status && o.state === state)) {
    throw Errors.invalidStatus(status as number, stateLabel(table, state), table.def.logicalName, id);
  }
}

function defaultStatus(table: TableMeta, state: number): number | undefined {
  return table.columns.get('statecode')?.options?.find((o) => o.value === state)?.defaultStatus;
}

/**
 * A user who owns a record needs read access to its table through a security role; being disabled does
 * not matter: "Stub users can own records if they have user-level read access to the relevant tables
 * … Even users disabled in the Dataverse environment with this role can own records"
 * (PP`architecture/key-concepts/data-migration/workflow-complex-data-migration`, reference §2). A user
 * in no business unit is refused with unManagedidsusernotenabled (reference §8).
 */
function checkOwner(ctx: Ctx, table: TableMeta, owner: Value): void {
  if (!isRef(owner) || owner.table !== 'systemuser') return;
  const user = ctx.state.store.get('systemuser', owner.id);
  if (!user || !isRef(user.businessunitid)) throw Errors.userDisabled();
  if (ctx.state.roleless.has(owner.id))
    throw Errors.ownerWithoutRole(owner.id, privilegeName(table.def, 'Read'));
}

function ownership(ctx: Ctx, owner: Ref): Record<string, Value> {
  const store = ctx.state.store;
  const ownerRow = store.get(owner.table, owner.id);
  const bu = ownerRow?.businessunitid ?? { id: ctx.state.ids.businessUnitId, table: 'businessunit' };
  return {
    owningbusinessunit: bu,
    owninguser: owner.table === 'systemuser' ? owner : null,
    owningteam: owner.table === 'team' ? owner : null,
  };
}

/** Runs the organisation's synchronous plug-ins on the row about to be written (SyncPlugin). */
function runPlugins(ctx: Ctx, table: TableMeta, row: Row): void {
  for (const plugin of ctx.config.plugins) {
    if (plugin.table !== table.def.logicalName) continue;
    const message = plugin.refuse(row);
    if (message !== undefined) throw Errors.isvAborted(message, plugin.status);
  }
}

function checkKeys(ctx: Ctx, table: TableMeta, id: string, row: Row): void {
  const conflict = ctx.state.store.keyConflict(table.def.logicalName, id, row);
  if (conflict) {
    const key = table.keys.find((k) => k.logicalName === conflict.logicalName);
    throw Errors.duplicateKey(key?.schemaName ?? conflict.logicalName, conflict.attributes.join(','));
  }
}

/**
 * Creates a record. Client-supplied primary keys are allowed. statecode is not valid for create and is
 * dropped by `readPayload`, so statuscode must belong to the default state. `overriddencreatedon`
 * (reference §2) becomes `createdon` and is itself set to the actual time, when the caller holds
 * prvOverrideCreatedOnCreatedBy; without it the value is ignored, as the CMT log in the reference shows.
 */
export function createRecord(ctx: Ctx, table: TableMeta, changes: Changes, id?: string): string {
  requireWritable(table);
  const { store } = ctx.state;
  const def = table.def;
  const recordId = String(changes[def.primaryId] ?? id ?? randomUUID()).toLowerCase();
  if (store.get(def.logicalName, recordId)) throw Errors.duplicateRecord();
  const now = seconds(ctx.now());
  const caller = ctx.caller;
  const row: Record<string, Value> = {};
  row[def.primaryId] = recordId;
  row.createdon = now;
  row.modifiedon = now;
  row.createdby = caller;
  row.modifiedby = caller;
  row.overriddencreatedon = null;
  row.versionnumber = store.nextVersion();
  defaultsOf(table, row);
  for (const key in changes) {
    if (key !== def.primaryId && key !== 'overriddencreatedon') row[key] = changes[key]!;
  }
  if ('statuscode' in changes) checkStatus(table, recordId, 0, changes.statuscode ?? null);
  if (def.ownership === 'UserOwned') {
    const owner = (isRef(row.ownerid) ? row.ownerid : caller) as Ref;
    checkOwner(ctx, table, owner);
    row.ownerid = owner;
    Object.assign(row, ownership(ctx, owner));
  }
  const overridden = changes.overriddencreatedon;
  if (overridden !== undefined && overridden !== null && ctx.config.grantOverrideCreatedOn) {
    if ((overridden as number) > ctx.now()) throw Errors.futureOverriddenCreatedOn();
    row.createdon = overridden;
    row.overriddencreatedon = now;
  }
  Object.assign(row, computeColumns(ctx, table, row));
  runPlugins(ctx, table, row);
  checkKeys(ctx, table, recordId, row);
  store.put(def.logicalName, recordId, row);
  ctx.counters.recordsCreated += 1;
  if (def.logicalName === 'connection') mirrorConnection(ctx, recordId, true);
  return recordId;
}

/** Sets column defaults on a new row: DefaultValue of two-options and choices, and the default state. */
function defaultsOf(table: TableMeta, row: Record<string, Value>): void {
  for (const column of table.columns.values()) {
    if (column.defaultValue !== undefined) row[column.logicalName] = column.defaultValue;
  }
  if (table.columns.has('statecode')) {
    row.statecode = 0;
    row.statuscode = defaultStatus(table, 0) ?? null;
  }
}

/** Updates a record; the state model pairs statecode with statuscode (default status when omitted). */
export function updateRecord(ctx: Ctx, table: TableMeta, id: string, changes: Changes): void {
  requireUpdatable(table);
  const { store } = ctx.state;
  const def = table.def;
  const existing = store.get(def.logicalName, id);
  if (!existing) throw Errors.doesNotExist(def.logicalName, id);
  const row: Record<string, Value> = { ...existing, ...changes };
  delete row[def.primaryId];
  row[def.primaryId] = existing[def.primaryId]!;
  if ('statecode' in changes) {
    const state = changes.statecode as number;
    if ('statuscode' in changes) checkStatus(table, id, state, changes.statuscode ?? null);
    else row.statuscode = defaultStatus(table, state) ?? null;
  } else if ('statuscode' in changes) {
    checkStatus(table, id, existing.statecode as number, changes.statuscode ?? null);
  }
  if ('ownerid' in changes && isRef(changes.ownerid)) {
    checkOwner(ctx, table, changes.ownerid);
    Object.assign(row, ownership(ctx, changes.ownerid));
  }
  row.modifiedon = seconds(ctx.now());
  row.modifiedby = ctx.caller;
  row.versionnumber = store.nextVersion();
  Object.assign(row, computeColumns(ctx, table, row));
  runPlugins(ctx, table, row);
  checkKeys(ctx, table, id, row);
  store.put(def.logicalName, id, row);
  ctx.counters.recordsUpdated += 1;
  if (def.logicalName === 'connection') mirrorConnection(ctx, id, false);
}

/**
 * Deletes a record and applies each relationship's cascade: Cascade deletes children (contacts of an
 * account through contact_customer_accounts, notes through objectid), RemoveLink clears the lookup.
 */
export function deleteRecord(ctx: Ctx, table: TableMeta, id: string, visited = new Set<string>()): void {
  requireWritable(table);
  const { store, catalog } = ctx.state;
  const name = table.def.logicalName;
  if (!store.get(name, id)) throw Errors.doesNotExist(name, id);
  visited.add(id.toLowerCase());
  for (const [childTable, childId, column] of store.referencing(id)) {
    if (visited.has(childId)) continue;
    const child = catalog.table(childTable);
    const rule =
      child && [...child.navs.values()].find((n) => n.column === column && n.targets.includes(name));
    if (!child || !rule || !store.get(childTable, childId)) continue;
    if (rule.cascadeDelete === 'Cascade') {
      deleteRecord(ctx, child, childId, visited);
    } else if (rule.cascadeDelete === 'RemoveLink' && child.columns.get(column)?.validForUpdate) {
      const row = store.get(childTable, childId)!;
      store.put(childTable, childId, { ...row, [column]: null, versionnumber: store.nextVersion() });
    }
  }
  store.remove(name, id);
  ctx.counters.recordsDeleted += 1;
}
