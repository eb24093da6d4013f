import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { IrSchemaPlan } from '../../compiler/ir/types.ts';
import * as generatedModule from '../../generated/transformer.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import { reconcile } from '../../runtime/reconcile/index.ts';
import { blockStart } from '../../runtime/reconcile/source.ts';
import { KEYS_ACTIVE_AT_ONCE, migrated } from '../support/migration.ts';
import { ROOT } from '../support/tmp.ts';

const module: GeneratedModule = generatedModule;

it('reconcile with checksums on a block of pages finds a record created and one deleted since the run outside the block, which cancel out in the count', async () => {
  const migration = await migrated(module, 11, { dataverse: KEYS_ACTIVE_AT_ONCE });
  const { sb, journal, deps } = migration;
  const plan = JSON.parse(readFileSync(join(ROOT, 'generated', 'schema-plan.json'), 'utf8')) as IrSchemaPlan;
  try {
    const run = journal.latestRun({ kind: 'run', status: 'completed' })!;
    // The block of appointment pages this run's reconcile reads, and a record on a page before it.
    const { pageSize, sampleSize } = module.MIGRATION;
    const appointments = [...sb.practicehub.records('appointments')].map((a) => String(a.id));
    const pages = Math.ceil(appointments.length / pageSize);
    const count = Math.ceil(sampleSize / pageSize);
    const start = blockStart('appointments', run.id, pages, count);
    expect(start).toBeGreaterThan(1);
    expect(start + count - 1).toBeLessThan(pages);
    const deleted = appointments[0]!;
    sb.practicehub.mutate({ resource: 'appointments', action: 'delete', ids: [deleted] });
    // A new record goes last, past the block.
    const [created] = sb.practicehub.mutate({ resource: 'appointments', action: 'create', count: 1 });
    const result = await reconcile(
      { ...deps, plan, account: 'harbourside.eu' },
      { run, checksums: 'sample' },
    );
    const appointment = result.mappings.find((m) => m.mapping === 'appointment')!;
    expect(appointment.source).toBe(appointments.length);
    expect(appointment).toMatchObject({ unaccounted: 1, orphaned: 1, ok: false });
    expect(result.differences.filter((d) => d.mapping === 'appointment')).toEqual([
      expect.objectContaining({ sourceId: created, kind: 'unaccounted' }),
      expect.objectContaining({ sourceId: deleted, kind: 'orphan' }),
    ]);
    expect(result.ok).toBe(false);
  } finally {
    await migration.close();
  }
}, 60_000);
