import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../../generated/transformer.ts';
import { Journal } from '../../../runtime/journal/index.ts';
import type { GeneratedModule } from '../../../runtime/mapping/index.ts';
import { PracticeHubClient } from '../../../runtime/practicehub/index.ts';
import { runMigration } from '../../../runtime/run/pipeline.ts';
import type { Sandboxes } from '../../../sandbox/index.ts';
import { FALLBACK_OWNER, flitstack, loadDeps, sandboxes } from '../../support/migration.ts';

// Pages of 20 patients, each flushed on its own: the run stops after a few of them.
const PAGE = 20;
const module: GeneratedModule = {
  ...generatedModule,
  MIGRATION: { ...generatedModule.MIGRATION, batchSize: PAGE },
};

describe('a run resumed after records on pages it had read were deleted', () => {
  let sb: Sandboxes;
  let dir: string;
  let journal: Journal;
  beforeAll(async () => {
    sb = await sandboxes({ seed: 61 });
    dir = mkdtempSync(join(tmpdir(), 'flitstack-resume-shift-'));
    journal = Journal.open(join(dir, 'journal.db'));
    expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
  }, 60_000);
  afterAll(async () => {
    journal?.close();
    await sb?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads again the pages the following records moved back into, so that none is passed by', async () => {
    const practicehub = new PracticeHubClient({
      baseUrl: sb.practicehub.baseUrl,
      apiKey: sb.practicehub.apiKey,
      appDetails: `flitstack=${FALLBACK_OWNER}`,
      requestsPerSecond: 1000,
      pageSize: PAGE,
    });
    const deps = { ...loadDeps(sb, journal, module, dir), practicehub };
    let flushes = 0;
    const stopping = {
      ...deps,
      onEvent: (e: { type: string; resource?: string }) => {
        if (e.type === 'flush' && e.resource === 'patients' && ++flushes === 3) throw new Error('stopped');
      },
    };
    try {
      await expect(runMigration(stopping)).rejects.toThrow('stopped');
      const run = journal.latestRun({ kind: 'run' })!;
      expect(journal.progress(run.id, 'patients')?.nextPage).toBe(4);
      // Two patients of the first page go: every patient after them moves two places back, so the
      // first two of page 4 are now the last two of page 3, which the run has read.
      const first = [...journal.operations(run.id, { mapping: 'patient' })]
        .slice(0, 2)
        .map((o) => o.sourceId);
      sb.practicehub.mutate({ resource: 'patients', action: 'delete', ids: first });

      const resumed = await runMigration(deps);
      expect([resumed.run.id, resumed.resumed]).toEqual([run.id, true]);
      const journaled = new Set(
        [...journal.operations(run.id, { mapping: 'patient' })].map((o) => o.sourceId),
      );
      const missing = [...sb.practicehub.records('patients')]
        .map((p) => String((p as { id: string }).id))
        .filter((id) => !journaled.has(id));
      expect(missing).toEqual([]);
    } finally {
      await Promise.all([practicehub.close(), deps.dataverse.close(), deps.practicehub.close()]);
    }
  }, 60_000);
});
