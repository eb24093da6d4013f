import { recordUri } from '../dataverse/index.ts';
import { LOOKUP_NAV_ANNOTATION, LOOKUP_TABLE_ANNOTATION } from '../run/write.ts';
import type { TableResolver, TargetTable } from './tables.ts';

/** A body that writes a pre-image back, or why it cannot be built. */
export type ImageBody =
  | {
      readonly body: Record<string, unknown>;
      /** statecode/statuscode of the image, for a recreated row (statecode is not valid on create). */
      readonly state?: { readonly statecode: unknown; readonly statuscode: unknown };
    }
  | { readonly problem: string };

const LOOKUP = /^_(.+)_value$/;

/** The navigation property that binds `column` to `target`: the spec's, else the image's annotation. */
function navOf(
  table: TargetTable,
  column: string,
  target: string | undefined,
  image: Readonly<Record<string, unknown>>,
): string | undefined {
  const targets = table.columns?.[column]?.targets ?? [];
  const fromSpec = target === undefined ? targets[0]?.nav : targets.find((t) => t.table === target)?.nav;
  const annotated = image[`_${column}_value@${LOOKUP_NAV_ANNOTATION}`];
  return fromSpec ?? (typeof annotated === 'string' ? annotated : undefined);
}

/** The `nav@odata.bind` entry that sets a lookup back to its pre-image value. */
async function lookupEntry(
  table: TargetTable,
  column: string,
  value: unknown,
  image: Readonly<Record<string, unknown>>,
  tables: TableResolver,
): Promise<[string, string | null] | { problem: string }> {
  if (value === null || value === undefined) {
    // Setting any navigation property of the lookup to null clears it (associate-disassociate-entities-
    // using-web-api, "Disassociate on update").
    const nav = navOf(table, column, undefined, image);
    return nav ? [`${nav}@odata.bind`, null] : { problem: `no navigation property is known for ${column}` };
  }
  const annotated = image[`_${column}_value@${LOOKUP_TABLE_ANNOTATION}`];
  const targets = table.columns?.[column]?.targets ?? [];
  const target =
    typeof annotated === 'string' ? annotated : targets.length === 1 ? targets[0]!.table : undefined;
  if (target === undefined) return { problem: `the pre-image does not say which table ${column} pointed to` };
  const nav = navOf(table, column, target, image);
  const targetTable = await tables.get(target);
  if (!nav || !targetTable)
    return { problem: `${column} cannot be bound to ${target}: no navigation property or table is known` };
  return [`${nav}@odata.bind`, recordUri(targetTable.entitySet, String(value))];
}

/**
 * The body that writes a pre-image back: plain columns as read, lookups bound again through their
 * navigation properties (`_x_value` and its annotations, see `preImages`), statecode with statuscode.
 * `update` restores an existing row in one PATCH: Update sets state and status (the SetState message
 * is deprecated, PA`special-update-operation-behavior`, which also says to send statuscode with
 * statecode); create-only columns and createdon are left out. `create` recreates a deleted row:
 * createdon goes back through overriddencreatedon (reference §2), state is returned for a second
 * request, and empty lookups are simply not bound.
 */
export async function imageBody(
  image: Readonly<Record<string, unknown>>,
  table: TargetTable,
  tables: TableResolver,
  mode: 'update' | 'create',
): Promise<ImageBody> {
  const body: Record<string, unknown> = {};
  let state: { statecode: unknown; statuscode: unknown } | undefined;
  for (const [key, value] of Object.entries(image)) {
    if (key.includes('@') || key === 'overriddencreatedon') continue;
    if (key === 'createdon') {
      if (mode === 'create' && 'overriddencreatedon' in image && value !== null)
        body.overriddencreatedon = value;
      continue;
    }
    if (key === 'statecode' || key === 'statuscode') {
      if (mode === 'update') body[key] = value;
      else state = { statecode: image.statecode, statuscode: image.statuscode ?? null };
      continue;
    }
    const lookup = LOOKUP.exec(key);
    if (lookup) {
      if (mode === 'create' && value === null) continue;
      const entry = await lookupEntry(table, lookup[1]!, value, image, tables);
      if ('problem' in entry) return entry;
      body[entry[0]] = entry[1];
      continue;
    }
    if (mode === 'update' && table.columns?.[key]?.createOnly) continue;
    body[key] = value;
  }
  return state ? { body, state } : { body };
}
