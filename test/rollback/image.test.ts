import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../generated/transformer.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import { imageBody } from '../../runtime/rollback/image.ts';
import { TableResolver } from '../../runtime/rollback/tables.ts';
import { createVisitTable, type Rig, rig } from '../runtime/dataverse/helpers.ts';

const generated: GeneratedModule = generatedModule;
const ID = '6b2f1c9a-1d2e-4f30-8a40-5b6c7d8e9f01';
const TABLE = 'Microsoft.Dynamics.CRM.lookuplogicalname';
const NAV = 'Microsoft.Dynamics.CRM.associatednavigationproperty';

/** Tables outside the spec come from the organisation's metadata: here, a team and a custom table. */
let dataverse: Rig;
let tables: TableResolver;
beforeAll(async () => {
  dataverse = await rig();
  await createVisitTable(dataverse.client);
  tables = new TableResolver(generated, dataverse.client);
});
afterAll(() => dataverse?.close());
const table = (name: string) => generated.TABLES[name]!;

describe('the body that writes a pre-image back', () => {
  const cases: {
    name: string;
    table: string;
    mode: 'update' | 'create';
    image: Record<string, unknown>;
    body?: Record<string, unknown>;
    state?: Record<string, unknown>;
    problem?: RegExp;
  }[] = [
    {
      name: 'plain columns as read; create-only columns and createdon are not sent on update',
      table: 'contact',
      mode: 'update',
      image: {
        lastname: 'Ng',
        birthdate: '1980-02-01',
        overriddencreatedon: '2025-01-01T00:00:00Z',
        createdon: '2019-05-01T00:00:00Z',
      },
      body: { lastname: 'Ng', birthdate: '1980-02-01' },
    },
    {
      name: 'a lookup bound again through its only navigation property',
      table: 'account',
      mode: 'update',
      image: { _parentaccountid_value: ID },
      body: { 'parentaccountid@odata.bind': `/accounts(${ID})` },
    },
    {
      name: 'a polymorphic lookup bound to the table its annotation names',
      table: 'annotation',
      mode: 'update',
      image: {
        _objectid_value: ID,
        [`_objectid_value@${TABLE}`]: 'appointment',
        [`_objectid_value@${NAV}`]: 'objectid_appointment',
      },
      body: { 'objectid_appointment@odata.bind': `/appointments(${ID})` },
    },
    {
      name: "an owner team: the spec's navigation property, the team's entity set from metadata",
      table: 'appointment',
      mode: 'update',
      image: { _ownerid_value: ID, [`_ownerid_value@${TABLE}`]: 'team' },
      body: { 'ownerid_appointment@odata.bind': `/teams(${ID})` },
    },
    {
      name: 'an empty lookup cleared on update through a navigation property set to null',
      table: 'contact',
      mode: 'update',
      image: { _parentcustomerid_value: null },
      body: { 'parentcustomerid_account@odata.bind': null },
    },
    {
      name: 'state and status in the same update',
      table: 'appointment',
      mode: 'update',
      image: { subject: 'Review', statecode: 1, statuscode: 3 },
      body: { subject: 'Review', statecode: 1, statuscode: 3 },
    },
    {
      name: 'a recreated row: createdon through overriddencreatedon, empty lookups left out, state apart',
      table: 'appointment',
      mode: 'create',
      image: {
        subject: 'Review',
        overriddencreatedon: '2025-01-01T00:00:00Z',
        createdon: '2019-05-01T00:00:00Z',
        _regardingobjectid_value: null,
        statecode: 2,
        statuscode: 4,
      },
      body: { subject: 'Review', overriddencreatedon: '2019-05-01T00:00:00Z' },
      state: { statecode: 2, statuscode: 4 },
    },
    {
      name: 'a table the spec does not know: the navigation property from the annotation',
      table: 'fs_visit',
      mode: 'update',
      image: {
        _fs_patientid_value: ID,
        [`_fs_patientid_value@${TABLE}`]: 'contact',
        [`_fs_patientid_value@${NAV}`]: 'fs_patientid',
      },
      body: { 'fs_patientid@odata.bind': `/contacts(${ID})` },
    },
    {
      name: 'a polymorphic lookup whose table the pre-image does not name',
      table: 'annotation',
      mode: 'update',
      image: { _objectid_value: ID },
      problem: /does not say which table objectid pointed to/,
    },
    {
      name: 'a lookup of a table the organisation does not have',
      table: 'fs_visit',
      mode: 'update',
      image: {
        _fs_clinicid_value: ID,
        [`_fs_clinicid_value@${TABLE}`]: 'fs_clinic',
        [`_fs_clinicid_value@${NAV}`]: 'fs_clinicid',
      },
      problem: /fs_clinicid cannot be bound to fs_clinic/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const target = generated.TABLES[c.table] ?? (await tables.get(c.table))!;
      const result = await imageBody(c.image, target, tables, c.mode);
      if (c.problem) {
        expect('problem' in result && result.problem).toMatch(c.problem);
        return;
      }
      expect(result).toEqual(c.state ? { body: c.body, state: c.state } : { body: c.body });
    });
  }

  it('reads tables outside the spec once per rollback', async () => {
    const reads = () => dataverse.sb.stats().requests.metadata;
    const before = reads();
    const counting = new TableResolver(generated, dataverse.client);
    const [team] = await Promise.all([counting.get('team'), counting.get('team')]);
    expect(team).toMatchObject({ entitySet: 'teams', primaryId: 'teamid' });
    expect(await counting.get('contact')).toBe(table('contact'));
    expect(reads() - before).toBe(1);
  });
});
