import type { Journal, StagedEntry } from '../journal/index.ts';
import type { GeneratedModule } from '../mapping/index.ts';
import { byText } from '../shared/order.ts';
import type { RollbackPhase } from './events.ts';
import type { Undone } from './undo.ts';

/**
 * The step that undoes a write whose answer was never journaled, by what its image says it did: a
 * delete is recreated, a deactivation or an update of an existing row restored, and an update of a row
 * that did not exist (the write created it) deleted.
 */
function phaseOf(entry: StagedEntry): RollbackPhase {
  if (entry.action === 'delete') return 'recreate';
  return entry.action === 'update' && entry.created ? 'delete' : 'restore';
}

/**
 * The images run `runId` staged for the step `phase`, oldest first and in load order within one
 * staging. They are the run's last writes (the batch whose answer never came, or writes of runs before
 * it whose images it adopted), so recreating (parents first) goes through them after the journaled
 * operations, and restoring and deleting (newest first, children before parents) before them.
 */
function entriesOf(journal: Journal, module: GeneratedModule, runId: number, phase: RollbackPhase) {
  const rank = (mapping: string) => {
    const i = module.LOAD_ORDER.indexOf(mapping);
    return i < 0 ? module.LOAD_ORDER.length : i;
  };
  const entries = journal.images
    .pending(runId)
    .filter((e) => phaseOf(e) === phase)
    .sort((a, b) => byText(a.stagedAt, b.stagedAt) || rank(a.mapping) - rank(b.mapping));
  return phase === 'recreate' ? entries : entries.reverse();
}

/**
 * The writes run `runId` sent whose answer was never journaled, as a rollback step undoes them: each
 * image it still holds (ImageStore), read one at a time. A write may never have reached Dataverse, and
 * undoing it is harmless then (a pre-image written over the unchanged row, a delete of a row that is
 * not there). Images staged before journal schema 6 do not name the source record or the table: the
 * crosswalk's row of the key says them, else the spec's mapping, else the key stands for the record.
 */
export function* stagedWrites(
  journal: Journal,
  module: GeneratedModule,
  runId: number,
  phase: RollbackPhase,
): Generator<Undone, void, undefined> {
  for (const entry of entriesOf(journal, module, runId, phase)) {
    const image = journal.images.get(runId, entry.mapping, entry.key);
    if (!image) continue;
    const known = journal.crosswalk.get(entry.mapping, entry.key);
    yield {
      id: null,
      runId,
      mapping: image.mapping,
      key: image.key,
      sourceId: image.sourceId ?? known?.sourceId ?? image.key,
      table: image.table ?? known?.table ?? module.MAPPINGS[image.mapping]?.target ?? null,
      action: entry.created ? 'create' : image.action,
      targetId: image.targetId,
      error: null,
      preImage: image.preImage,
    };
  }
}

/** Lower-case ids of the rows run `runId` created by writes whose answer was never journaled. */
export function stagedCreates(journal: Journal, runId: number): string[] {
  return journal.images
    .pending(runId)
    .filter((e) => phaseOf(e) === 'delete')
    .map((e) => e.targetId);
}
