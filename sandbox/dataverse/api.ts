import { handleBatch } from './batch.ts';
import { BULK_ACTIONS, type BulkAction, handleBulk } from './bulk.ts';
import type { Ctx, RequestKind } from './context.ts';
import { handleEntitySet } from './data.ts';
import { DataverseError, Errors } from './errors.ts';
import { type ApiRequest, type ApiResponse, errorResponse, jsonResponse } from './http.ts';
import { privilegesJson } from './metadata/privileges.ts';
import { handleMetadata, METADATA_SEGMENTS } from './metadata/routes.ts';
import type { TableMeta } from './metadata/types.ts';
import { parsePath, type Segment } from './odata/path.ts';
import { addressOf, findId, missing } from './records/locate.ts';

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

const USER_PRIVILEGES = 'Microsoft.Dynamics.CRM.RetrieveUserPrivileges';

/**
 * `GET systemusers(<id>)/Microsoft.Dynamics.CRM.RetrieveUserPrivileges()`: the privileges a user holds
 * through its security roles and its teams' (RetrieveUserPrivilegesRequest), each a RolePrivilege
 * (PA`webapi/reference/roleprivilege`: Depth, PrivilegeId, BusinessUnitId, PrivilegeName), once each
 * (the activity tables share theirs). The sandbox's users either have a role that gives every
 * privilege of every table at Global depth, or, seeded with `hasRole: false`, none.
 */
function userPrivileges(
  ctx: Ctx,
  req: ApiRequest,
  users: TableMeta,
  segments: readonly Segment[],
): ApiResponse {
  if (req.method !== 'GET') throw Errors.methodNotAllowed(req.method, req.url);
  const address = addressOf(users, segments[0]!.key!);
  const id = findId(ctx, users, address);
  if (id === undefined) throw missing(users, address);
  const held = new Map<string, Record<string, unknown>>();
  if (!ctx.state.roleless.has(id))
    for (const t of ctx.state.catalog.all())
      for (const p of privilegesJson(t.def))
        held.set(String(p.PrivilegeId), {
          Depth: 'Global',
          PrivilegeId: p.PrivilegeId,
          BusinessUnitId: ctx.state.ids.businessUnitId,
          PrivilegeName: p.Name,
        });
  return jsonResponse(200, {
    '@odata.context': `${ctx.apiUrl}$metadata#Microsoft.Dynamics.CRM.RetrieveUserPrivilegesResponse`,
    RolePrivileges: [...held.values()],
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
  if (
    table.def.logicalName === 'systemuser' &&
    segments.length === 2 &&
    segments[0]!.key &&
    segments[1]!.name === USER_PRIVILEGES
  )
    return userPrivileges(ctx, req, table, segments);
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
