import type { Ctx } from '../context.ts';
import { Errors } from '../errors.ts';
import type { TableMeta } from '../metadata/types.ts';
import { REFERENCE_TYPES } from '../metadata/types.ts';
import type { Value } from '../store.ts';
import { resolveBind } from './locate.ts';
import { toStored } from './values.ts';

/** The column values a create or update body asks for, after conversion and validation. */
export type Changes = Record<string, Value>;

/** Parses a JSON request body into an object; anything else is Dataverse's payload error. */
export function parseJsonObject(text: string, entitySet: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = text.trim() === '' ? {} : JSON.parse(text);
  } catch (e) {
    throw Errors.badPayload(entitySet, `Invalid JSON. ${(e as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw Errors.badPayload(entitySet, 'A single entity was expected in the request payload.');
  }
  return body as Record<string, unknown>;
}

/**
 * Reads an entity body for create or update, in the order Dataverse validates it:
 * - `x@odata.bind` must name a declared single-valued navigation property, exactly (case-sensitive);
 *   a lookup's logical name is not one (client errors doc: undeclared property `parentcustomerid`);
 * - any other property must be a column; unknown names are 0x80060888 "Invalid property";
 * - values are type-checked, then dropped silently when the column is not valid for the operation
 *   (PA`entity-attribute-metadata`: createdon, modifiedon, statecode on create, overriddencreatedon on
 *   update are ignored).
 */
export function readPayload(
  ctx: Ctx,
  table: TableMeta,
  body: Record<string, unknown>,
  operation: 'create' | 'update',
): Changes {
  const entitySet = table.def.entitySetName;
  const logical = table.def.logicalName;
  const site = { table: logical, entitySet, maxUploadFileSize: ctx.config.maxUploadFileSize };
  const changes: Changes = {};
  for (const key in body) {
    const raw = body[key];
    if (key === '@odata.type') {
      const type = String(raw).replace(/^#/, '');
      if (type !== `Microsoft.Dynamics.CRM.${logical}`) {
        throw Errors.badPayload(
          entitySet,
          `A type named '${type}' could not be resolved by the model, or is not the type of entity set '${entitySet}'.`,
        );
      }
      continue;
    }
    if (key.endsWith('@odata.bind')) {
      const navName = key.slice(0, -'@odata.bind'.length);
      const nav = table.navs.get(navName);
      if (!nav) throw Errors.undeclaredProperty(navName, entitySet);
      // A null bind disassociates (associate-disassociate doc, "Disassociate tables on update").
      const ref = raw === null ? null : resolveBind(ctx, nav, raw, entitySet);
      const column = table.columns.get(nav.column)!;
      if (operation === 'create' ? column.validForCreate : column.validForUpdate) changes[nav.column] = ref;
      continue;
    }
    // Instance annotations (@odata.etag, @odata.context) and property annotations (x@…) carry no data.
    if (key.includes('@')) continue;
    const nav = table.navs.get(key);
    if (nav && raw === null) {
      // Setting the navigation property itself to null disassociates too (same doc).
      const column = table.columns.get(nav.column)!;
      if (operation === 'create' ? column.validForCreate : column.validForUpdate) changes[nav.column] = null;
      continue;
    }
    if (nav && typeof raw === 'object') throw Errors.notImplemented(`deep insert ('${key}')`);
    const column = table.columns.get(key);
    if (!column || REFERENCE_TYPES.has(column.type)) throw Errors.invalidProperty(key, logical);
    const value = toStored(column, raw, site);
    if (operation === 'create' ? column.validForCreate : column.validForUpdate) changes[key] = value;
  }
  return changes;
}
