import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandboxes } from '../../sandbox/index.ts';
import { type CliMigrated, flitstack, migratedByCli } from '../support/migration.ts';

let m: CliMigrated;
let sb: Sandboxes;
let journal: string;
beforeAll(async () => {
  m = await migratedByCli({ scale: 0.1, seed: 33 });
  ({ sb, journal } = m);
}, 120_000);
afterAll(() => m?.close());

const delta = () => m.delta();

// Deactivated appointments are Canceled (statecode 2); open ones are Scheduled (3) or Open (0).
const closed = (ids: readonly string[]): number => {
  const wanted = new Set(ids.map((id) => `appointment-${id}`));
  return sb.dataverse
    .snapshot(['appointment'])
    .tables.appointment!.filter((a) => wanted.has(String(a.fs_practicehubid)) && a.statecode === 2).length;
};

describe('a delta after a rolled back delta', () => {
  it('reads from the last watermark still standing, so the deletions the rollback reopened are closed again', async () => {
    const deleted = sb.practicehub.mutate({ resource: 'appointments', action: 'delete', count: 300 });
    expect(deleted).toHaveLength(300);
    // Some of them were cancelled in PracticeHub already, and loaded closed by the run.
    const closedBefore = closed(deleted);
    const first = await delta();
    const deactivated = first.json.summary.appointment!.loaded;
    expect(deactivated).toBeGreaterThan(200);
    expect(closed(deleted)).toBe(closedBefore + deactivated);

    const undone = await flitstack(sb, 'rollback', '--run', String(first.json.run), '--journal', journal);
    expect(undone.err).not.toContain('error:');
    expect(undone.code).toBe(0);
    expect(closed(deleted)).toBe(closedBefore);

    // The rolled back delta's watermark is gone with it: the next delta reads from the run's, which
    // lists the deletions again, instead of reading the resource whole (which lists none).
    const again = await delta();
    expect(again.err).toContain('appointments: changed since');
    expect(again.json.summary.appointment!.loaded).toBe(deactivated);
    expect(closed(deleted)).toBe(closedBefore + deactivated);

    const reconciled = await flitstack(
      sb,
      'reconcile',
      '--journal',
      journal,
      '--rate',
      '1000',
      '--out',
      join(dirname(journal), 'reconcile'),
    );
    expect(reconciled.out + reconciled.err).not.toContain('orphan');
    expect(reconciled.code).toBe(0);

    // The watermark of the new delta stands again: a further delta finds nothing to load.
    const quiet = await delta();
    expect(quiet.json.summary.appointment!.loaded).toBe(0);
  }, 180_000);
});
