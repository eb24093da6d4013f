import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../../generated/transformer.ts';
import type { DataverseClient } from '../../../runtime/dataverse/index.ts';
import { Journal } from '../../../runtime/journal/index.ts';
import type { GeneratedModule } from '../../../runtime/mapping/index.ts';
import { runMigration } from '../../../runtime/run/pipeline.ts';
import type { Sandboxes } from '../../../sandbox/index.ts';
import { flitstack, loadDeps, sandboxes } from '../../support/migration.ts';

// Groups are written two at a time: the delta below stops after the first two staff members.
const module: GeneratedModule = {
  ...generatedModule,
  MIGRATION: { ...generatedModule.MIGRATION, batchSize: 2 },
};

type Training = { id: string; staff_id: string };

/** `client`, whose writes (batch, upsertMultiple) throw from the `after`-th on while `armed()` holds. */
function stoppingAfter(client: DataverseClient, after: number, armed: () => boolean): DataverseClient {
  let writes = 0;
  return new Proxy(client, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if ((prop === 'batch' || prop === 'upsertMultiple') && armed())
        return (...args: unknown[]) => {
          if (++writes >= after) throw new Error('stopped');
          return value.apply(target, args);
        };
      return value.bind(target);
    },
  });
}

describe('a delta resumed after the training data of a group it had loaded changed', () => {
  let sb: Sandboxes;
  let dir: string;
  let journal: Journal;
  beforeAll(async () => {
    sb = await sandboxes({ scale: 0.05, seed: 12 });
    dir = mkdtempSync(join(tmpdir(), 'flitstack-resume-groups-'));
    journal = Journal.open(join(dir, 'journal.db'));
    // Staff whose email no Dynamics user has become contacts, each with a training log.
    for (const [i, staff] of [...sb.practicehub.records('practitioners')].entries())
      sb.practicehub.mutate({
        resource: 'practitioners',
        action: 'update',
        ids: [String((staff as { id: string }).id)],
        patch: { email: `staff-${i}@elsewhere.example` },
      });
    expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
  }, 60_000);
  afterAll(async () => {
    journal?.close();
    await sb?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('leaves a group it journaled before it stopped as it was, journaling nothing twice, and balances', async () => {
    const deps = loadDeps(sb, journal, module, dir);
    try {
      const full = await runMigration(deps);
      expect(full.unbalanced).toEqual([]);
      const staffIds = [
        ...new Set([...sb.practicehub.records('training_records')].map((r) => (r as Training).staff_id)),
      ];
      expect(staffIds.length).toBeGreaterThanOrEqual(4);
      const mark = new Date(Date.now() - 1000).toISOString();
      // One record of each staff member changes: the delta touches every group.
      for (const staffId of staffIds) {
        const record = [...sb.practicehub.records('training_records')].find(
          (r) => (r as Training).staff_id === staffId,
        ) as Training;
        sb.practicehub.mutate({
          resource: 'training_records',
          action: 'update',
          ids: [record.id],
          patch: { provider: 'Refresher' },
        });
      }
      const since = Object.fromEntries(Object.keys(module.RESOURCES).map((r) => [r, mark]));
      const options = { kind: 'delta' as const, parentRun: full.run.id, since };
      let training = false;
      const stopping = {
        ...deps,
        dataverse: stoppingAfter(deps.dataverse, 2, () => training),
        onEvent: (e: { type: string; resource?: string }) => {
          if (e.type === 'pass') training = e.resource === 'training_records';
        },
      };
      await expect(runMigration(stopping, options)).rejects.toThrow('stopped');
      const delta = journal.latestRun({ kind: 'delta' })!;
      const done = [...journal.operations(delta.id, { mapping: 'training-record' })];
      expect(done.length).toBeGreaterThan(0);
      // While it was down, a newer course for a staff member whose group it had loaded.
      const loaded = done.find((o) => o.action !== 'skip')!;
      const staffId = (
        [...sb.practicehub.records('training_records')].find((r) => (r as Training).id === loaded.sourceId) as
          | Training
          | undefined
      )?.staff_id;
      expect(staffId).toBeDefined();
      sb.practicehub.mutate({
        resource: 'training_records',
        action: 'create',
        patch: { staff_id: staffId!, course_name: 'Fire Safety', completed_on: '2026-11-20' },
      });

      const resumed = await runMigration(deps, options);
      expect([resumed.run.id, resumed.resumed]).toEqual([delta.id, true]);
      expect(resumed.unbalanced).toEqual([]);
      const ops = [...journal.operations(delta.id, { mapping: 'training-record' })];
      const counted = ops.map((o) => o.sourceId);
      expect(counted.length).toBe(new Set(counted).size);
    } finally {
      await Promise.all([deps.dataverse.close(), deps.practicehub.close()]);
    }
  }, 120_000);
});
