import { handleBatch } from './batch.ts';
import { BULK_ACTIONS, type BulkAction, handleBulk } from './bulk.ts';
import type { Ctx, RequestKind } from './context.ts';
import { handleEntitySet } from './data.ts';
import { DataverseError, Errors } from './errors.ts';
import { type ApiRequest, type ApiResponse, errorResponse, jsonResponse } from './http.ts';
import { handleMetadata, METADATA_SEGMENTS } from './metadata/routes.ts';
import { parsePath, type Segment } from './odata/path.ts';

const BULK_PREFIX = 'Microsoft.Dynamics.CRM.';

function bulkAction(segments: readonly Segment[]): BulkAction | undefined {
  const name = segments[1]?.name;
  if (segments.length !== 2 || segments[0]!.key || !name?.startsWith(BULK_PREFIX)) return undefined;
  const action = name.slice(BULK_PREFIX.length);
  return (BULK_ACTIONS as readonly string[]).includes(action) ? (action as BulkAction) : undefined;
}

/** What a request path is, for the stats: bulk, batch, metadata or plain data. */
export function requestKind(path: string): RequestKind {
  const first = path.split(/[/(?]/)[0] ?? '';
  if (first === '$batch') return 'batch';
  if (METADATA_SEGMENTS.has(first)) return 'metadata';
  if (new RegExp(`/${BULK_PREFIX.replace(/\./g, '\\.')}(${BULK_ACTIONS.join('|')})$`).test(path))
    return 'bulk';
  return 'data';
}

/** `GET WhoAmI` (reference §4.1: read x-ms-dop-hint from it); POST answers "No HTTP resource". */
function whoAmI(ctx: Ctx, req: ApiRequest): ApiResponse {
  if (req.method !== 'GET') throw Errors.noHttpResource(req.url);
  return jsonResponse(200, {
    '@odata.context': `${ctx.apiUrl}$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
    BusinessUnitId: ctx.state.ids.businessUnitId,
    UserId: ctx.caller.id,
    OrganizationId: ctx.state.ids.organizationId,
  });
}

/** The organization columns the sandbox serves: its one row's id and attachment limit. */
const ORGANIZATION_COLUMNS = ['organizationid', 'maxuploadfilesize'];

/**
 * `GET organizations`: the organization table's one row, with maxuploadfilesize (Base64 bytes, the
 * sandbox's `maxUploadFileSize`), as PA`attachment-annotation-files` ("Retrieve max upload file size")
 * shows the answer. Other columns of the table are not served; writes are not either.
 */
function organizations(ctx: Ctx, req: ApiRequest, segments: readonly Segment[]): ApiResponse {
  if (segments.length !== 1 || segments[0]!.key) throw Errors.notImplemented('organization rows by id');
  if (req.method !== 'GET') throw Errors.methodNotAllowed(req.method, req.url);
  const select = (req.query.get('$select') ?? ORGANIZATION_COLUMNS.join(',')).split(',').map((c) => c.trim());
  const unknown = select.find((c) => !ORGANIZATION_COLUMNS.includes(c));
  if (unknown !== undefined) throw Errors.propertyNotFound(unknown, 'organization');
  return jsonResponse(200, {
    '@odata.context': `${ctx.apiUrl}$metadata#organizations(${select.join(',')})`,
    value: [
      {
        organizationid: ctx.state.ids.organizationId,
        ...(select.includes('maxuploadfilesize') ? { maxuploadfilesize: ctx.config.maxUploadFileSize } : {}),
      },
    ],
  });
}

/** The service document: every entity set (OData service root). */
function serviceDocument(ctx: Ctx): ApiResponse {
  return jsonResponse(200, {
    '@odata.context': `${ctx.apiUrl}$metadata`,
    value: ctx.state.catalog
      .all()
      .map((t) => ({ name: t.def.entitySetName, kind: 'EntitySet', url: t.def.entitySetName })),
  });
}

function route(ctx: Ctx, req: ApiRequest): ApiResponse {
  if (req.path === '' || req.path === '/') return serviceDocument(ctx);
  const segments = parsePath(req.path);
  const first = segments[0]!;
  if (first.name === '$batch' && segments.length === 1) return handleBatch(ctx, req, execute);
  if (first.name === '$metadata') throw Errors.notImplemented('the CSDL $metadata document');
  if (first.name === 'WhoAmI' && segments.length === 1) return whoAmI(ctx, req);
  if (METADATA_SEGMENTS.has(first.name)) return handleMetadata(ctx, req, segments);
  if (first.name === 'organizations') return organizations(ctx, req, segments);
  // Entity set names are case sensitive (troubleshoot Web API client errors: 'Account').
  const table = ctx.state.catalog.bySetName(first.name);
  if (!table) throw Errors.resourceNotFound(first.name);
  const action = bulkAction(segments);
  if (action) return handleBulk(ctx, table, action, req);
  return handleEntitySet(ctx, table, req, segments);
}

/** Runs one Web API request and turns every failure into Microsoft's error JSON. */
export function execute(ctx: Ctx, req: ApiRequest): ApiResponse {
  try {
    return route(ctx, req);
  } catch (e) {
    if (e instanceof DataverseError) return errorResponse(e);
    const message = e instanceof Error ? e.message : String(e);
    return jsonResponse(500, {
      error: { code: '0x80040216', message: `An unexpected error occurred. ${message}` },
    });
  }
}
