import type { BatchRequest } from '../dataverse/index.ts';
import { recordPath, recordUri, summarizePart } from '../dataverse/index.ts';
import { refusedRowValues } from '../dataverse/refused.ts';
import type { DeferredLookup, OperationInput } from '../journal/index.ts';
import { referencedKey } from '../mapping/definition.ts';
import type { RunDeps } from './pipeline.ts';
import type { WriteContext } from './write.ts';

const slot = (l: { mapping: string; key: string; column: string }) =>
  `${l.mapping}\u0000${l.key}\u0000${l.column}`;

/** The target row a deferred lookup's candidates name that has been loaded, if any. */
function boundTarget(
  deps: RunDeps,
  lookup: Pick<DeferredLookup, 'mapping' | 'column' | 'candidates'>,
): { nav: string; uri: string; id: string } | undefined {
  const { journal, module } = deps;
  const definition = module.MAPPINGS[lookup.mapping]!.lookups.find((l) => l.column === lookup.column)!;
  for (const [i, c] of definition.candidates.entries()) {
    const value = lookup.candidates[i];
    if (!value) continue;
    const id = journal.crosswalk.get(c.mapping, referencedKey(module.MAPPINGS[c.mapping]!, value))?.targetId;
    if (id) return { nav: c.nav, uri: recordUri(c.entitySet, id), id };
  }
  return undefined;
}

/**
 * The lookups earlier runs left empty, on rows they wrote and no run wrote since, whose parent row has
 * been loaded since (a parent clinic a later delta created): added to this run's second pass, though
 * their records did not change, so the row does not keep an empty lookup until the record changes.
 * Those whose parent is still missing stay as their run left them. Returns their slots.
 */
function bindAgain(deps: RunDeps, runId: number): Set<string> {
  const { journal, module } = deps;
  const again = [...journal.deferred.leftEmpty(runId)].filter(
    (l) =>
      module.MAPPINGS[l.mapping]?.lookups.some((d) => d.column === l.column && d.deferred) === true &&
      journal.crosswalk.get(l.mapping, l.key) !== undefined &&
      boundTarget(deps, l) !== undefined,
  );
  // A resumed run added them before it was stopped (and may have bound some): added again, a bound
  // one would be bound twice.
  const added = new Set([...journal.deferred.list(runId)].map(slot));
  const fresh = again.filter((l) => !added.has(slot(l)));
  if (fresh.length > 0)
    journal.deferred.add(
      runId,
      fresh.map(({ mapping, key, column, candidates }) => ({ mapping, key, column, candidates })),
    );
  return new Set(again.map(slot));
}

/**
 * The second pass: binds the lookups that had to wait until every mapping loaded (e.g. a clinic's
 * parent clinic, in the same table). Each binding is journaled as a `bind` operation; a reference to
 * a row that never loaded is recorded as unresolved with the reason (the row keeps an empty lookup).
 */
export async function bindDeferred(deps: RunDeps, runId: number, write: WriteContext): Promise<void> {
  const { journal, module } = deps;
  // A clear (`targetId` null) empties the lookup of a row an earlier run wrote, whose record now names
  // a row that was not loaded: the row does not keep the parent it had.
  let batch: { lookup: DeferredLookup; request: BatchRequest; targetId: string | null; why?: string }[] = [];
  let bound = 0;
  let unresolved = 0;
  let failed = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const results = await write.client.batch(
      batch.map((b) => b.request),
      { continueOnError: true },
    );
    // A refusal's message may quote any value of the row (a plug-in's): masked with the row's values
    // as Dataverse holds them, read back before anything is journaled.
    const refused = batch.filter((_, i) => results[i]!.error || results[i]!.status >= 400);
    const held = await refusedRowValues(
      write.client,
      refused.map((b) => b.request),
    );
    const heldBy = new Map(refused.map((b, i) => [b, held[i]!]));
    const ops: OperationInput[] = [];
    journal.atomic(() => {
      results.forEach((result, i) => {
        const { lookup, targetId, why } = batch[i]!;
        const m = module.MAPPINGS[lookup.mapping]!;
        const row = journal.crosswalk.get(lookup.mapping, lookup.key);
        const bindOp = {
          mapping: m.name,
          sourceId: row?.sourceId ?? lookup.key,
          key: lookup.key,
          table: m.target,
          action: 'bind',
          targetId: row?.targetId ?? null,
        } as const;
        if (result.error || result.status >= 400) {
          failed++;
          const error = summarizePart(result, heldBy.get(batch[i]!));
          // A clear that failed leaves the lookup unresolved: the delta that loads its row binds it.
          if (targetId !== null) journal.deferred.resolve(lookup.id, { status: 'failed', error });
          ops.push({ ...bindOp, error, reason: `binding ${lookup.column} failed: ${error.message}` });
        } else if (targetId === null) {
          ops.push({ ...bindOp, reason: `${lookup.column} emptied: ${why}` });
        } else {
          bound++;
          journal.deferred.resolve(lookup.id, { status: 'bound', targetId });
          ops.push({
            ...bindOp,
            reason: `${lookup.column} bound`,
            // A lookup an earlier run left empty: a rollback of this run empties it again.
            ...(again.has(slot(lookup)) ? { preImage: { [`_${lookup.column}_value`]: null } } : {}),
          });
        }
      });
      journal.recordBatch(runId, ops);
    });
    batch = [];
  };
  const again = bindAgain(deps, runId);
  for (const lookup of [...journal.deferred.list(runId, { status: 'pending' })]) {
    const m = module.MAPPINGS[lookup.mapping]!;
    const definition = m.lookups.find((l) => l.column === lookup.column)!;
    const row = journal.crosswalk.get(lookup.mapping, lookup.key);
    const target = boundTarget(deps, lookup);
    if (!row || !target) {
      unresolved++;
      const message = !row
        ? `the row ${lookup.key} itself was not loaded`
        : `${definition.candidates.map((c, i) => `${c.mapping} ${lookup.candidates[i] ?? '-'}`).join(', or ')} was not loaded`;
      journal.deferred.resolve(lookup.id, { status: 'unresolved', error: { code: 'unresolved', message } });
      // The update of this run kept the lookup's earlier value in its pre-image: a rollback binds it again.
      if (row && row.createdBy !== runId) {
        batch.push({
          lookup,
          targetId: null,
          why: message,
          request: {
            method: 'PATCH',
            path: recordPath(module.TABLES[m.target]!.entitySet, row.targetId),
            body: { [`${definition.candidates[0]!.nav}@odata.bind`]: null },
            headers: { 'If-Match': '*' },
          },
        });
        if (batch.length >= Math.min(write.batchSize, 1000)) await flush();
      }
      continue;
    }
    const table = module.TABLES[m.target]!;
    batch.push({
      lookup,
      targetId: target.id,
      request: {
        method: 'PATCH',
        path: recordPath(table.entitySet, row.targetId),
        body: { [`${target.nav}@odata.bind`]: target.uri },
        headers: { 'If-Match': '*' },
      },
    });
    if (batch.length >= Math.min(write.batchSize, 1000)) await flush();
  }
  await flush();
  deps.onEvent?.({ type: 'deferred', bound, unresolved, failed });
}
