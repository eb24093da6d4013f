import type { Ir } from '../../compiler/ir/types.ts';
import type { TargetMetadata } from '../../compiler/model/spec.ts';
import { IDS_PER_QUERY } from '../compare/read.ts';
import type { PassEstimate } from './load.ts';

/** The reads of a first full run: what `run` asks Dataverse besides its writes. */
export interface ReadEstimate {
  /**
   * Metadata reads of the schema check before the first write (runtime/schema/verify.ts, through
   * runtime/dataverse/metadata.ts): per table, its definition and its columns, then for each kind of
   * column with options (choice, multi-choice, state, status) one list and one read per column; and,
   * when a mapping sets an owner, the owned tables' Read privileges.
   */
  readonly metadata: number;
  /**
   * GETs of the run: users (owners), the fallback owner's privileges, connection roles, bulk message
   * checks, looks for rows another journal wrote, and pre-images. Those with `batch` are sent as the GET
   * parts of $batch requests, which they count.
   */
  readonly gets: readonly { readonly what: string; readonly requests: number; readonly batch?: true }[];
  readonly requests: number;
}

const OPTION_KINDS = ['choice', 'multi_choice', 'state', 'status'] as const;

/**
 * Counts the option columns the snapshot and the spec know of; the organisation may have more (standard
 * choice columns the snapshot leaves out), each one more read: the count is a floor.
 */
function metadataReads(ir: Ir, target: TargetMetadata | undefined): number {
  const names = [...new Set([...ir.tables.map((t) => t.name), ...ir.plan.tables.map((t) => t.name)])];
  return names.reduce((n, name) => {
    // The organisation's columns as the snapshot records them, and the custom columns the spec adds.
    const types = new Map<string, string>();
    for (const c of target?.tables.get(name)?.columns.values() ?? []) types.set(c.name, c.type);
    for (const c of ir.tables.find((t) => t.name === name)?.columns ?? []) types.set(c.name, c.type);
    // Dataverse gives every custom table statecode and statuscode.
    if (ir.plan.tables.some((t) => t.name === name)) {
      types.set('statecode', 'state');
      types.set('statuscode', 'status');
    }
    const options = OPTION_KINDS.map((k) => [...types.values()].filter((t) => t === k).length).filter(
      (c) => c > 0,
    );
    return n + 2 + options.reduce((x, c) => x + 1 + c, 0);
  }, 0);
}

/**
 * The reads of a first full run of `ir` into an organisation where its rows do not exist yet:
 * - the organisation's id (the journal's check), and its attachment limit when notes carry files;
 * - the schema check's metadata reads;
 * - the users (owners are matched by email) and, when a mapping sets an owner, the fallback owner's
 *   privileges (RetrieveUserPrivileges) and the Read privileges of the owned tables (one metadata read);
 * - the connection roles (read by the schema check and again to bind them);
 * - one bulk-message check per table written with UpsertMultiple;
 * - one look per mapping that creates rows for a row another journal wrote (runtime/run/existing.ts);
 * - the pre-images of rows an update mapping overwrites (rollback restores them), 50 ids per query.
 * A re-run reads pre-images for every changed row; this is the first run.
 */
export function estimateReads(
  ir: Ir,
  target: TargetMetadata | undefined,
  passes: readonly PassEstimate[],
): ReadEstimate {
  const rowsOf = (mapping: string) =>
    passes.find((p) => p.mapping === mapping && p.pass === 'rows')?.rows ?? 0;
  const bulkTables = new Set(
    passes
      .filter((p) => p.pass === 'rows' && p.rows > 0 && p.method === 'UpsertMultiple')
      .map((p) => p.table),
  );
  const preImages = ir.mappings
    .filter((m) => m.mode === 'update' && rowsOf(m.name) > 0)
    .map((m) => ({
      what: `pre-images of ${m.name} (${m.target})`,
      requests: Math.ceil(rowsOf(m.name) / IDS_PER_QUERY),
    }));
  // runtime/run/existing.ts: a mapping that creates rows looks for rows another journal wrote: keyed by
  // a column, one GET (the organisation holds none of its rows on a first run); by derived ids, the ids
  // of each write, in one $batch.
  const creating = ir.mappings.filter((m) => m.mode === 'upsert' && rowsOf(m.name) > 0);
  const keyed = creating.filter((m) => m.key.kind !== 'derived').length;
  const derived = creating
    .filter((m) => m.key.kind === 'derived')
    .reduce((n, m) => n + (passes.find((p) => p.mapping === m.name && p.pass === 'rows')?.requests ?? 0), 0);
  const owned = ir.mappings.some((m) => m.owner);
  const documents = ir.mappings.some((m) => m.document !== undefined && rowsOf(m.name) > 0);
  const gets = [
    { what: 'the organisation (WhoAmI), which the journal belongs to', requests: 1 },
    ...(documents ? [{ what: "the organisation's attachment limit (organizations)", requests: 1 }] : []),
    { what: 'users (systemusers), for owners', requests: 1 },
    ...(owned ? [{ what: "the fallback owner's privileges (RetrieveUserPrivileges)", requests: 1 }] : []),
    ...(ir.plan.connectionRoles.length > 0
      ? [{ what: 'connection roles: schema check and binding', requests: 2 }]
      : []),
    ...(bulkTables.size > 0
      ? [{ what: `bulk message support of ${[...bulkTables].join(', ')}`, requests: bulkTables.size }]
      : []),
    ...(keyed > 0 ? [{ what: 'a look by key prefix for rows another journal wrote', requests: keyed }] : []),
    ...(derived > 0
      ? [
          {
            what: 'looks by derived id for rows another journal wrote',
            requests: derived,
            batch: true as const,
          },
        ]
      : []),
    ...preImages,
  ];
  const metadata = metadataReads(ir, target) + (owned ? 1 : 0);
  return { metadata, gets, requests: metadata + gets.reduce((n, g) => n + g.requests, 0) };
}
