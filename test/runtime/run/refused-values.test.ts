import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../../generated/transformer.ts';
import type { GeneratedModule } from '../../../runtime/mapping/index.ts';
import { runMigration } from '../../../runtime/run/pipeline.ts';
import type { Json } from '../../../sandbox/practicehub/data/context.ts';
import { flitstack, type Migrated, migrated } from '../../support/migration.ts';
import { withPayload } from '../../support/payload.ts';

let m: Migrated;
beforeAll(async () => {
  m = await migrated(generatedModule, 41);
}, 60_000);
afterAll(() => m?.close());

/**
 * A patient with custom properties, and those properties (pain_score is PHI in the source spec); the
 * `skip` first ones are passed over, so that each test changes a patient of its own.
 */
function patientWithProperties(skip = 0): { id: string; properties: Record<string, Json> } {
  let left = skip;
  for (const p of m.sb.practicehub.records('patients')) {
    const record = p as { id: string; custom_properties?: Record<string, Json> | null };
    if (record.custom_properties && left-- === 0)
      return { id: record.id, properties: record.custom_properties };
  }
  throw new Error('the sandbox has too few patients with custom properties');
}

/**
 * The generated module, but the patient mapping sends the source's pain score on unchecked: what a
 * transformer compiled without the column's range sends, or any value an organisation's narrower
 * column refuses.
 */
function unchecked(module: GeneratedModule): GeneratedModule {
  return withPayload(module, 'patient', (record) => ({
    fs_painscore: (record as { custom_properties?: { pain_score?: unknown } }).custom_properties?.pain_score,
  }));
}

describe('a row Dataverse refuses for one of its values', () => {
  it('is journaled and logged with the code, column, table and advice, and without the value', async () => {
    const { id, properties } = patientWithProperties();
    m.sb.practicehub.mutate({
      resource: 'patients',
      action: 'update',
      ids: [id],
      patch: { custom_properties: { ...properties, pain_score: 42.5 } },
    });
    const delta = await runMigration(
      { ...m.deps, module: unchecked(m.deps.module) },
      { kind: 'delta', since: m.since(), parentRun: 1 },
    );

    const [op, ...others] = [...m.journal.operations(delta.run.id, { mapping: 'patient', action: 'reject' })];
    expect(others).toEqual([]);
    expect(op?.sourceId).toBe(id);
    expect(op?.error?.code).toBe('0x8004431a');
    // Dataverse's own words stay, with the value masked: which column of which table, and what to do.
    expect(op?.reason).toContain("The value <value> of 'fs_painscore' on record of type 'contact'");
    expect(op?.reason).toContain("the number is outside the column's range");
    for (const text of [op?.reason, op?.error?.message]) expect(text).not.toContain('42.5');

    const log = await flitstack(m.sb, 'log', '--run', String(delta.run.id), '--journal', m.journal.path);
    expect(log.code).toBe(0);
    expect(log.out).toContain("of 'fs_painscore' on record of type 'contact'");
    expect(log.out).not.toContain('42.5');
  });
});

describe("a value outside the column's declared range", () => {
  it('is dropped with a flag before it is sent: the row loads, Dataverse refuses nothing', async () => {
    const { id, properties } = patientWithProperties(1);
    m.sb.practicehub.mutate({
      resource: 'patients',
      action: 'update',
      ids: [id],
      patch: { custom_properties: { ...properties, pain_score: 42.5 } },
    });
    const delta = await runMigration(m.deps, { kind: 'delta', since: m.since(), parentRun: 1 });

    const ops = [...m.journal.operations(delta.run.id, { mapping: 'patient' })].filter(
      (o) => o.sourceId === id,
    );
    expect(ops.map((o) => o.action)).toEqual(['update']);
    expect(ops[0]!.flags).toContainEqual({
      column: 'fs_painscore',
      code: 'number_out_of_range_dropped',
      detail: "number outside the column's range 0 to 10; value dropped",
    });
    const contact = m.sb.dataverse
      .snapshot(['contact'])
      .tables.contact!.find((c) => c.fs_practicehubid === `patient-${id}`);
    expect(contact?.fs_painscore).toBeNull();
  });
});
