import { type ClientContext, recordWrites } from './context.ts';
import { type DataverseError, isDuplicateRecord, NOT_FOUND_CODES } from './errors.ts';
import { idFromEntityId, queryString, type RecordRef, recordPath } from './odata.ts';

type Json = Record<string, unknown>;

/** Options shared by single-record writes. */
export interface WriteOptions {
  /** Extra request headers, e.g. `MSCRM.SuppressDuplicateDetection` or `MSCRM.BypassBusinessLogicExecution`. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Options of `create`. */
export interface CreateOptions extends WriteOptions {
  /**
   * A client-chosen primary key (e.g. a deterministic GUID). The create then becomes idempotent: it is
   * retried after failures without an answer, and a DuplicateRecord on such a retry means the first
   * attempt created the record.
   */
  readonly id?: string;
}

/** How `upsert` treats an existing or missing record (PA`use-upsert-insert-update-record`). */
export type UpsertMode = 'upsert' | 'create-only' | 'update-only';

/** Options of `upsert`. */
export interface UpsertOptions extends WriteOptions {
  /** `create-only` sends `If-None-Match: *` (412 when it exists); `update-only` sends `If-Match: *` (404). */
  readonly mode?: UpsertMode;
  /**
   * Ask for the primary key back with `Prefer: return=representation` and `$select` of the key alone:
   * the answer is 201 for a create and 200 for an update, at the cost of a retrieve (reference §3.3).
   */
  readonly returnId?: boolean;
}

/** What an upsert did, as far as the answer tells. */
export interface UpsertResult {
  /** The record's id, when the answer named it. */
  readonly id?: string;
  /** True for a create, false for an update; only known with `returnId`. */
  readonly created?: boolean;
}

/** `POST {set}`: 204 with OData-EntityId; the id comes from that header (compose-http-requests). */
export async function create(
  ctx: ClientContext,
  entitySet: string,
  record: Json,
  o: CreateOptions = {},
): Promise<string> {
  let body = record;
  if (o.id !== undefined) {
    const table = await ctx.tables.bySet(entitySet);
    body = { ...record, [table.primaryIdAttribute]: o.id.toLowerCase() };
  }
  const res = await ctx.transport.send({
    method: 'POST',
    path: entitySet,
    kind: 'data',
    json: body,
    ...(o.headers ? { headers: o.headers } : {}),
    idempotent: o.id !== undefined,
    operation: `create in ${entitySet}`,
    settledOnRetry: isDuplicateRecord,
  });
  const id = idFromEntityId(res.headers['odata-entityid']) ?? o.id?.toLowerCase();
  if (!id) throw new Error(`create in ${entitySet}: the answer named no record id (OData-EntityId missing)`);
  recordWrites(ctx, 'data', 1);
  return id;
}

/** `PATCH {set}(key)` with `If-Match: *`: updates, never creates (404 when the record is missing). */
export async function update(
  ctx: ClientContext,
  entitySet: string,
  ref: RecordRef,
  changes: Json,
  o: WriteOptions = {},
): Promise<void> {
  await ctx.transport.send({
    method: 'PATCH',
    path: recordPath(entitySet, ref),
    kind: 'data',
    json: changes,
    headers: { ...o.headers, 'If-Match': '*' },
    operation: `update in ${entitySet}`,
  });
  recordWrites(ctx, 'data', 1);
}

/**
 * `PATCH {set}(key)` without `If-Match` is an upsert (reference §3.3). A create-only upsert retried after
 * an unanswered attempt that did create the record answers 412; that counts as done.
 */
export async function upsert(
  ctx: ClientContext,
  entitySet: string,
  ref: RecordRef,
  record: Json,
  o: UpsertOptions = {},
): Promise<UpsertResult> {
  const mode = o.mode ?? 'upsert';
  const headers: Record<string, string> = { ...o.headers };
  if (mode === 'create-only') headers['If-None-Match'] = '*';
  if (mode === 'update-only') headers['If-Match'] = '*';
  let query = '';
  if (o.returnId) {
    const table = await ctx.tables.bySet(entitySet);
    headers.Prefer = 'return=representation';
    query = queryString({ select: [table.primaryIdAttribute] });
  }
  const res = await ctx.transport.send({
    method: 'PATCH',
    path: `${recordPath(entitySet, ref)}${query}`,
    kind: 'data',
    json: record,
    headers,
    operation: `${mode} into ${entitySet}`,
    ...(mode === 'create-only' ? { settledOnRetry: (e: DataverseError) => e.status === 412 } : {}),
  });
  recordWrites(ctx, 'data', 1);
  if (res.settled) return {};
  if (o.returnId && res.body && typeof res.body === 'object') {
    const table = await ctx.tables.bySet(entitySet);
    const id = (res.body as Json)[table.primaryIdAttribute];
    return { ...(typeof id === 'string' ? { id: id.toLowerCase() } : {}), created: res.status === 201 };
  }
  const id =
    idFromEntityId(res.headers['odata-entityid']) ??
    (typeof ref === 'string' ? ref.toLowerCase() : undefined);
  return id ? { id } : {};
}

/** Options of `delete`. */
export interface DeleteOptions extends WriteOptions {
  /** Treat a record that is already gone as deleted instead of throwing. */
  readonly missingOk?: boolean;
}

/**
 * `DELETE {set}(key)`. A 404 on a retry after an unanswered attempt means that attempt deleted it.
 * Returns false only when the record was already missing and `missingOk` is set.
 */
export async function remove(
  ctx: ClientContext,
  entitySet: string,
  ref: RecordRef,
  o: DeleteOptions = {},
): Promise<boolean> {
  try {
    await ctx.transport.send({
      method: 'DELETE',
      path: recordPath(entitySet, ref),
      kind: 'data',
      ...(o.headers ? { headers: o.headers } : {}),
      operation: `delete from ${entitySet}`,
      settledOnRetry: (e) => e.status === 404,
    });
  } catch (e) {
    if (
      o.missingOk &&
      (e as DataverseError).status === 404 &&
      NOT_FOUND_CODES.has((e as DataverseError).code)
    )
      return false;
    throw e;
  }
  recordWrites(ctx, 'data', 1);
  return true;
}

/** `GET {set}(key)?$select=…`; undefined when the record does not exist. */
export async function retrieve<T = Json>(
  ctx: ClientContext,
  entitySet: string,
  ref: RecordRef,
  select?: readonly string[],
): Promise<T | undefined> {
  try {
    const res = await ctx.transport.send({
      method: 'GET',
      path: `${recordPath(entitySet, ref)}${queryString({ ...(select ? { select } : {}) })}`,
      kind: 'data',
      operation: `retrieve from ${entitySet}`,
    });
    return res.body as T;
  } catch (e) {
    // Only "no such record" means undefined; a wrong entity set (0x8006088a) is a real error.
    if ((e as DataverseError).status === 404 && NOT_FOUND_CODES.has((e as DataverseError).code))
      return undefined;
    throw e;
  }
}
