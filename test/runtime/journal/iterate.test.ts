import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { OperationInput } from '../../../runtime/journal/index.ts';
import { created, guid, openTemp, progressAfter } from './helpers.ts';

const start = { kind: 'run', specHash: 's', codeHash: 'c' } as const;

/** A full garbage collection, without starting node with --expose-gc. */
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

describe('iterators', () => {
  it('let the caller write while iterating (a rollback deletes as it reads)', () => {
    const { journal } = openTemp({ chunkSize: 50 });
    const run = journal.startRun(start);
    for (let page = 1; page <= 5; page += 1) {
      const ops = Array.from({ length: 100 }, (_, i) => created('contact', page * 100 + i));
      journal.recordPage(run.id, 'patients', page, ops, [], progressAfter(page, 100));
    }
    journal.finishRun(run.id, 'completed');
    const rollback = journal.startRun({ ...start, kind: 'rollback', parentRun: run.id });
    let deleted = 0;
    for (const op of journal.createdBy(run.id)) {
      journal.recordBatch(
        rollback.id,
        [{ ...op, key: op.key, action: 'delete', preImage: null }],
        [{ mapping: op.mapping, key: op.key!, remove: true }],
      );
      deleted += 1;
    }
    expect(deleted).toBe(500);
    const deletes = [...journal.operations(rollback.id, { action: 'delete' })];
    expect(deletes.map((o) => o.targetId)).toEqual(Array.from({ length: 500 }, (_, i) => guid(599 - i)));
  });

  it('keep memory flat over a run far larger than one chunk', () => {
    const { journal } = openTemp({ chunkSize: 100 });
    const run = journal.startRun(start);
    // 12,000 updates with a 4 KB pre-image each: about 48 MB of JSON if it were all loaded at once.
    const filler = 'x'.repeat(4_000);
    for (let page = 1; page <= 120; page += 1) {
      const ops: OperationInput[] = Array.from({ length: 100 }, (_, i) =>
        created('contact', page * 100 + i, { action: 'update', preImage: { description: filler } }),
      );
      journal.recordPage(run.id, 'patients', page, ops, [], progressAfter(page, 100));
    }
    // What is still reachable, not the garbage a collection has yet to take: that depends on when
    // V8 collects, which the load of a shared machine changes.
    const live = () => {
      collect();
      return process.memoryUsage().heapUsed;
    };
    const base = live();
    let peak = base;
    let seen = 0;
    let bytes = 0;
    for (const op of journal.updatedBy(run.id)) {
      seen += 1;
      bytes += String(op.preImage!.description).length;
      if (seen % 1_000 === 0) peak = Math.max(peak, live());
    }
    expect(seen).toBe(12_000);
    expect(bytes).toBe(48_000_000);
    // Materialising the run would hold about 48 MB of pre-images; chunked reading holds one chunk
    // (100 operations, about 0.4 MB) and what the statement keeps.
    expect(peak - base).toBeLessThan(8 * 1024 * 1024);
  });
});
