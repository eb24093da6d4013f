import { randomUUID } from 'node:crypto';
import type { Ctx } from '../context.ts';
import { Errors } from '../errors.ts';
import type { TableMeta } from '../metadata/types.ts';
import { isRef, type Ref, type Row, type Value } from '../store.ts';

const joinParts = (parts: readonly Value[], sep: string) => {
  const text = parts.filter((p) => typeof p === 'string' && p !== '').join(sep);
  return text === '' ? null : text;
};

/**
 * A publisher's customization prefix is 2–8 alphanumeric characters, starts with a letter and does not
 * start with `mscrm`; the option value prefix is 10,000–99,999 (reference §5.4).
 */
function checkPublisher(row: Readonly<Record<string, Value>>): void {
  const prefix = row.customizationprefix;
  if (typeof prefix !== 'string' || !/^[A-Za-z][A-Za-z0-9]{1,7}$/.test(prefix) || /^mscrm/i.test(prefix)) {
    throw Errors.invalidArgument(
      `The customization prefix '${String(prefix ?? '')}' must be 2 to 8 alphanumeric characters, start with a letter and not start with 'mscrm'.`,
    );
  }
  if (typeof row.uniquename !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(row.uniquename)) {
    throw Errors.invalidArgument(
      'A publisher unique name may contain letters, digits and underscores, starting with a letter or underscore.',
    );
  }
}

/** The base64 text's decoded size in bytes. */
function decodedSize(base64: string): number {
  const clean = base64.replace(/\s/g, '');
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  return Math.floor((clean.length * 3) / 4) - padding;
}

/**
 * Columns the platform computes on every write: contact fullname (first + last), the read-only
 * address1_composite (REF`account`), note document flags and size (REF`annotation`), the connection
 * name, the activity type code.
 */
export function computeColumns(
  ctx: Ctx,
  table: TableMeta,
  row: Readonly<Record<string, Value>>,
): Record<string, Value> {
  const out: Record<string, Value> = {};
  const name = table.def.logicalName;
  if (name === 'contact') out.fullname = joinParts([row.firstname ?? null, row.lastname ?? null], ' ');
  if (table.columns.has('address1_composite')) {
    const cityLine = joinParts(
      [
        joinParts([row.address1_city ?? null, row.address1_stateorprovince ?? null], ', '),
        row.address1_postalcode ?? null,
      ],
      ' ',
    );
    out.address1_composite = joinParts(
      [
        row.address1_line1 ?? null,
        row.address1_line2 ?? null,
        row.address1_line3 ?? null,
        cityLine,
        row.address1_country ?? null,
      ],
      '\r\n',
    );
  }
  if (name === 'annotation') {
    const body = row.documentbody;
    out.isdocument = typeof body === 'string' && body !== '';
    out.filesize = typeof body === 'string' && body !== '' ? decodedSize(body) : null;
    out.objecttypecode = isRef(row.objectid) ? row.objectid.table : null;
  }
  if (name === 'appointment') out.activitytypecode = 'appointment';
  if (name === 'publisher') checkPublisher(row);
  if (name === 'connection') {
    const target = row.record2id;
    const related = isRef(target) ? ctx.state.store.get(target.table, target.id) : undefined;
    const primary = isRef(target) ? ctx.state.catalog.table(target.table)?.def.primaryName : undefined;
    out.name = related && primary ? ((related[primary] as string | null) ?? null) : null;
  }
  return out;
}

/**
 * "Creating one connection writes two DB rows" (reference §1.6, PA`connection-entities`): the reciprocal
 * row swaps record1/record2 and their roles; both point at each other through relatedconnectionid.
 */
export function mirrorConnection(ctx: Ctx, id: string, created: boolean): void {
  const { store, catalog } = ctx.state;
  const master = store.get('connection', id);
  if (!master) return;
  const table = catalog.table('connection')!;
  const existing = isRef(master.relatedconnectionid)
    ? store.get('connection', master.relatedconnectionid.id)
    : undefined;
  if (!created && !existing) return;
  const otherId = existing ? (existing.connectionid as string) : randomUUID();
  const mirrored: Record<string, Value> = {
    ...(existing ?? master),
    connectionid: otherId,
    record1id: master.record2id ?? null,
    record2id: master.record1id ?? null,
    record1roleid: master.record2roleid ?? null,
    record2roleid: master.record1roleid ?? null,
    description: master.description ?? null,
    effectivestart: master.effectivestart ?? null,
    effectiveend: master.effectiveend ?? null,
    statecode: master.statecode ?? 0,
    statuscode: master.statuscode ?? 1,
    relatedconnectionid: { id, table: 'connection' } satisfies Ref,
    ismaster: existing ? (existing.ismaster as boolean) : false,
    versionnumber: store.nextVersion(),
  };
  Object.assign(mirrored, computeColumns(ctx, table, mirrored));
  store.put('connection', otherId, mirrored as Row);
  if (created) {
    store.put('connection', id, {
      ...master,
      ismaster: true,
      relatedconnectionid: { id: otherId, table: 'connection' },
    });
  }
}
