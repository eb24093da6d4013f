import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../../generated/transformer.ts';
import type { BatchRequest } from '../../../runtime/dataverse/index.ts';
import type { GeneratedModule } from '../../../runtime/mapping/index.ts';
import { rollbackRun } from '../../../runtime/rollback/index.ts';
import { type RunOptions, runMigration } from '../../../runtime/run/pipeline.ts';
import type { Json } from '../../../sandbox/practicehub/data/context.ts';
import { diesAfter } from '../../support/dies-after.ts';
import {
  expectOrganisation,
  type Migrated,
  migrated,
  organisation,
  tablesOf,
} from '../../support/migration.ts';
import { withPayload } from '../../support/payload.ts';

const module: GeneratedModule = generatedModule;
const TABLES = tablesOf(module);

/** A record whose row a lost write reaches, and how its next write is made one Dataverse refuses. */
interface Case {
  readonly resource: 'patients' | 'clinics';
  readonly mapping: string;
  readonly entitySet: string;
  readonly id: string;
  /** The source change whose write is lost. */
  readonly lost: Record<string, Json>;
  /** The source change, if any, and the module with which the next write is refused (0x8004431a). */
  readonly refused?: Record<string, Json>;
  readonly module: GeneratedModule;
}

/**
 * A record's change reaches its row by a delta's write whose answer is lost (the delta fails there);
 * then the record's next write is refused. `refuse` runs that write (a full run, or the delta resumed)
 * and returns the run ids to roll back, newest first: afterwards the organisation must be as it was
 * before the delta.
 */
async function lostThenRefused(
  m: Migrated,
  c: Case,
  refuse: (deps: Migrated['deps'], delta: number, options: RunOptions) => Promise<number[]>,
): Promise<void> {
  const key = `${c.mapping}-${c.id}`;
  const row = m.journal.crosswalk.get(c.mapping, key)!.targetId.toLowerCase();
  const before = organisation(m.sb, TABLES);
  const change = (patch: Record<string, Json>) =>
    m.sb.practicehub.mutate({ resource: c.resource, action: 'update', ids: [c.id], patch });
  change(c.lost);
  const options = {
    kind: 'delta',
    since: m.since(),
    parentRun: m.journal.latestRun({ kind: 'run' })!.id,
  } as const;
  const reaches = (requests: readonly BatchRequest[]) =>
    requests.some((r) => r.method === 'PATCH' && r.path === `${c.entitySet}(${row})`);
  const delta = await diesAfter(m.deps, m.sb.env, reaches, options);
  expect(delta.status).toBe('failed');
  if (c.refused) change(c.refused);
  const ids = await refuse({ ...m.deps, module: c.module }, delta.id, options);
  // Refused, and nothing else journaled of the row (no second-pass bind); records of earlier tests are
  // refused again, as their source still holds what Dataverse refuses.
  const ops = [...m.journal.operations(ids[0]!, { mapping: c.mapping })].filter((o) => o.key === key);
  expect(ops.map((o) => [o.action, o.error?.code])).toEqual([['reject', '0x8004431a']]);

  for (const id of ids) {
    const rollback = await rollbackRun({ dataverse: m.deps.dataverse, journal: m.journal, module }, id);
    expect(rollback.failed).toBe(0);
  }
  expectOrganisation(m.sb, TABLES, before);
}

/** The n-th patient with custom properties, whose pain score going out of range gets its contact refused. */
function patientCase(m: Migrated, n: number): Case {
  const patients = [...m.sb.practicehub.records('patients')] as {
    id: string;
    custom_properties?: Record<string, Json> | null;
  }[];
  const patient = patients.filter((p) => p.custom_properties)[n]!;
  return {
    resource: 'patients',
    mapping: 'patient',
    entitySet: 'contacts',
    id: patient.id,
    lost: { first_name: 'Second' },
    refused: { custom_properties: { ...patient.custom_properties, pain_score: 42.5 } },
    // What a transformer compiled without the column's range would send.
    module: withPayload(module, 'patient', (record) => ({
      fs_painscore: (record as { custom_properties?: { pain_score?: unknown } }).custom_properties
        ?.pain_score,
    })),
  };
}

describe('a row whose write was never answered, then refused by Dataverse', () => {
  let m: Migrated;
  beforeAll(async () => {
    m = await migrated(module, 57);
  }, 60_000);
  afterAll(() => m?.close());

  it('keeps the image a full run took over from the failed delta, so a rollback still restores the row', async () => {
    await lostThenRefused(m, patientCase(m, 0), async (deps) => {
      const run = await runMigration(deps, { resume: false });
      return [run.run.id];
    });
  }, 60_000);

  it('keeps the image of the resumed delta’s lost write, so a rollback of the delta still restores the row', async () => {
    await lostThenRefused(m, patientCase(m, 1), async (deps, delta, options) => {
      const resumed = await runMigration(deps, options);
      expect([resumed.run.id, resumed.resumed]).toEqual([delta, true]);
      return [delta];
    });
  }, 60_000);

  it('binds no deferred lookup of the refused row, so its image stays and a rollback restores the row', async () => {
    // A child clinic: its parent clinic is bound in the second pass.
    const clinics = [...m.sb.practicehub.records('clinics')] as { id: string; parent_clinic_id?: unknown }[];
    const child = clinics.find((c) => c.parent_clinic_id != null)!;
    const refusing: Case = {
      resource: 'clinics',
      mapping: 'clinic',
      entitySet: 'accounts',
      id: child.id,
      lost: { name: 'Renamed' },
      // An option value the column does not have.
      module: withPayload(module, 'clinic', () => ({ fs_accountkind: 999999 })),
    };
    await lostThenRefused(m, refusing, async (deps, delta, options) => {
      const resumed = await runMigration(deps, options);
      expect([resumed.run.id, resumed.resumed]).toEqual([delta, true]);
      return [delta];
    });
  }, 60_000);
});
