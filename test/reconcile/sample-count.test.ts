import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { IrSchemaPlan } from '../../compiler/ir/types.ts';
import * as generatedModule from '../../generated/transformer.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import { reconcile } from '../../runtime/reconcile/index.ts';
import { blockStart } from '../../runtime/reconcile/source.ts';
import { rowId } from '../../runtime/run/ids.ts';
import { KEYS_ACTIVE_AT_ONCE, type Migrated, migrated } from '../support/migration.ts';
import { ROOT } from '../support/tmp.ts';

const module: GeneratedModule = generatedModule;

let migration: Migrated;
const plan = JSON.parse(readFileSync(join(ROOT, 'generated', 'schema-plan.json'), 'utf8')) as IrSchemaPlan;

/** The appointment records in the sandbox's order, and where the block of pages a sample reads starts. */
function appointmentBlock() {
  const { sb, journal } = migration;
  const run = journal.latestRun({ kind: 'run', status: 'completed' })!;
  const { pageSize, sampleSize } = module.MIGRATION;
  const appointments = [...sb.practicehub.records('appointments')].map((a) => String(a.id));
  const pages = Math.ceil(appointments.length / pageSize);
  const count = Math.ceil(sampleSize / pageSize);
  const start = blockStart('appointments', run.id, pages, count);
  return { run, appointments, pages, count, start };
}

const sample = () =>
  reconcile(
    { ...migration.deps, plan, account: 'harbourside.eu' },
    { run: appointmentBlock().run, checksums: 'sample' },
  );

beforeAll(async () => {
  migration = await migrated(module, 11, { dataverse: KEYS_ACTIVE_AT_ONCE });
}, 60_000);
afterAll(() => migration?.close());

it('reconcile with checksums on a block of pages finds a record created and one deleted since the run outside the block, which cancel out in the count', async () => {
  const { sb } = migration;
  // The block of appointment pages this run's reconcile reads, and a record on a page before it.
  const { appointments, pages, count, start } = appointmentBlock();
  expect(start).toBeGreaterThan(1);
  expect(start + count - 1).toBeLessThan(pages);
  const deleted = appointments[0]!;
  sb.practicehub.mutate({ resource: 'appointments', action: 'delete', ids: [deleted] });
  // A new record goes last, past the block.
  const [created] = sb.practicehub.mutate({ resource: 'appointments', action: 'create', count: 1 });
  const result = await sample();
  const appointment = result.mappings.find((m) => m.mapping === 'appointment')!;
  expect(appointment.source).toBe(appointments.length);
  expect(appointment).toMatchObject({ unaccounted: 1, orphaned: 1, ok: false });
  expect(result.differences.filter((d) => d.mapping === 'appointment')).toEqual([
    expect.objectContaining({ sourceId: created, kind: 'unaccounted' }),
    expect.objectContaining({ sourceId: deleted, kind: 'orphan' }),
  ]);
  expect(result.ok).toBe(false);
});

it('reconcile with checksums on a block of pages says a delta, not a rewrite, settles a row gone from Dataverse whose record PracticeHub deleted outside the block', async () => {
  const { sb } = migration;
  const { appointments } = appointmentBlock();
  // On the first page, before the block: its deletion is only known from the records changed since.
  const record = appointments[1]!;
  sb.practicehub.mutate({ resource: 'appointments', action: 'delete', ids: [record] });
  const id = rowId('harbourside.eu', 'appointment', `appointment-${record}`);
  sb.dataverse.tamper({ table: 'appointment', id, delete: true });
  const { differences } = await sample();
  expect(differences.filter((d) => d.sourceId === record)).toEqual([
    expect.objectContaining({
      mapping: 'appointment',
      kind: 'absent',
      reason:
        'the crosswalk holds the row but Dataverse does not, and PracticeHub no longer lists the record: `flitstack delta` journals the deletion',
    }),
  ]);
});
