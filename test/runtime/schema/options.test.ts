import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IrPlanColumn, IrSchemaPlan } from '../../../compiler/ir/types.ts';
import type { AttributeDefinition, ChoiceOption } from '../../../runtime/dataverse/index.ts';
import { optionFindings, optionInserts, optionLabelChanges } from '../../../runtime/schema/options.ts';
import type { LiveSchema } from '../../../runtime/schema/verify.ts';
import { ROOT } from '../../support/tmp.ts';

const PLAN = JSON.parse(readFileSync(join(ROOT, 'generated', 'schema-plan.json'), 'utf8')) as IrSchemaPlan;
const payment = PLAN.tables.find((t) => t.name === 'fs_payment')!;

/** fs_method with two options: dog (1) and cat (2). */
const column: IrPlanColumn = {
  ...payment.columns.find((c) => c.name === 'fs_method')!,
  options: [
    { key: 'dog', label: 'Dog', value: 1 },
    { key: 'cat', label: 'Cat', value: 2 },
  ],
};

/** The column as the organisation has it, with `options` and a local option set unless `global`. */
function attribute(options: readonly ChoiceOption[], global = false): AttributeDefinition {
  return {
    metadataId: 'id',
    logicalName: column.name,
    schemaName: column.schemaName,
    metadataType: 'PicklistAttributeMetadata',
    typeName: 'PicklistType',
    attributeType: 'Picklist',
    isCustom: true,
    isPrimaryId: false,
    isPrimaryName: false,
    validForCreate: true,
    validForUpdate: true,
    requiredLevel: 'None',
    options,
    optionSet: { name: global ? 'fs_animals' : 'fs_method', isGlobal: global },
  };
}

/** An option labelled in English (1033), and in German (1031) for the calling user when `german` is given. */
function option(value: number, english: string | undefined, german?: string): ChoiceOption {
  const labels: Record<number, string> = {};
  if (english !== undefined) labels[1033] = english;
  if (german !== undefined) labels[1031] = german;
  return { value, label: german ?? english ?? '', labels };
}

const live = (a: AttributeDefinition): LiveSchema => ({
  tables: new Map([
    [
      'fs_payment',
      {
        metadataId: 'table',
        logicalName: 'fs_payment',
        schemaName: 'fs_payment',
        entitySetName: 'fs_payments',
        primaryIdAttribute: 'fs_paymentid',
        primaryNameAttribute: 'fs_name',
        ownershipType: 'UserOwned',
        isCustom: true,
        isActivity: false,
        objectTypeCode: null,
        attributes: [a],
      },
    ],
  ]),
  roles: new Set(),
});
const plan: IrSchemaPlan = { ...PLAN, tables: [{ ...payment, columns: [column] }] };

describe('the options of a planned choice column, against the organisation', () => {
  const cases: [string, AttributeDefinition, { name: string; applicable: boolean; says: string }[]][] = [
    ['the same labels', attribute([option(1, 'Dog'), option(2, 'Cat')]), []],
    [
      "the same English labels, whatever the calling user's language shows",
      attribute([option(1, 'Dog', 'Hund'), option(2, 'Cat', 'Katze')]),
      [],
    ],
    [
      'another English label: apply relabels it',
      attribute([option(1, 'Dog'), option(2, 'Cow', 'Katze')]),
      [
        {
          name: 'fs_method=2',
          applicable: true,
          says: 'option 2 is labelled "Cow" in the organisation, the plan says "Cat"',
        },
      ],
    ],
    [
      'a label that differs in case only',
      attribute([option(1, 'dog'), option(2, 'Cat')]),
      [{ name: 'fs_method=1', applicable: true, says: '"dog" in the organisation, the plan says "Dog"' }],
    ],
    [
      'no English label: its meaning cannot be compared, so it is not relabelled',
      attribute([option(1, undefined, 'Kuh'), option(2, 'Cat')]),
      [{ name: 'fs_method=1', applicable: false, says: 'option 1 has no label in language 1033' }],
    ],
    [
      'another label in a global choice that other columns may share: not relabelled',
      attribute([option(1, 'Dog'), option(2, 'Cow')], true),
      [{ name: 'fs_method=2', applicable: false, says: 'the column uses the global choice fs_animals' }],
    ],
    [
      'a missing option: apply adds it',
      attribute([option(1, 'Dog')]),
      [{ name: 'fs_method=2', applicable: true, says: 'option 2 (Cat) is missing: schema apply adds it' }],
    ],
    [
      'a missing option of a global choice that other columns may share: not added',
      attribute([option(1, 'Dog')], true),
      [
        {
          name: 'fs_method=2',
          applicable: false,
          says: 'option 2 (Cat) is missing; the column uses the global choice fs_animals, which other columns may share: add option 2 labelled "Cat" to it in Power Apps (Choices → fs_animals)',
        },
      ],
    ],
    [
      'a value another option holds is not missing: its label is compared',
      attribute([option(1, 'Dog'), option(2, 'Cow')]),
      [{ name: 'fs_method=2', applicable: true, says: 'option 2 is labelled "Cow"' }],
    ],
  ];
  it.each(cases)('%s', (_, org, expected) => {
    const findings = optionFindings('fs_payment', column, org);
    expect(findings.map((f) => ({ name: f.name, applicable: f.applicable }))).toEqual(
      expected.map(({ says, ...f }) => f),
    );
    findings.forEach((f, i) => {
      expect(f.kind).toBe('option');
      expect(f.problem).toContain(expected[i]!.says);
    });
    // apply changes exactly the labels, and adds exactly the options, verify says it fixes.
    expect(
      [...optionInserts(live(org), plan), ...optionLabelChanges(live(org), plan)].map(
        (c) => `${c.column}=${c.value}`,
      ),
    ).toEqual(findings.filter((f) => f.applicable).map((f) => f.name));
  });

  it('apply changes a label to the plan’s, naming the label it replaces', () => {
    expect(optionLabelChanges(live(attribute([option(1, 'Dog'), option(2, 'Cow')])), plan)).toEqual([
      { table: 'fs_payment', column: 'fs_method', value: 2, from: 'Cow', to: 'Cat' },
    ]);
  });

  it('apply adds a missing option with the plan’s value and label', () => {
    expect(optionInserts(live(attribute([option(2, 'Cat')])), plan)).toEqual([
      { table: 'fs_payment', column: 'fs_method', key: 'dog', value: 1, label: 'Dog' },
    ]);
  });
});
