import { recordUri } from '../dataverse/index.ts';
import {
  type AwaitedRow,
  type DeferredInput,
  hashPayload,
  type Journal,
  LOOKUP_REQUIRED,
  type OperationInput,
} from '../journal/index.ts';
import { referencedKey } from '../mapping/definition.ts';
import type {
  GeneratedModule,
  LookupDefinition,
  MappingDefinition,
  PendingLookup,
  Row,
  TableDefinition,
} from '../mapping/index.ts';
import type { Flag } from '../transforms/types.ts';
import { ownerFallbackReason, resolveOwner, type UserDirectory } from './directory.ts';
import { rowId } from './ids.ts';
import type { Rewrite } from './rewrite.ts';
import type { Known, PendingState, PreparedRow } from './state.ts';

/** Everything row preparation reads; it writes only to `pending`. */
export interface PrepareContext {
  readonly account: string;
  readonly module: GeneratedModule;
  readonly journal: Journal;
  readonly users: UserDirectory;
  readonly roles: ReadonlyMap<string, string>;
  readonly known: Known;
  readonly pending: PendingState;
  /** Rows written again though their payload is unchanged (`flitstack run --rewrite`). */
  readonly rewrite?: Rewrite;
}

/** The result of preparing one row: a row to write, or an operation saying why not. */
export type Prepared =
  | { readonly row: PreparedRow; readonly deferred: readonly DeferredInput[] }
  | { readonly op: OperationInput };

/** A lookup's binding, or why it has none and the parent rows (`awaits`) it names that were not loaded. */
function lookupBind(
  ctx: PrepareContext,
  definition: LookupDefinition,
  pending: PendingLookup,
): { bind?: [string, string]; problem?: string; awaits?: AwaitedRow[] } {
  const awaits: AwaitedRow[] = [];
  for (const [i, candidate] of definition.candidates.entries()) {
    const value = pending.values[i];
    if (value === null || value === undefined) continue;
    const key = referencedKey(ctx.module.MAPPINGS[candidate.mapping]!, value);
    const id = ctx.known.row(candidate.mapping, key);
    if (id) return { bind: [`${candidate.nav}@odata.bind`, recordUri(candidate.entitySet, id)] };
    awaits.push({ mapping: candidate.mapping, key });
  }
  const given = definition.candidates.flatMap((c, i) =>
    pending.values[i] ? [`${c.mapping} ${pending.values[i]}`] : [],
  );
  return given.length === 0 ? {} : { problem: `${given.join(', or ')} was not loaded`, awaits };
}

/**
 * Why a record that names no row for a required lookup (its id null, missing, or not an id: an object,
 * a list) is rejected: it has no parent to wait for, so its reason does not say LOOKUP_REQUIRED, which
 * marks a record to read again once its parent loads.
 */
function noParent(definition: LookupDefinition): string {
  const ids = definition.candidates.map((c) => c.mapping).join(' or ');
  return `lookup ${definition.column}: the record gives no ${ids} id, and the lookup is required`;
}

/** The Dataverse id a row of a mapping is written to, or why it is not written. */
function target(
  ctx: PrepareContext,
  m: MappingDefinition,
  table: TableDefinition,
  key: string,
): { id: string; create: boolean } | { skip: string; awaits?: AwaitedRow[] } {
  if (m.key.kind === 'match') {
    if (m.target !== 'systemuser') return { skip: `no enabled Dynamics user has this ${m.key.column}` };
    const matched = ctx.users.match(key, m.key.column);
    return 'user' in matched ? { id: matched.user.id, create: false } : { skip: matched.none };
  }
  if (m.updates) {
    const id = ctx.known.row(m.updates, key);
    return id
      ? { id, create: false }
      : {
          skip: `the ${m.updates} mapping loaded no ${table.name} row for ${key}`,
          awaits: [{ mapping: m.updates, key }],
        };
  }
  const known = ctx.journal.crosswalk.get(m.name, key);
  return {
    id: known?.targetId ?? rowId(ctx.account, table.name, key),
    create: known === undefined && !ctx.pending.rows.get(m.name)?.has(key),
  };
}

/**
 * Turns one row of a mapping's outcome into the body to write: lookups bound through rows already
 * loaded (or queued for the second pass), the owner matched by email, connection roles, the derived
 * primary key on create. Rows whose payload is unchanged since the last write are marked so, unless
 * the run rewrites them (a row deleted or changed in Dataverse since).
 */
export function prepareRow(
  ctx: PrepareContext,
  m: MappingDefinition,
  row: Row<Readonly<Record<string, unknown>>>,
  sourceId: string,
  recordFlags: readonly Flag[],
  page: number | null,
  sourceUpdatedAt: string | null,
): Prepared {
  const table = ctx.module.TABLES[m.target]!;
  const claimant = ctx.known.claimedBy(m.name, row.key);
  if (claimant !== undefined && claimant !== sourceId) {
    const reason = `record ${claimant} of ${m.name} already writes the row ${row.key} in this run (the first record wins)`;
    return {
      op: {
        mapping: m.name,
        sourceId,
        key: row.key,
        table: table.name,
        action: 'skip',
        reason,
        flags: recordFlags,
      },
    };
  }
  const where = target(ctx, m, table, row.key);
  if ('skip' in where)
    return {
      op: {
        mapping: m.name,
        sourceId,
        key: row.key,
        table: table.name,
        action: 'skip',
        reason: where.skip,
        flags: recordFlags,
        ...(where.awaits ? { awaits: where.awaits } : {}),
      },
    };
  const flags: Flag[] = [...recordFlags];
  const awaits: AwaitedRow[] = [];
  const body: Record<string, unknown> = { ...row.payload };
  const deferred: DeferredInput[] = [];
  // The lookups this row binds to no row: an existing row has them cleared, not kept as an earlier write
  // bound them (a patient whose referral source PracticeHub took away points to none).
  const cleared: string[] = [];
  for (const [i, definition] of m.lookups.entries()) {
    const pending = row.lookups[i];
    if (!pending) continue;
    if (definition.deferred) {
      if (pending.values.some((v) => v !== null))
        deferred.push({
          mapping: m.name,
          key: row.key,
          column: definition.column,
          candidates: pending.values,
        });
      else cleared.push(definition.candidates[0]!.nav);
      continue;
    }
    const { bind, problem, awaits: missing = [] } = lookupBind(ctx, definition, pending);
    if (bind) body[bind[0]] = bind[1];
    else if (definition.required) {
      return {
        op: {
          mapping: m.name,
          sourceId,
          key: row.key,
          table: table.name,
          action: 'reject',
          reason: problem
            ? `lookup ${definition.column}: ${problem} ${LOOKUP_REQUIRED}`
            : noParent(definition),
          flags,
          awaits: missing,
        },
      };
    } else {
      if (problem) {
        flags.push({
          column: definition.column,
          code: 'lookup_unresolved',
          detail: `${problem}; left empty`,
        });
        awaits.push(...missing);
      }
      cleared.push(definition.candidates[0]!.nav);
    }
  }
  for (const role of m.roles)
    body[`${role.nav}@odata.bind`] = recordUri('connectionroles', ctx.roles.get(role.role.toLowerCase())!);
  if (m.owner && row.owner) {
    const { user, fallback } = resolveOwner(ctx.users, row.owner, (id) => ctx.known.staffEmail(id));
    body[`${m.owner.nav}@odata.bind`] = recordUri('systemusers', user.id);
    if (fallback) {
      const why = ownerFallbackReason(fallback);
      flags.push({
        column: 'ownerid',
        code: 'owner_fallback',
        detail: `the owner ${why}; owned by the fallback owner`,
      });
    }
  }
  if (m.key.kind === 'alternate') body[m.key.column] = row.key;
  const hash = hashPayload({
    body,
    state: row.state ?? null,
    document: row.document ?? null,
    deferred: deferred.map((d) => [d.column, d.candidates]),
  });
  const previous = ctx.journal.crosswalk.get(m.name, row.key);
  // A row closed for its record's deletion is written again when the record is back, payload or not.
  // A row rewritten for its state (deactivated in Dataverse) is reopened when its mapping owns it and
  // sets no state: reconcile expects it active (a user matched, or a row another mapping owns, is not).
  const rewrite = previous === undefined ? undefined : ctx.rewrite?.(m.name, row.key, sourceId);
  const owned = m.mode === 'upsert' && m.key.kind !== 'match' && !m.hasState;
  const reopen =
    previous !== undefined &&
    (ctx.journal.closedSinceWritten(m.name, row.key) || (rewrite?.state === true && owned));
  const reopenIfClosed = !reopen && rewrite?.ifClosed === true && owned;
  const unchanged = previous?.payloadHash === hash && !reopen && rewrite === undefined;
  if (where.create && m.key.kind !== 'match') body[table.primaryId] = where.id;
  // After the hash, as the id is: a clear is how an update writes "no row", the same payload as a create's
  // absent bind (PA`webapi/associate-disassociate-entities-using-web-api`: set the value to null).
  if (!where.create) for (const nav of cleared) body[`${nav}@odata.bind`] = null;
  ctx.pending.addRow(m.name, row.key, where.id, sourceId);
  return {
    row: {
      mapping: m,
      table,
      sourceId,
      key: row.key,
      targetId: where.id,
      create: where.create,
      body,
      state: row.state,
      document: row.document,
      hash,
      unchanged,
      ...(reopen ? { reopen } : {}),
      ...(reopenIfClosed ? { reopenIfClosed } : {}),
      ...(unchanged && previous.sourceUpdatedAt !== sourceUpdatedAt ? { savedAgain: true } : {}),
      flags,
      awaits,
      page,
      sourceUpdatedAt,
    },
    // A deferred lookup of an unchanged row was bound when the row was written.
    deferred: unchanged ? [] : deferred,
  };
}
