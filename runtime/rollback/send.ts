import { columnValues, rowMissing, summarizePart } from '../dataverse/errors.ts';
import type { BatchItem, BatchPartResult, DataverseClient } from '../dataverse/index.ts';
import { refusedRowValues } from '../dataverse/refused.ts';
import type { UndoItem, UndoResult } from './undo.ts';

type Requests = Extract<UndoItem, { kind: 'requests' }>;

/**
 * How one item ended, from the results of its requests; a refusal's message is masked with the values
 * the requests sent and `rowValues`, those of the row as Dataverse holds it.
 */
function classify(
  item: Requests,
  results: readonly BatchPartResult[],
  rowValues: unknown[] = [],
): UndoResult {
  const failure = results.find((r) => !r.executed || r.error !== undefined || r.status >= 400);
  if (!failure) return { outcome: item.phase === 'delete' ? 'deleted' : 'restored' };
  // A row already gone counts as deleted (a cascade from its parent, or a rollback killed after its
  // batch ran but before the journal saw it); a row gone before its restore has nothing to restore.
  const id = item.op.targetId ?? '';
  if (item.phase === 'delete' && rowMissing(failure, id)) return { outcome: 'deleted', gone: true };
  if (item.phase === 'restore' && rowMissing(failure, id)) return { outcome: 'gone' };
  const cause = results.find((r) => r.executed && r.error !== undefined) ?? failure;
  return {
    outcome: 'failed',
    error: summarizePart(cause, [...item.requests.flatMap((r) => columnValues(r.body)), ...rowValues]),
  };
}

/**
 * Sends the items' requests as ONE `$batch` with `Prefer: odata.continue-on-error`, so a refused row
 * does not stop the others (reference §3.2); an item of several requests goes as a change set (all or
 * nothing). Deletes go this way too: DeleteMultiple exists for elastic tables only (reference §3.1,
 * PA`deletemultiple`), and these are standard tables. Requests run in order, so children listed before parents are deleted first. Items without
 * requests end without a round trip. One result per item, in order.
 */
export async function sendItems(client: DataverseClient, items: readonly UndoItem[]): Promise<UndoResult[]> {
  const batch: BatchItem[] = [];
  for (const item of items) {
    if (item.kind !== 'requests') continue;
    batch.push(item.requests.length === 1 ? item.requests[0]! : { changeSet: item.requests });
  }
  const results = batch.length > 0 ? await client.batch(batch, { continueOnError: true }) : [];
  let at = 0;
  const answered = items.map((item) => {
    if (item.kind !== 'requests') return [];
    at += item.requests.length;
    return results.slice(at - item.requests.length, at);
  });
  const outcomes = items.map((item, i): UndoResult => {
    if (item.kind === 'dropped') return { outcome: 'dropped' };
    if (item.kind === 'nothing') return { outcome: item.phase === 'delete' ? 'deleted' : 'restored' };
    if (item.kind === 'problem')
      return { outcome: 'failed', error: { code: item.code ?? 'not_undoable', message: item.problem } };
    return classify(item, answered[i]!);
  });
  // A refusal's message may quote values of its row the requests did not send: masked with those too.
  const refused = items.flatMap((item, i) =>
    item.kind === 'requests' &&
    outcomes[i]!.outcome === 'failed' &&
    answered[i]!.some((r) => r.error !== undefined)
      ? [{ i, item }]
      : [],
  );
  if (refused.length === 0) return outcomes;
  const values = await refusedRowValues(
    client,
    refused.flatMap((r) => r.item.requests),
  );
  let next = 0;
  for (const { i, item } of refused) {
    outcomes[i] = classify(item, answered[i]!, values.slice(next, next + item.requests.length).flat());
    next += item.requests.length;
  }
  return outcomes;
}
