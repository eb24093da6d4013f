import type { DataverseClient } from '../dataverse/index.ts';
import { recordPath } from '../dataverse/index.ts';
import type { CrosswalkChange, Journal, OperationInput } from '../journal/index.ts';
import { type KeptRow, keepChanged } from './changed.ts';
import { crosswalkChange } from './crosswalk.ts';
import type { RollbackEventSink, RollbackPhase } from './events.ts';
import type { ForeignScan } from './foreign.ts';
import { imageBody } from './image.ts';
import { sendItems } from './send.ts';
import type { TableResolver, TargetTable } from './tables.ts';
import { type UndoItem, type Undone, undoOperation } from './undo.ts';

/**
 * Body bytes per $batch. The reference gives no size limit for a $batch (only that 413 means too
 * large, §0), and a restored note may carry its Base64 document (up to the attachment limit, §1.4),
 * so a batch is also cut by size, well below the 116.85 MB bulk requests must stay under (§3.1).
 */
const MAX_BATCH_BYTES = 16 * 1024 * 1024;

const bytesOf = (item: UndoItem): number =>
  item.kind === 'requests'
    ? item.requests.reduce((n, r) => n + (r.body === undefined ? 0 : JSON.stringify(r.body).length), 0)
    : 0;

/** What every step of a rollback reads. */
export interface PhaseContext {
  readonly client: DataverseClient;
  readonly journal: Journal;
  readonly tables: TableResolver;
  readonly rollbackRunId: number;
  readonly targetRunId: number;
  /** Requests per $batch (at most 1,000). */
  readonly batchSize: number;
  /** Operations of the target already undone (by an earlier attempt). */
  readonly done: ReadonlySet<number>;
  /** Lower-case ids of the rows the target run created. */
  readonly created: ReadonlySet<string>;
  /**
   * When flitstack last wrote each row the target run created or updated (epoch ms, by lower-case id);
   * empty when changes made in Dataverse since are to be discarded.
   */
  readonly lastWrites: ReadonlyMap<string, number>;
  /** Delete or restore rows changed in Dataverse since the run wrote them, discarding the changes. */
  readonly discardChanges: boolean;
  /**
   * Rows this rollback must not delete, by lower-case id, with the kept row that points to them:
   * deleting one would delete (cascade) or unlink that row. Filled as rows are kept, children first.
   */
  readonly referenced: Map<string, string>;
  /**
   * Rows to delete that rows flitstack did not write point to, and tables that could not be checked
   * (see `foreignReferences`); set before the delete step unless changes are to be discarded.
   */
  foreign?: ForeignScan;
  readonly onEvent?: RollbackEventSink;
}

async function tableOf(ctx: PhaseContext, op: Undone): Promise<TargetTable | string> {
  const table = op.table === null ? undefined : await ctx.tables.get(op.table);
  return table ?? `the table ${op.table ?? '(none)'} is neither in the spec nor in the organisation`;
}

/** What undoing one operation of the target run takes, in a given step. */
async function itemFor(ctx: PhaseContext, phase: RollbackPhase, op: Undone): Promise<UndoItem> {
  if (phase === 'restore' && ctx.created.has(op.targetId!.toLowerCase()))
    return { kind: 'dropped', phase, op };
  const table = await tableOf(ctx, op);
  if (typeof table === 'string') return { kind: 'problem', phase, op, problem: table };
  const path = recordPath(table.entitySet, op.targetId!);
  if (phase === 'delete') return { kind: 'requests', phase, op, requests: [{ method: 'DELETE', path }] };
  if (!op.preImage) {
    const what = op.id === null ? `the ${op.action} run ${op.runId} staged` : `operation ${op.id}`;
    return { kind: 'problem', phase, op, problem: `${what} journaled no pre-image to restore` };
  }
  const image = await imageBody(op.preImage, table, ctx.tables, phase === 'recreate' ? 'create' : 'update');
  if ('problem' in image) return { kind: 'problem', phase, op, problem: image.problem };
  if (phase === 'restore') {
    if (Object.keys(image.body).length === 0) return { kind: 'nothing', phase, op };
    // If-Match: * updates and never creates: a row deleted since is reported, not recreated (§3.3).
    return {
      kind: 'requests',
      phase,
      op,
      requests: [{ method: 'PATCH', path, body: image.body, headers: { 'If-Match': '*' } }],
    };
  }
  // PATCH without If-Match by primary key creates the row with that id, or updates it when an earlier
  // attempt already did (use-upsert-insert-update-record); the state follows, as create cannot set it.
  return {
    kind: 'requests',
    phase,
    op,
    requests: [
      { method: 'PATCH', path, body: image.body },
      ...(image.state
        ? [{ method: 'PATCH' as const, path, body: image.state, headers: { 'If-Match': '*' } }]
        : []),
    ],
  };
}

/**
 * One step of a rollback: undoes the given writes of the target run in batches of `batchSize`
 * requests, each sent as one $batch and journaled in one transaction with its crosswalk changes and
 * the consumption of the staged images it settled. Operations an earlier attempt undid are skipped
 * (an image it settled is gone); failed ones (journaled with the error, an image kept) are tried again
 * by the next attempt. Unless `discardChanges`, a row changed in Dataverse since flitstack last wrote
 * it is left as it is, and so are the rows it points to, journaled as failed and returned (see
 * `keepChanged`): a rollback must not delete or overwrite what a user did after the run.
 */
export async function runPhase(
  ctx: PhaseContext,
  phase: RollbackPhase,
  ops: Iterable<Undone>,
): Promise<KeptRow[]> {
  const kept: KeptRow[] = [];
  ctx.onEvent?.({ type: 'phase', phase });
  let items: UndoItem[] = [];
  let parts = 0;
  let bytes = 0;
  let done = 0;
  let failed = 0;
  const flush = async () => {
    if (items.length === 0) return;
    if (!ctx.discardChanges) {
      const checked = await keepChanged(ctx, items);
      items = checked.items;
      kept.push(...checked.kept);
    }
    const results = await sendItems(ctx.client, items);
    const { journal } = ctx;
    journal.atomic(() => {
      const entries: OperationInput[] = [];
      const changes: CrosswalkChange[] = [];
      for (const [i, item] of items.entries()) {
        const result = results[i]!;
        const entry = undoOperation(item, result);
        if (entry) entries.push(entry);
        if (result.outcome === 'failed') failed++;
        else if (item.op.id === null && item.op.key)
          journal.images.settle(item.op.runId, item.op.mapping, item.op.key);
        const change = crosswalkChange(journal, ctx.targetRunId, item, result);
        if (change) changes.push(change);
      }
      journal.recordBatch(ctx.rollbackRunId, entries, changes);
    });
    const rows = items.filter((i) => i.kind !== 'dropped').length;
    done += rows;
    ctx.onEvent?.({ type: 'batch', phase, rows, done, failed });
    items = [];
    parts = 0;
    bytes = 0;
  };
  for (const op of ops) {
    if (op.error !== null || op.targetId === null || (op.id !== null && ctx.done.has(op.id))) continue;
    const item = await itemFor(ctx, phase, op);
    const size = item.kind === 'requests' ? item.requests.length : 0;
    const weight = bytesOf(item);
    if (parts + size > ctx.batchSize || bytes + weight > MAX_BATCH_BYTES) await flush();
    items.push(item);
    parts += size;
    bytes += weight;
    // Rows that need no request still go out with a batch, so that a step never holds many in memory.
    if (parts >= ctx.batchSize || items.length >= ctx.batchSize * 4) await flush();
  }
  await flush();
  return kept;
}
