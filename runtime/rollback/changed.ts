import { type RowsById, readRowsInBatches } from '../compare/read.ts';
import { type Journal, WRITE_ACTIONS } from '../journal/index.ts';
import { groupBy } from '../shared/group.ts';
import { type ForeignRow, foreignWhy, uncheckedWhy } from './foreign.ts';
import type { PhaseContext } from './phases.ts';
import type { UndoItem } from './undo.ts';

/**
 * How far Dataverse's modifiedon may run ahead of the journal's clock for a write of flitstack: the
 * journal times an operation after Dataverse answered it, so only clock skew puts the write later.
 */
const CLOCK_SKEW_MS = 1000;

/**
 * When flitstack last wrote each of `ids` (lower-case) by the journal's clock: the latest write any run
 * journaled without an error (the target run, a later run, a rollback of one), so that a row a later
 * run's rollback restored does not count as changed since.
 */
export function lastWrites(journal: Journal, ids: ReadonlySet<string>): Map<string, number> {
  const last = new Map<string, number>();
  for (const run of journal.runs())
    for (const op of journal.operations(run.id, { action: [...WRITE_ACTIONS] })) {
      const id = op.targetId?.toLowerCase();
      if (op.error !== null || id === undefined || !ids.has(id)) continue;
      const at = Date.parse(op.at);
      if (!(at <= (last.get(id) ?? Number.NEGATIVE_INFINITY))) last.set(id, at);
    }
  return last;
}

/** A row changed in Dataverse after flitstack last wrote it: when, and when flitstack wrote it. */
interface ChangedRow {
  readonly modifiedOn: string;
  readonly written: string;
}

/** A row a rollback left as it is: changed in Dataverse after the run wrote it, or pointed to by one. */
export interface KeptRow {
  readonly mapping: string;
  readonly table: string | null;
  readonly targetId: string;
  /** What the rollback would have done to it. */
  readonly undo: 'delete' | 'restore';
  /** Why it was left, for a human. */
  readonly why: string;
  /** The row flitstack did not write that points to it, when that is why. */
  readonly foreign?: ForeignRow;
}

/**
 * The rows among `items` (deletes of created rows, restores of updated ones) that someone changed in
 * Dataverse after flitstack last wrote them: their modifiedon is later than the last journaled write.
 * Read with readRowsInBatches, so that the check adds about one request per 50,000 rows. Rows no
 * longer there are left to the undo (it reports them gone).
 */
async function changedSince(
  ctx: PhaseContext,
  items: readonly UndoItem[],
): Promise<Map<UndoItem, ChangedRow>> {
  const changed = new Map<UndoItem, ChangedRow>();
  const checked = items.filter((i) => i.kind === 'requests' && i.phase !== 'recreate' && i.op.id !== null);
  const reads: RowsById[] = [];
  for (const group of groupBy(checked, (i) => i.op.table ?? '').values()) {
    const table = await ctx.tables.get(group[0]!.op.table ?? '');
    if (table) reads.push({ table, ids: group.map((i) => i.op.targetId!), select: ['modifiedon'] });
  }
  const rows = await readRowsInBatches(ctx.client, reads, 'reading when the rows to undo were last changed');
  for (const item of checked) {
    const id = item.op.targetId!.toLowerCase();
    const modifiedOn = rows.get(id)?.modifiedon;
    const written = ctx.lastWrites.get(id);
    if (typeof modifiedOn !== 'string' || written === undefined) continue;
    if (Date.parse(modifiedOn) > written + CLOCK_SKEW_MS)
      changed.set(item, { modifiedOn, written: new Date(written).toISOString() });
  }
  return changed;
}

const LOOKUP = /^_(.+)_value$/;

/**
 * Marks the rows the run created that a kept row points to (any lookup, read from the row as it is
 * now), so that the delete step leaves them too: Dataverse would delete the kept row with its parent
 * (cascade) or refuse, or empty its lookup.
 */
async function markReferenced(ctx: PhaseContext, item: UndoItem): Promise<void> {
  const table = await ctx.tables.get(item.op.table ?? '');
  if (!table) return;
  const row = await ctx.client.retrieve<Record<string, unknown>>(table.entitySet, item.op.targetId!);
  const name = `${item.op.mapping} row ${item.op.targetId}`;
  for (const [key, value] of Object.entries(row ?? {})) {
    const column = LOOKUP.exec(key)?.[1];
    const id = typeof value === 'string' ? value.toLowerCase() : undefined;
    if (column && id && ctx.created.has(id) && !ctx.referenced.has(id))
      ctx.referenced.set(id, `${name} (${column})`);
  }
}

/** The item that leaves a row alone, journaled as failed so that a later attempt checks it again. */
function keep(ctx: PhaseContext, item: UndoItem, code: string, why: string): UndoItem {
  const what =
    item.phase === 'delete'
      ? 'delete it'
      : `restore what run ${item.op.runId} overwrote, discarding the change`;
  return {
    kind: 'problem',
    phase: item.phase,
    op: item.op,
    code,
    problem: `${why}, so it is left as it is: check the change, then \`flitstack rollback --run ${ctx.targetRunId} --discard-changes\` to ${what}`,
  };
}

/** Why a row to delete is held by what points to it, if it is: a foreign row, an unread table, a kept row. */
function holdOf(
  ctx: PhaseContext,
  item: UndoItem,
): { code: string; why: string; foreign?: ForeignRow } | undefined {
  if (item.kind !== 'requests' || item.phase !== 'delete') return undefined;
  const id = item.op.targetId!.toLowerCase();
  const foreign = ctx.foreign?.referenced.get(id);
  if (foreign) return { code: 'referenced_by_foreign_row', why: foreignWhy(foreign), foreign };
  const unchecked = ctx.foreign?.blocked.get(item.op.table ?? '');
  if (unchecked) return { code: 'references_not_checked', why: uncheckedWhy(unchecked, item.op.table!) };
  const by = ctx.referenced.get(id);
  return by === undefined
    ? undefined
    : { code: 'referenced_by_kept_row', why: `${by}, which is left as it is, points to the row` };
}

/**
 * Leaves alone the rows of a batch that changed in Dataverse after flitstack last wrote them
 * (`changed_since_run`), the rows to delete that a row flitstack did not write points to
 * (`referenced_by_foreign_row`) or that a table it could not read may point to
 * (`references_not_checked`, see `foreignReferences`), and the rows the run created that a row left
 * so points to (`referenced_by_kept_row`, see `markReferenced`): each becomes an item journaled as
 * failed with the reason and what to do, and is returned as kept. Items come children first, so a
 * parent is marked before it is reached.
 */
export async function keepChanged(
  ctx: PhaseContext,
  items: readonly UndoItem[],
): Promise<{ items: UndoItem[]; kept: KeptRow[] }> {
  const changed = await changedSince(ctx, items);
  const kept: KeptRow[] = [];
  const out: UndoItem[] = [];
  for (const item of items) {
    const found = changed.get(item);
    const held = found
      ? {
          code: 'changed_since_run',
          why: `the row changed in Dataverse (modifiedon ${found.modifiedOn}) after flitstack last wrote it (${found.written})`,
        }
      : holdOf(ctx, item);
    if (!held) {
      out.push(item);
      continue;
    }
    await markReferenced(ctx, item);
    out.push(keep(ctx, item, held.code, held.why));
    kept.push({
      mapping: item.op.mapping,
      table: item.op.table,
      targetId: item.op.targetId!,
      undo: item.phase === 'delete' ? 'delete' : 'restore',
      why: held.why,
      ...('foreign' in held && held.foreign ? { foreign: held.foreign } : {}),
    });
  }
  return { items: out, kept };
}
