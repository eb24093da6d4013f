import { DynamicsWebApi } from 'dynamics-web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DataverseSandbox, startDataverseSandbox } from '../../../sandbox/dataverse/index.ts';
import { fetchToken } from './helpers.ts';

const label = (text: string) => ({
  '@odata.type': 'Microsoft.Dynamics.CRM.Label',
  LocalizedLabels: [
    { '@odata.type': 'Microsoft.Dynamics.CRM.LocalizedLabel', Label: text, LanguageCode: 1033 },
  ],
});

/**
 * Compatibility: `dynamics-web-api` (written by others against Microsoft's documentation) used unchanged,
 * configured like a real tenant: serverUrl = the sandbox URL, a token fetched from the token endpoint.
 */
describe('dataverse sandbox: dynamics-web-api compatibility', () => {
  let sb: DataverseSandbox;
  let api: DynamicsWebApi;
  beforeAll(async () => {
    sb = await startDataverseSandbox({ keyActivationDelayMs: 0 });
    const token = await fetchToken(sb);
    api = new DynamicsWebApi({
      serverUrl: `${sb.url}/`,
      dataApi: { version: '9.2' },
      onTokenRefresh: async () => token,
    });
    await api.createAttribute({
      entityKey: "LogicalName='contact'",
      data: {
        '@odata.type': 'Microsoft.Dynamics.CRM.StringAttributeMetadata',
        SchemaName: 'fs_PracticeHubId',
        DisplayName: label('PracticeHub id'),
        RequiredLevel: {
          Value: 'None',
          CanBeChanged: true,
          ManagedPropertyLogicalName: 'canmodifyrequirementlevelsettings',
        },
        MaxLength: 100,
        FormatName: { Value: 'Text' },
      },
    });
    const res = await fetch(`${sb.apiUrl}EntityDefinitions(LogicalName='contact')/Keys`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        SchemaName: 'fs_practicehubid_key',
        DisplayName: label('PracticeHub id'),
        KeyAttributes: ['fs_practicehubid'],
      }),
    });
    expect(res.status).toBe(204);
  });
  afterAll(() => sb.close());

  it('creates a record and reads back the id from OData-EntityId', async () => {
    const id = await api.create<{ name: string }, string>({
      collection: 'accounts',
      data: { name: 'Compat clinic' },
    });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const row = await api.retrieve<{ name: string }>({ collection: 'accounts', key: id, select: ['name'] });
    expect(row.name).toBe('Compat clinic');
  });

  it('upserts by alternate key with an @odata.bind to the parent account', async () => {
    const account = await api.create<{ name: string }, string>({
      collection: 'accounts',
      data: { name: 'Parent' },
    });
    const data = { lastname: 'Upserted', 'parentcustomerid_account@odata.bind': `/accounts(${account})` };
    await api.upsert({ collection: 'contacts', key: "fs_practicehubid='P-1'", data });
    await api.upsert({
      collection: 'contacts',
      key: "fs_practicehubid='P-1'",
      data: { ...data, firstname: 'Again' },
    });
    const rows = await api.retrieveMultiple<{ fullname: string; _parentcustomerid_value: string }>({
      collection: 'contacts',
      select: ['fullname', '_parentcustomerid_value'],
      filter: "fs_practicehubid eq 'P-1'",
    });
    expect(rows.value).toHaveLength(1);
    expect(rows.value[0]).toMatchObject({ fullname: 'Again Upserted', _parentcustomerid_value: account });
  });

  it('pages with maxPageSize through retrieveAll and through nextLink', async () => {
    for (let i = 0; i < 7; i += 1)
      await api.create({ collection: 'contacts', data: { lastname: `Page ${i}` } });
    const all = await api.retrieveAll<{ lastname: string }>({
      collection: 'contacts',
      select: ['lastname'],
      filter: "startswith(lastname,'Page')",
      maxPageSize: 3,
    });
    expect(all.value.map((v) => v.lastname).sort()).toEqual(Array.from({ length: 7 }, (_, i) => `Page ${i}`));
    const first = await api.retrieveMultiple({
      collection: 'contacts',
      select: ['lastname'],
      filter: "startswith(lastname,'Page')",
      maxPageSize: 3,
    });
    expect(first.value).toHaveLength(3);
    expect(first.oDataNextLink).toBeTruthy();
    const second = await api.retrieveMultiple(
      { collection: 'contacts', maxPageSize: 3 },
      first.oDataNextLink,
    );
    expect(second.value).toHaveLength(3);
    expect(second.value.map((v) => v.lastname)).not.toContain(first.value[0].lastname);
  });

  it('reads metadata with retrieveEntity and retrieveAttributes', async () => {
    const entity = await api.retrieveEntity({
      key: "LogicalName='contact'",
      select: ['EntitySetName', 'PrimaryIdAttribute'],
    });
    expect(entity).toMatchObject({ EntitySetName: 'contacts', PrimaryIdAttribute: 'contactid' });
    const attrs = await api.retrieveAttributes({
      entityKey: "LogicalName='contact'",
      castType: 'Microsoft.Dynamics.CRM.StringAttributeMetadata',
      select: ['LogicalName', 'MaxLength'],
      filter: "LogicalName eq 'fs_practicehubid'",
    });
    expect(attrs.value).toEqual([
      expect.objectContaining({ LogicalName: 'fs_practicehubid', MaxLength: 100 }),
    ]);
  });

  it('creates a table with createEntity and loads it with UpsertMultiple through callAction', async () => {
    await api.createEntity({
      data: {
        '@odata.type': 'Microsoft.Dynamics.CRM.EntityMetadata',
        SchemaName: 'fs_Payment',
        DisplayName: label('Payment'),
        DisplayCollectionName: label('Payments'),
        OwnershipType: 'UserOwned',
        IsActivity: false,
        HasActivities: false,
        HasNotes: false,
        Attributes: [
          {
            '@odata.type': 'Microsoft.Dynamics.CRM.StringAttributeMetadata',
            SchemaName: 'fs_Name',
            IsPrimaryName: true,
            MaxLength: 100,
            DisplayName: label('Name'),
          },
        ],
      },
    });
    await api.createAttribute({
      entityKey: "LogicalName='fs_payment'",
      data: {
        '@odata.type': 'Microsoft.Dynamics.CRM.StringAttributeMetadata',
        SchemaName: 'fs_SourceId',
        MaxLength: 40,
        DisplayName: label('Source'),
      },
    });
    const token = await fetchToken(sb);
    await fetch(`${sb.apiUrl}EntityDefinitions(LogicalName='fs_payment')/Keys`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ SchemaName: 'fs_payment_source', KeyAttributes: ['fs_sourceid'] }),
    });
    const Targets = [1, 2, 3].map((i) => ({
      '@odata.type': 'Microsoft.Dynamics.CRM.fs_payment',
      '@odata.id': `fs_payments(fs_sourceid='PAY-${i}')`,
      fs_name: `Payment ${i}`,
    }));
    await api.callAction({
      collection: 'fs_payments',
      actionName: 'Microsoft.Dynamics.CRM.UpsertMultiple',
      action: { Targets },
    });
    const count = await api.count({ collection: 'fs_payments' });
    expect(count).toBe(3);
  });

  it('surfaces Dataverse errors (status and code) through the library', async () => {
    const error = await api
      .create({ collection: 'contacts', data: { lastname: 'X', nosuchcolumn: 1 } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, code: '0x80060888' });
  });
});
