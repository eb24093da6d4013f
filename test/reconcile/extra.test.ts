import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IrSchemaPlan } from '../../compiler/ir/types.ts';
import * as generatedModule from '../../generated/transformer.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import { ownedRows } from '../../runtime/reconcile/extra.ts';
import { ROOT } from '../support/tmp.ts';

const generated: GeneratedModule = generatedModule;
const plan = JSON.parse(readFileSync(join(ROOT, 'generated', 'schema-plan.json'), 'utf8')) as IrSchemaPlan;

describe('the rows the migration owns', () => {
  const { owned, unchecked } = ownedRows(generated, plan);
  const of = (table: string) => owned.find((o) => o.table.name === table);

  it('lists every row of a table the spec creates, attributed by key prefix', () => {
    expect(of('fs_payment')).toMatchObject({
      whole: true,
      column: 'fs_practicehubid',
      prefixes: [{ prefix: 'payment-', mapping: 'payment' }],
      fallback: 'payment',
    });
  });

  it('lists the rows with a key prefix on a shared table, update mappings under the rows they change', () => {
    expect(of('contact')).toMatchObject({
      whole: false,
      column: 'fs_practicehubid',
      prefixes: expect.arrayContaining([
        { prefix: 'patient-', mapping: 'patient' },
        { prefix: 'staff-', mapping: 'staff-contact' },
      ]),
    });
    expect(of('contact')!.prefixes).toHaveLength(2);
    expect(
      of('account')!
        .prefixes.map((p) => p.mapping)
        .sort(),
    ).toEqual(['clinic', 'referral-source']);
    expect(of('appointment')!.prefixes).toEqual([{ prefix: 'appointment-', mapping: 'appointment' }]);
  });

  it('leaves out, and says why, mappings whose rows carry no key on a shared table', () => {
    expect(owned.map((o) => o.table.name).sort()).toEqual([
      'account',
      'appointment',
      'contact',
      'fs_payment',
    ]);
    expect(unchecked.map((u) => `${u.mapping} ${u.table}`).sort()).toEqual([
      'clinical-note annotation',
      'patient-clinic connection',
      'policy-document annotation',
      'prescription annotation',
      'staff-user systemuser',
    ]);
    expect(unchecked.find((u) => u.mapping === 'staff-user')!.reason).toBe(
      'its rows are matched on internalemailaddress and existed before the migration',
    );
  });
});
