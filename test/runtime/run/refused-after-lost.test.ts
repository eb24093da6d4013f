import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../../generated/transformer.ts';
import type { BatchRequest } from '../../../runtime/dataverse/index.ts';
import type { GeneratedModule, MappingDefinition } from '../../../runtime/mapping/index.ts';
import { rollbackRun } from '../../../runtime/rollback/index.ts';
import { runMigration } from '../../../runtime/run/pipeline.ts';
import type { Json } from '../../../sandbox/practicehub/data/context.ts';
import { diesAfter } from '../../support/dies-after.ts';
import {
  expectOrganisation,
  type Migrated,
  migrated,
  organisation,
  tablesOf,
} from '../../support/migration.ts';

const module: GeneratedModule = generatedModule;
const TABLES = tablesOf(module);

/**
 * The generated module, but the patient mapping sends the source's pain score on unchecked, so that
 * Dataverse refuses a row whose score is out of the column's range (0x8004431a).
 */
function unchecked(spec: GeneratedModule): GeneratedModule {
  const patient = spec.MAPPINGS.patient!;
  const transform: MappingDefinition['transform'] = (record) => {
    const outcome = patient.transform(record);
    if (outcome.kind !== 'rows') return outcome;
    const pain = (record as { custom_properties?: { pain_score?: unknown } }).custom_properties?.pain_score;
    return {
      ...outcome,
      rows: outcome.rows.map((row) => ({ ...row, payload: { ...row.payload, fs_painscore: pain } })),
    };
  };
  return { ...spec, MAPPINGS: { ...spec.MAPPINGS, patient: { ...patient, transform } } };
}

/**
 * A patient's new first name reaches its contact by a delta's write whose answer is lost (the delta
 * fails there); then the patient's pain score goes out of range, so that the next write of the contact
 * is refused. `refuse` runs that write (a full run, or the delta resumed) and returns the run ids to
 * roll back, newest first: afterwards the organisation must be as it was before the delta.
 */
async function lostThenRefused(
  m: Migrated,
  n: number,
  refuse: (deps: Migrated['deps'], delta: number, options: object) => Promise<number[]>,
): Promise<void> {
  const patients = [...m.sb.practicehub.records('patients')] as {
    id: string;
    custom_properties?: Record<string, Json> | null;
  }[];
  const patient = patients.filter((p) => p.custom_properties)[n]!;
  const key = `patient-${patient.id}`;
  const contact = m.journal.crosswalk.get('patient', key)!.targetId.toLowerCase();
  const before = organisation(m.sb, TABLES);
  m.sb.practicehub.mutate({
    resource: 'patients',
    action: 'update',
    ids: [patient.id],
    patch: { first_name: 'Second' },
  });
  const options = {
    kind: 'delta',
    since: m.since(),
    parentRun: m.journal.latestRun({ kind: 'run' })!.id,
  } as const;
  const contacts = (requests: readonly BatchRequest[]) =>
    requests.some((r) => r.path === `contacts(${contact})`);
  const delta = await diesAfter(m.deps, m.sb.env, contacts, options);
  expect(delta.status).toBe('failed');
  m.sb.practicehub.mutate({
    resource: 'patients',
    action: 'update',
    ids: [patient.id],
    patch: { custom_properties: { ...patient.custom_properties, pain_score: 42.5 } },
  });
  const refusing = { ...m.deps, module: unchecked(module) };
  const ids = await refuse(refusing, delta.id, options);
  // (A patient of an earlier test is refused again: its pain score is still out of range.)
  const refused = [...m.journal.operations(ids[0]!, { mapping: 'patient', action: 'reject' })];
  expect(refused.find((o) => o.key === key)?.error?.code).toBe('0x8004431a');

  for (const id of ids) {
    const rollback = await rollbackRun({ dataverse: m.deps.dataverse, journal: m.journal, module }, id);
    expect(rollback.failed).toBe(0);
  }
  expectOrganisation(m.sb, TABLES, before);
}

/** The generated module, but the clinic mapping sends an option value the column does not have (0x8004431a). */
function refusedClinics(spec: GeneratedModule): GeneratedModule {
  const clinic = spec.MAPPINGS.clinic!;
  const transform: MappingDefinition['transform'] = (record) => {
    const outcome = clinic.transform(record);
    if (outcome.kind !== 'rows') return outcome;
    return {
      ...outcome,
      rows: outcome.rows.map((row) => ({ ...row, payload: { ...row.payload, fs_accountkind: 999999 } })),
    };
  };
  return { ...spec, MAPPINGS: { ...spec.MAPPINGS, clinic: { ...clinic, transform } } };
}

describe('a row whose write was never answered, then refused by Dataverse', () => {
  let m: Migrated;
  beforeAll(async () => {
    m = await migrated(module, 57);
  }, 60_000);
  afterAll(() => m?.close());

  it('keeps the image a full run took over from the failed delta, so a rollback still restores the row', async () => {
    await lostThenRefused(m, 0, async (deps) => {
      const run = await runMigration(deps, { resume: false });
      return [run.run.id];
    });
  }, 60_000);

  it('keeps the image of the resumed delta’s lost write, so a rollback of the delta still restores the row', async () => {
    await lostThenRefused(m, 1, async (deps, delta, options) => {
      const resumed = await runMigration(deps, options);
      expect([resumed.run.id, resumed.resumed]).toEqual([delta, true]);
      return [delta];
    });
  }, 60_000);

  it('binds no deferred lookup of the refused row, so its image stays and a rollback restores the row', async () => {
    // A child clinic: its parent clinic is bound in the second pass.
    const clinics = [...m.sb.practicehub.records('clinics')] as { id: string; parent_clinic_id?: unknown }[];
    const child = clinics.find((c) => c.parent_clinic_id != null)!;
    const key = `clinic-${child.id}`;
    const account = m.journal.crosswalk.get('clinic', key)!.targetId.toLowerCase();
    const before = organisation(m.sb, TABLES);
    m.sb.practicehub.mutate({
      resource: 'clinics',
      action: 'update',
      ids: [child.id],
      patch: { name: 'Renamed' },
    });
    const options = {
      kind: 'delta',
      since: m.since(),
      parentRun: m.journal.latestRun({ kind: 'run' })!.id,
    } as const;
    const accounts = (requests: readonly BatchRequest[]) =>
      requests.some((r) => r.method === 'PATCH' && r.path === `accounts(${account})`);
    const delta = await diesAfter(m.deps, m.sb.env, accounts, options);
    const resumed = await runMigration({ ...m.deps, module: refusedClinics(module) }, options);
    expect([resumed.run.id, resumed.resumed]).toEqual([delta.id, true]);
    const ops = [...m.journal.operations(delta.id, { mapping: 'clinic' })].filter((o) => o.key === key);
    expect(ops.map((o) => o.action)).toEqual(['reject']);
    const rollback = await rollbackRun({ dataverse: m.deps.dataverse, journal: m.journal, module }, delta.id);
    expect(rollback.failed).toBe(0);
    expectOrganisation(m.sb, TABLES, before);
  }, 60_000);
});
