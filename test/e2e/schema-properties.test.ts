import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingLines } from '../../cli/actions/schema.ts';
import { readSpecDir } from '../../cli/spec-files.ts';
import { compileSpec } from '../../compiler/compile.ts';
import type { IrPlanColumn, IrSchemaPlan } from '../../compiler/ir/types.ts';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import * as shipped from '../../generated/transformer.ts';
import type { DataverseClient } from '../../runtime/dataverse/index.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import { applySchema } from '../../runtime/schema/apply.ts';
import { attributeBody } from '../../runtime/schema/bodies.ts';
import { checkSchema, readLiveSchema, type SchemaFinding } from '../../runtime/schema/verify.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { clients, flitstack, sandboxes } from '../support/migration.ts';
import { ROOT } from '../support/tmp.ts';

const SHIPPED_PLAN = JSON.parse(
  readFileSync(join(ROOT, 'generated', 'schema-plan.json'), 'utf8'),
) as IrSchemaPlan;
const TABLES: GeneratedModule['TABLES'] = shipped.TABLES;

/** The schema plan of the shipped spec with spec/objects/payment.yaml edited by `edits` (text → text). */
function planWith(edits: readonly (readonly [string, string])[]): IrSchemaPlan {
  const input = readSpecDir('spec', ROOT);
  const files = new Map(input.files);
  let payment = files.get('objects/payment.yaml')!;
  for (const [from, to] of edits) {
    expect(payment).toContain(from);
    payment = payment.replace(from, to);
  }
  files.set('objects/payment.yaml', payment);
  const result = compileSpec({ ...input, files }, createSchemaValidators(), { typecheck: false });
  if (!result.ir)
    throw new Error(`the spec does not compile: ${result.diagnostics.map((d) => d.message).join('; ')}`);
  return result.ir.plan;
}

/** `plan` with fs_payment changed by `change`. */
function withPayment(
  plan: IrSchemaPlan,
  change: (table: IrSchemaPlan['tables'][number]) => IrSchemaPlan['tables'][number],
): IrSchemaPlan {
  return { ...plan, tables: plan.tables.map((t) => (t.name === 'fs_payment' ? change(t) : t)) };
}

const payment = (findings: readonly SchemaFinding[]) => findings.filter((f) => f.table === 'fs_payment');

let sb: Sandboxes;
let dataverse: DataverseClient;

// One organisation for the file: `schema apply` of the shipped spec, then plans that differ from it.
beforeAll(async () => {
  sb = await sandboxes();
  dataverse = clients(sb).dataverse;
  const applied = await flitstack(sb, 'schema', 'apply');
  expect(applied.out).toContain('the schema matches the plan');
  expect(applied.code).toBe(0);
}, 120_000);

afterAll(async () => {
  await dataverse?.close();
  await sb?.close();
});

describe('schema verify and schema apply compare every planned column property', () => {
  it('find the organisation as the shipped plan made it', async () => {
    const verified = await flitstack(sb, 'schema', 'verify');
    expect(verified.out).toBe('the organisation has every table, column, key and role the plan needs\n');
    expect(verified.code).toBe(0);
  });

  it('report precision and behaviour that differ, with what to do, and apply widens the range and sets the format and the required level', async () => {
    const plan = planWith([
      ['precision: 2, min: -1000000, max: 1000000 }', 'precision: 4, min: -100000000, max: 100000000 }'],
      ['behavior: user_local }', 'behavior: time_zone_independent }'],
      [
        'custom: { type: string, max_length: 100, label: Reference }',
        'custom: { type: string, max_length: 100, label: Reference, format: email, required: application }',
      ],
    ]);
    const fix = (column: string) =>
      `; change it in Dataverse (Power Apps → Tables → fs_payment → Columns → ${column}) or change the column's custom: properties in the spec (mapping payment), then compile`;
    const byHand = [
      {
        name: 'fs_amount',
        problem: `precision is 2 in the organisation, the plan says 4: values are rounded to 2 decimal places, and the rest is lost${fix('fs_amount')}`,
      },
      {
        name: 'fs_paidon',
        problem: `behaviour is UserLocal in the organisation, the plan says TimeZoneIndependent: the times the load writes are stored and shown differently${fix('fs_paidon')}`,
      },
    ].map((f) => ({ kind: 'column', table: 'fs_payment', applicable: false, ...f }));
    const byApply = [
      {
        name: 'fs_amount',
        problem:
          'range is -1000000 to 1000000 in the organisation, the plan says -100000000 to 100000000: values outside -1000000 to 1000000 are refused',
      },
      // A display format, which validates no value: apply sets it (PA`data-type-format-conversions`).
      { name: 'fs_reference', problem: 'format is Text in the organisation, the plan says Email' },
      {
        name: 'fs_reference',
        problem: 'required level is None in the organisation, the plan says ApplicationRequired',
      },
    ].map((f) => ({ kind: 'column', table: 'fs_payment', applicable: true, ...f }));

    const verified = checkSchema(await readLiveSchema(dataverse, plan, TABLES), plan, TABLES);
    expect(verified).toEqual([byHand[0], byApply[0], byHand[1], byApply[1], byApply[2]]);
    expect(findingLines(verified)).toContain(
      'column fs_payment.fs_amount: precision is 2 in the organisation, the plan says 4: values are rounded to 2 decimal places',
    );

    const applied = await applySchema(dataverse, plan, TABLES);
    expect(applied.created).toEqual([
      'changed column fs_payment.fs_amount (range)',
      'changed column fs_payment.fs_reference (format, required level)',
      `published ${plan.tables
        .filter((t) => t.columns.length > 0)
        .map((t) => t.name)
        .join(', ')}`,
    ]);
    expect(applied.remaining).toEqual(byHand);
    const columns = new Map((await dataverse.attributes('fs_payment', false)).map((a) => [a.logicalName, a]));
    expect(columns.get('fs_amount')).toMatchObject({
      minValue: -100000000,
      maxValue: 100000000,
      precision: 2,
    });
    expect(columns.get('fs_reference')).toMatchObject({
      requiredLevel: 'ApplicationRequired',
      formatName: 'Email',
      maxLength: 100,
    });

    // Back to the shipped plan: the format goes back to Text, nothing else changes. A higher required
    // level is the admin's choice and refuses no write; the wider range takes every value.
    const restored = await applySchema(dataverse, SHIPPED_PLAN, TABLES);
    expect(restored.created[0]).toBe('changed column fs_payment.fs_reference (format)');
    expect(restored.created).toHaveLength(2);
    expect(restored.remaining).toEqual([]);
  });

  it('report a type or a lookup target Dataverse cannot change with the two ways out, neither of them changing it in place', async () => {
    const plan = withPayment(SHIPPED_PLAN, (t) => ({
      ...t,
      columns: t.columns.map((c) =>
        c.name === 'fs_reference'
          ? { ...c, type: 'memo' as const }
          : c.name === 'fs_patientid'
            ? { ...c, target: 'account' }
            : c,
      ),
    }));
    const way = (column: string) =>
      `Dataverse cannot change a saved column's ${column === 'fs_reference' ? 'type' : 'target'}: change the column's custom: properties in the spec (mapping payment) to match the organisation, then compile, or delete the column (Power Apps → Tables → fs_payment → Columns → ${column}; the values it holds are lost) and run schema apply, which creates it as the plan says`;
    const findings = payment(checkSchema(await readLiveSchema(dataverse, plan, TABLES), plan, TABLES));
    expect(findings.map((f) => [f.name, f.problem, f.applicable])).toEqual([
      [
        'fs_patientid',
        `target is contact in the organisation, the plan says account; ${way('fs_patientid')}`,
        false,
      ],
      [
        'fs_reference',
        `type is StringType in the organisation, the plan says MemoType; ${way('fs_reference')}`,
        false,
      ],
    ]);
  });

  it('report a standard column the organisation holds shorter than the target snapshot says, with both ways out', async () => {
    // A snapshot taken from an organisation whose admin lengthened contact.lastname (50 by default).
    const contact = TABLES.contact!;
    const tables: GeneratedModule['TABLES'] = {
      ...TABLES,
      contact: {
        ...contact,
        columns: { ...contact.columns, lastname: { ...contact.columns.lastname!, maxLength: 100 } },
      },
    };
    const findings = checkSchema(await readLiveSchema(dataverse, SHIPPED_PLAN, tables), SHIPPED_PLAN, tables);
    expect(findings).toEqual([
      {
        kind: 'column',
        table: 'contact',
        name: 'lastname',
        problem:
          'maximum length is 50 characters in the organisation, the target snapshot says 100: the load lets values up to 100 characters through and Dataverse refuses the longer ones; refresh the snapshot from this organisation (flitstack audit --target), then compile and confirm, or lengthen the column in Dataverse (Power Apps → Tables → contact → Columns → lastname)',
        applicable: false,
      },
    ]);
  });

  it('report a behaviour other than UserLocal as one Dataverse cannot change back, with the two ways out', async () => {
    const paidOn = SHIPPED_PLAN.tables
      .find((t) => t.name === 'fs_payment')!
      .columns.find((c) => c.name === 'fs_paidon')!;
    const clearedOn = { ...paidOn, name: 'fs_clearedon', schemaName: 'fs_clearedon', label: 'Cleared on' };
    const planned = (behavior: IrPlanColumn['behavior']) =>
      withPayment(SHIPPED_PLAN, (t) => ({ ...t, columns: [...t.columns, { ...clearedOn, behavior }] }));
    expect((await applySchema(dataverse, planned('time_zone_independent'), TABLES)).remaining).toEqual([]);
    const plan = planned('user_local');
    const findings = payment(checkSchema(await readLiveSchema(dataverse, plan, TABLES), plan, TABLES));
    expect(findings.map((f) => [f.name, f.problem, f.applicable])).toEqual([
      [
        'fs_clearedon',
        "behaviour is TimeZoneIndependent in the organisation, the plan says UserLocal: the times the load writes are stored and shown differently; Dataverse cannot change a saved column's behaviour: change the column's custom: properties in the spec (mapping payment) to match the organisation, then compile, or delete the column (Power Apps → Tables → fs_payment → Columns → fs_clearedon; the values it holds are lost) and run schema apply, which creates it as the plan says",
        false,
      ],
    ]);
  });

  it('report neither a precision nor a range wider than the plan: they take every value the load writes', async () => {
    const plan = planWith([
      ['precision: 2, min: -1000000, max: 1000000 }', 'precision: 1, min: -1000, max: 1000 }'],
    ]);
    const findings = payment(checkSchema(await readLiveSchema(dataverse, plan, TABLES), plan, TABLES));
    expect(findings).toEqual([]);
  });

  it("report a custom table's primary name column shorter than the plan, which apply lengthens", async () => {
    const plan = withPayment(SHIPPED_PLAN, (t) => ({
      ...t,
      custom: { ...t.custom!, primaryName: { ...t.custom!.primaryName, maxLength: 250 } },
    }));
    const findings = payment(checkSchema(await readLiveSchema(dataverse, plan, TABLES), plan, TABLES));
    expect(findings).toEqual([
      {
        kind: 'column',
        table: 'fs_payment',
        name: 'fs_name',
        problem:
          'maximum length of the primary name column is 100 characters in the organisation, the plan says 250: longer names are refused',
        applicable: true,
      },
    ]);
    const applied = await applySchema(dataverse, plan, TABLES);
    expect(applied.created).toContain(
      'changed column fs_payment.fs_name (maximum length of the primary name column)',
    );
    expect(payment(applied.remaining)).toEqual([]);
    const name = (await dataverse.attributes('fs_payment', false)).find((a) => a.logicalName === 'fs_name');
    expect(name).toMatchObject({ maxLength: 250, isPrimaryName: true });
  });

  it('create a money column with the range and precision of the plan, and report a money column that takes the currency precision', async () => {
    const amount = SHIPPED_PLAN.tables
      .find((t) => t.name === 'fs_payment')!
      .columns.find((c) => c.name === 'fs_amount')!;
    const fee: IrPlanColumn = {
      ...amount,
      name: 'fs_fee',
      schemaName: 'fs_fee',
      label: 'Fee',
      type: 'money',
      precision: 4,
      min: -500,
      max: 500,
    };
    const plan = withPayment(SHIPPED_PLAN, (t) => ({ ...t, columns: [...t.columns, fee] }));
    const applied = await applySchema(dataverse, plan, TABLES);
    expect(applied.created).toContain('created column fs_payment.fs_fee (money)');
    expect(applied.remaining).toEqual([]);
    const column = (await dataverse.attributes('fs_payment', false)).find((a) => a.logicalName === 'fs_fee');
    expect(column).toMatchObject({ minValue: -500, maxValue: 500, precision: 4, precisionSource: 0 });

    // Created by hand, the money column left to its defaults takes the currency's precision.
    const { PrecisionSource: _, ...byHand } = attributeBody({ ...fee, name: 'fs_tip', schemaName: 'fs_tip' });
    await dataverse.createAttribute('fs_payment', byHand);
    const tip = { ...fee, name: 'fs_tip', schemaName: 'fs_tip', min: -1000 };
    const withTip = withPayment(plan, (t) => ({ ...t, columns: [...t.columns, tip] }));
    const findings = payment(checkSchema(await readLiveSchema(dataverse, withTip, TABLES), withTip, TABLES));
    expect(findings.map((f) => `${f.name}: ${f.problem.split(';')[0]}`)).toEqual([
      "fs_tip: precision source is the currency's precision in the organisation, the plan says the column's own precision (4): values are rounded to that precision, which may hold fewer decimal places",
      'fs_tip: range is -500 to 500 in the organisation, the plan says -1000 to 500: values outside -500 to 500 are refused',
    ]);
    expect(findings.map((f) => f.applicable)).toEqual([false, true]);
  });
  it('report a date-time column shown as a date only, which apply shows with its time', async () => {
    const paidOn = SHIPPED_PLAN.tables
      .find((t) => t.name === 'fs_payment')!
      .columns.find((c) => c.name === 'fs_paidon')!;
    const settled: IrPlanColumn = {
      ...paidOn,
      name: 'fs_settledon',
      schemaName: 'fs_settledon',
      label: 'Settled on',
    };
    // Created by hand with the display format of a date: the times the load writes would not show.
    await dataverse.createAttribute('fs_payment', { ...attributeBody(settled), Format: 'DateOnly' });
    const plan = withPayment(SHIPPED_PLAN, (t) => ({ ...t, columns: [...t.columns, settled] }));
    const findings = payment(checkSchema(await readLiveSchema(dataverse, plan, TABLES), plan, TABLES));
    expect(findings).toEqual([
      {
        kind: 'column',
        table: 'fs_payment',
        name: 'fs_settledon',
        problem:
          'format is DateOnly in the organisation, the plan says DateAndTime: apps show the date of the values the load writes, not their time',
        applicable: true,
      },
    ]);
    const applied = await applySchema(dataverse, plan, TABLES);
    expect(applied.created).toContain('changed column fs_payment.fs_settledon (format)');
    expect(payment(applied.remaining)).toEqual([]);
    const column = (await dataverse.attributes('fs_payment', false)).find(
      (a) => a.logicalName === 'fs_settledon',
    );
    expect(column).toMatchObject({ format: 'DateAndTime', dateTimeBehavior: 'UserLocal' });
  });
});
