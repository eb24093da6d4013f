import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as generatedModule from '../../../generated/transformer.ts';
import { Journal } from '../../../runtime/journal/index.ts';
import type { GeneratedModule } from '../../../runtime/mapping/index.ts';
import type { RunEvent } from '../../../runtime/run/events.ts';
import { runMigration } from '../../../runtime/run/pipeline.ts';
import type { Sandboxes } from '../../../sandbox/index.ts';
import { diesAfter } from '../../support/dies-after.ts';
import { flitstack, loadDeps, sandboxes } from '../../support/migration.ts';
import { tempDir } from '../../support/tmp.ts';

const module: GeneratedModule = generatedModule;

let sb: Sandboxes | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

describe('a run resumed after it was killed once Dataverse took its first creates', () => {
  it('does not report the rows it created itself as found rows another journal wrote', async () => {
    sb = await sandboxes({ scale: 0.05, seed: 47 });
    expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
    const dir = tempDir('flitstack-found-own-');
    const journal = Journal.open(join(dir, 'journal.db'));
    const deps = loadDeps(sb, journal, module, dir);
    const events: RunEvent[] = [];
    try {
      // An upsert that creates (no If-Match) is taken, its answer lost: nothing of it is journaled.
      await diesAfter(deps, sb.env, (requests) =>
        requests.some((r) => r.method === 'PATCH' && r.headers?.['If-Match'] === undefined),
      );
      const resumed = await runMigration({ ...deps, onEvent: (e) => events.push(e) });
      expect(resumed.resumed).toBe(true);
      expect(resumed.rejected).toBe(0);
      // They were journaled as created, so a rollback deletes them: no note may say it restores them.
      const clinics = [...journal.operations(resumed.run.id, { mapping: 'clinic' })].map((op) => op.action);
      expect(clinics).toContain('create');
      expect(clinics).not.toContain('update');
      expect(events.filter((e) => e.type === 'existing')).toEqual([]);
    } finally {
      journal.close();
      await Promise.all([deps.practicehub.close(), deps.dataverse.close()]);
    }
  }, 120_000);
});
