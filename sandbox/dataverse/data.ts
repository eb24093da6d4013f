import type { Ctx } from './context.ts';
import { Errors } from './errors.ts';
import { type ApiRequest, type ApiResponse, emptyResponse, jsonResponse, parsePrefer } from './http.ts';
import { privilegesJson } from './metadata/privileges.ts';
import type { TableMeta } from './metadata/types.ts';
import type { Segment } from './odata/path.ts';
import { MAX_PAGE_SIZE, parseQueryOptions, runQuery } from './odata/query.ts';
import {
  type Address,
  addressOf,
  findId,
  missing,
  resolveBind,
  upsertAddress,
  withKeyValues,
} from './records/locate.ts';
import { rowResolver, structuralColumn } from './records/members.ts';
import { parseJsonObject, readPayload } from './records/payload.ts';
import { annotationChoice, contextUrl, selectColumns, shapeRow } from './records/shape.ts';
import { createRecord, deleteRecord, updateRecord } from './records/write.ts';

/** Builds the `@odata.nextLink`: the same query options plus `$skiptoken` (page-results doc). */
function nextLink(ctx: Ctx, set: string, query: URLSearchParams, token: string): string {
  const parts: string[] = [];
  for (const [k, v] of query) if (k !== '$skiptoken') parts.push(`${k}=${encodeURIComponent(v)}`);
  parts.push(`$skiptoken=${token}`);
  return `${ctx.apiUrl}${set}?${parts.join('&')}`;
}

function preferenceApplied(values: (string | undefined)[]): Record<string, string> {
  const applied = values.filter((v): v is string => v !== undefined);
  return applied.length > 0 ? { 'Preference-Applied': applied.join(',') } : {};
}

/** GET on an entity set: `$select`, `$filter`, `$orderby`, `$top`, `$count` and `odata.maxpagesize`. */
function listRecords(ctx: Ctx, table: TableMeta, req: ApiRequest): ApiResponse {
  const options = parseQueryOptions(req.query);
  if (options.expand !== undefined) throw Errors.notImplemented('$expand');
  const prefer = parsePrefer(req.headers.prefer);
  if (prefer.maxPageSize !== undefined && (prefer.maxPageSize < 1 || prefer.maxPageSize > MAX_PAGE_SIZE)) {
    // "You can't request a page size larger than 5,000" (page-results doc); rejected rather than capped.
    throw Errors.querySyntax(`The odata.maxpagesize preference must be between 1 and ${MAX_PAGE_SIZE}.`);
  }
  const columns = selectColumns(table, options.select);
  // With odata.maxpagesize, $top is ignored; $top alone returns one page without a next link.
  const paged = prefer.maxPageSize !== undefined || options.top === undefined;
  const pageSize = prefer.maxPageSize ?? Math.min(options.top ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  const pk = table.def.primaryId;
  const page = runQuery(
    ctx.state.store.rows(table.def.logicalName),
    options,
    rowResolver(ctx, table),
    (row) => row[pk] as string,
    pageSize,
    paged,
  );
  const ann = annotationChoice(prefer.includeAnnotations);
  const set = table.def.entitySetName;
  const body: Record<string, unknown> = { '@odata.context': contextUrl(ctx, set, options.select, false) };
  if (options.count) body['@odata.count'] = page.count;
  if (ann.totalCount) {
    // count-rows doc: totalrecordcount is -1 without $count=true; the limit is 5,000.
    body['@Microsoft.Dynamics.CRM.totalrecordcount'] = options.count ? page.count : -1;
    body['@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded'] =
      options.count && page.total > MAX_PAGE_SIZE;
  }
  body.value = page.rows.map((row) => shapeRow(ctx, table, row, columns, ann));
  if (page.nextToken) body['@odata.nextLink'] = nextLink(ctx, set, req.query, page.nextToken);
  return jsonResponse(
    200,
    body,
    preferenceApplied([
      prefer.maxPageSize !== undefined ? `odata.maxpagesize=${prefer.maxPageSize}` : undefined,
      prefer.includeAnnotations !== undefined
        ? `odata.include-annotations=${prefer.includeAnnotations}`
        : undefined,
    ]),
  );
}

/** `GET /{set}/$count`: the number of matching rows as plain text, at most 5,000 (count-rows doc). */
function countRecords(ctx: Ctx, table: TableMeta, req: ApiRequest): ApiResponse {
  const options = parseQueryOptions(req.query);
  const pk = table.def.primaryId;
  const page = runQuery(
    ctx.state.store.rows(table.def.logicalName),
    options,
    rowResolver(ctx, table),
    (row) => row[pk] as string,
    0,
    false,
  );
  return { status: 200, headers: { 'Content-Type': 'text/plain' }, body: String(page.count) };
}

/** The representation of one record, honouring `$select` and include-annotations. */
function representation(
  ctx: Ctx,
  table: TableMeta,
  req: ApiRequest,
  id: string,
  status: number,
): ApiResponse {
  const options = parseQueryOptions(req.query);
  const prefer = parsePrefer(req.headers.prefer);
  const columns = selectColumns(table, options.select);
  const row = ctx.state.store.get(table.def.logicalName, id)!;
  const body = {
    '@odata.context': contextUrl(ctx, table.def.entitySetName, options.select, true),
    ...shapeRow(ctx, table, row, columns, annotationChoice(prefer.includeAnnotations)),
  };
  const applied = [
    status !== 200 || req.method !== 'GET' ? 'return=representation' : undefined,
    prefer.includeAnnotations !== undefined
      ? `odata.include-annotations=${prefer.includeAnnotations}`
      : undefined,
  ];
  const entityId: Record<string, string> =
    status === 201 ? { 'OData-EntityId': `${ctx.apiUrl}${table.def.entitySetName}(${id})` } : {};
  return jsonResponse(status, body, {
    ETag: `W/"${row.versionnumber}"`,
    ...entityId,
    ...preferenceApplied(applied),
  });
}

/** POST on an entity set: 204 + OData-EntityId, or 201 with the record for `return=representation`. */
function createFromBody(ctx: Ctx, table: TableMeta, req: ApiRequest): ApiResponse {
  const body = parseJsonObject(req.body, table.def.entitySetName);
  const id = createRecord(ctx, table, readPayload(ctx, table, body, 'create'));
  if (parsePrefer(req.headers.prefer).returnRepresentation) return representation(ctx, table, req, id, 201);
  const entityId = `${ctx.apiUrl}${table.def.entitySetName}(${id})`;
  return emptyResponse(204, { 'OData-EntityId': entityId, Location: entityId });
}

/**
 * PATCH on a record: update, or upsert when no `If-Match` is sent (PA`use-upsert-insert-update-record`).
 * `If-Match: *` makes it update-only (404 when missing), `If-None-Match: *` create-only (412 when it
 * exists), an etag in `If-Match` gives optimistic concurrency (412 on mismatch). Key values in the body
 * are ignored on update; on create the body's values win over the URL's.
 */
function patchRecord(
  ctx: Ctx,
  table: TableMeta,
  req: ApiRequest,
  seg: Segment,
  address: Address,
): ApiResponse {
  const name = table.def.logicalName;
  const ifMatch = req.headers['if-match'];
  const ifNoneMatch = req.headers['if-none-match'];
  const body = parseJsonObject(req.body, table.def.entitySetName);
  const existingId = findId(ctx, table, upsertAddress(table, address, body));
  const existing = existingId !== undefined ? ctx.state.store.get(name, existingId) : undefined;
  if (ifMatch !== undefined) {
    if (!existing) throw missing(table, address);
    if (ifMatch !== '*' && ifMatch !== `W/"${existing.versionnumber}"`) throw Errors.versionMismatch();
  }
  if (ifNoneMatch === '*' && existing) throw Errors.alreadyExists();
  const prefer = parsePrefer(req.headers.prefer);
  let id: string;
  let created = false;
  if (existingId !== undefined) {
    const changes = readPayload(ctx, table, body, 'update');
    if (address.by === 'key') for (const a of address.key.attributes) delete changes[a];
    updateRecord(ctx, table, existingId, changes);
    id = existingId;
  } else {
    const changes = withKeyValues(table, address, readPayload(ctx, table, body, 'create'));
    id = createRecord(ctx, table, changes, address.by === 'id' ? address.id : undefined);
    created = true;
  }
  if (prefer.returnRepresentation) return representation(ctx, table, req, id, created ? 201 : 200);
  return emptyResponse(204, { 'OData-EntityId': `${ctx.apiUrl}${seg.raw}` });
}

/**
 * One property of a record (PA`webapi/update-delete-entities-using-web-api`): GET reads `{ value }`, PUT
 * writes `{ "value": … }`, DELETE clears it.
 */
function singleProperty(
  ctx: Ctx,
  table: TableMeta,
  req: ApiRequest,
  address: Address,
  name: string,
): ApiResponse {
  const id = findId(ctx, table, address);
  if (id === undefined) throw missing(table, address);
  const column = structuralColumn(table, name)!;
  if (req.method === 'GET') {
    const row = ctx.state.store.get(table.def.logicalName, id)!;
    const value = shapeRow(ctx, table, row, [column], annotationChoice(undefined))[name];
    return jsonResponse(200, {
      '@odata.context': `${ctx.apiUrl}$metadata#${table.def.entitySetName}(${id})/${name}`,
      value,
    });
  }
  if (name !== column.logicalName) throw Errors.methodNotAllowed(req.method, req.url);
  if (req.method === 'PUT') {
    const body = parseJsonObject(req.body, table.def.entitySetName);
    updateRecord(ctx, table, id, readPayload(ctx, table, { [name]: body.value ?? null }, 'update'));
  } else if (req.method === 'DELETE') {
    updateRecord(ctx, table, id, readPayload(ctx, table, { [name]: null }, 'update'));
  } else {
    throw Errors.methodNotAllowed(req.method, req.url);
  }
  return emptyResponse(204);
}

/**
 * `PUT …/{nav}/$ref` with `{"@odata.id": …}` sets a single-valued navigation property; `DELETE …/{nav}/$ref`
 * clears it (PA`webapi/associate-disassociate-entities-using-web-api`).
 */
function singleValuedRef(
  ctx: Ctx,
  table: TableMeta,
  req: ApiRequest,
  address: Address,
  navName: string,
): ApiResponse {
  const nav = table.navs.get(navName);
  if (!nav) throw Errors.resourceNotFound(navName);
  const id = findId(ctx, table, address);
  if (id === undefined) throw missing(table, address);
  if (req.method === 'DELETE') {
    updateRecord(ctx, table, id, { [nav.column]: null });
  } else if (req.method === 'PUT') {
    const body = parseJsonObject(req.body, table.def.entitySetName);
    updateRecord(ctx, table, id, {
      [nav.column]: resolveBind(ctx, nav, body['@odata.id'], table.def.entitySetName),
    });
  } else {
    throw Errors.methodNotAllowed(req.method, req.url);
  }
  return emptyResponse(204);
}

/** Requests on `/{entitySet}` and `/{entitySet}(key)`. */
export function handleEntitySet(
  ctx: Ctx,
  table: TableMeta,
  req: ApiRequest,
  segments: readonly Segment[],
): ApiResponse {
  const seg = segments[0]!;
  if (segments.length === 2 && !seg.key && segments[1]!.name === '$count' && req.method === 'GET') {
    return countRecords(ctx, table, req);
  }
  if (segments.length === 3 && seg.key && segments[2]!.name === '$ref') {
    return singleValuedRef(ctx, table, req, addressOf(table, seg.key), segments[1]!.name);
  }
  if (segments.length === 2 && seg.key && structuralColumn(table, segments[1]!.name)) {
    return singleProperty(ctx, table, req, addressOf(table, seg.key), segments[1]!.name);
  }
  if (segments.length > 1) throw Errors.notImplemented(`the path segment '${segments[1]!.raw}'`);
  if (req.method === 'GET' && ctx.config.unreadableTables.includes(table.def.logicalName)) {
    const read = privilegesJson(table.def).find((p) => p.PrivilegeType === 'Read')!;
    throw Errors.callerCannotRead(
      ctx.caller.id,
      String(read.Name),
      String(read.PrivilegeId),
      table.def.objectTypeCode,
      table.def.logicalName,
    );
  }
  if (!seg.key) {
    if (req.method === 'GET') return listRecords(ctx, table, req);
    if (req.method === 'POST') return createFromBody(ctx, table, req);
    throw Errors.methodNotAllowed(req.method, req.url);
  }
  const address = addressOf(table, seg.key);
  switch (req.method) {
    case 'GET': {
      const id = findId(ctx, table, address);
      if (id === undefined) throw missing(table, address);
      const row = ctx.state.store.get(table.def.logicalName, id)!;
      const ifNoneMatch = req.headers['if-none-match'];
      // Conditional retrieval (PA`webapi/perform-conditional-operations-using-web-api`): 304 when unchanged.
      if (ifNoneMatch !== undefined && ifNoneMatch === `W/"${row.versionnumber}"`) return emptyResponse(304);
      return representation(ctx, table, req, id, 200);
    }
    case 'PATCH':
      return patchRecord(ctx, table, req, seg, address);
    case 'DELETE': {
      const id = findId(ctx, table, address);
      if (id === undefined) throw missing(table, address);
      deleteRecord(ctx, table, id);
      return emptyResponse(204);
    }
    default:
      throw Errors.methodNotAllowed(req.method, req.url);
  }
}
