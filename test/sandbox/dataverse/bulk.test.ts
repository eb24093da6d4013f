import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness } from './helpers.ts';

const label = (text: string) => ({ LocalizedLabels: [{ Label: text, LanguageCode: 1033 }] });

async function customTableWithKey(h: Harness): Promise<void> {
  const table = await h.call('POST', 'EntityDefinitions', {
    body: {
      SchemaName: 'fs_Visit',
      DisplayName: label('Visit'),
      DisplayCollectionName: label('Visits'),
      OwnershipType: 'UserOwned',
      HasNotes: false,
      IsActivity: false,
      Attributes: [
        {
          '@odata.type': 'Microsoft.Dynamics.CRM.StringAttributeMetadata',
          SchemaName: 'fs_Name',
          IsPrimaryName: true,
          MaxLength: 100,
        },
      ],
    },
  });
  expect(table.status, table.text).toBe(204);
  const col = await h.call('POST', "EntityDefinitions(LogicalName='fs_visit')/Attributes", {
    body: {
      '@odata.type': 'Microsoft.Dynamics.CRM.StringAttributeMetadata',
      SchemaName: 'fs_SourceId',
      MaxLength: 40,
    },
  });
  expect(col.status).toBe(204);
  const key = await h.call('POST', "EntityDefinitions(LogicalName='fs_visit')/Keys", {
    body: { SchemaName: 'fs_visit_source', KeyAttributes: ['fs_sourceid'] },
  });
  expect(key.status).toBe(204);
}

const item = (i: number, extra: Record<string, unknown> = {}) => ({
  '@odata.type': 'Microsoft.Dynamics.CRM.fs_visit',
  '@odata.id': `fs_visits(fs_sourceid='V-${i}')`,
  fs_name: `Visit ${i}`,
  ...extra,
});

/** CreateMultiple / UpdateMultiple / UpsertMultiple: PA`bulk-operations` and reference §3.1. */
describe('dataverse sandbox: bulk messages', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ keyActivationDelayMs: 0 });
    await customTableWithKey(h);
  });
  afterAll(() => h.close());

  it('answers the sdkmessagefilters probe: account has no CreateMultiple by default, custom tables do', async () => {
    const probe = (table: string) =>
      h.call(
        'GET',
        `sdkmessagefilters?$select=sdkmessagefilterid&$filter=${encodeURIComponent(`sdkmessageid/name eq 'CreateMultiple' and primaryobjecttypecode eq '${table}'`)}`,
      );
    expect((await probe('account')).json.value).toEqual([]);
    expect((await probe('fs_visit')).json.value).toHaveLength(1);
  });

  it('refuses CreateMultiple on a table without it (SdkEntityDoesNotSupportMessage)', async () => {
    const r = await h.call('POST', 'accounts/Microsoft.Dynamics.CRM.CreateMultiple', {
      body: { Targets: [{ '@odata.type': 'Microsoft.Dynamics.CRM.account', name: 'A' }] },
    });
    expect(r.status).toBe(400);
    expect(r.json.error).toEqual({
      code: '0x80040800',
      message:
        "The 'CreateMultiple' method does not support entities of type 'account'. MessageProcessorCache returned MessageProcessor.Empty.",
    });
  });

  it('creates with CreateMultiple and returns the Ids', async () => {
    const r = await h.call('POST', 'fs_visits/Microsoft.Dynamics.CRM.CreateMultiple', {
      body: {
        Targets: [1, 2].map((i) => ({
          '@odata.type': 'Microsoft.Dynamics.CRM.fs_visit',
          fs_name: `C ${i}`,
          fs_sourceid: `C-${i}`,
        })),
      },
    });
    expect(r.status).toBe(200);
    expect(r.json.Ids).toHaveLength(2);
    expect((await h.call('GET', `fs_visits(${r.json.Ids[1]})?$select=fs_name`)).json.fs_name).toBe('C 2');
  });

  it('requires @odata.type on every item', async () => {
    const r = await h.call('POST', 'fs_visits/Microsoft.Dynamics.CRM.CreateMultiple', {
      body: { Targets: [{ fs_name: 'no type' }] },
    });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toContain("'@odata.type'");
  });

  it('upserts with UpsertMultiple by @odata.id alternate key: creates, then updates (204)', async () => {
    const first = await h.call('POST', 'fs_visits/Microsoft.Dynamics.CRM.UpsertMultiple', {
      body: { Targets: [item(1), item(2)] },
    });
    expect(first.status).toBe(204);
    const second = await h.call('POST', 'fs_visits/Microsoft.Dynamics.CRM.UpsertMultiple', {
      body: { Targets: [item(1, { fs_name: 'Renamed' }), item(3)] },
    });
    expect(second.status).toBe(204);
    const rows = await h.call(
      'GET',
      `fs_visits?$select=fs_name,fs_sourceid&$filter=${encodeURIComponent("startswith(fs_sourceid,'V-')")}&$orderby=fs_sourceid`,
    );
    expect(rows.json.value.map((r: { fs_name: string }) => r.fs_name)).toEqual([
      'Renamed',
      'Visit 2',
      'Visit 3',
    ]);
  });

  it('upserts by key columns in the body when @odata.id is absent', async () => {
    const r = await h.call('POST', 'fs_visits/Microsoft.Dynamics.CRM.UpsertMultiple', {
      body: {
        Targets: [
          { '@odata.type': 'Microsoft.Dynamics.CRM.fs_visit', fs_sourceid: 'V-1', fs_name: 'By column' },
        ],
      },
    });
    expect(r.status).toBe(204);
    const rows = await h.call(
      'GET',
      `fs_visits?$select=fs_name&$filter=${encodeURIComponent("fs_sourceid eq 'V-1'")}`,
    );
    expect(rows.json.value).toEqual([expect.objectContaining({ fs_name: 'By column' })]);
  });

  it("rolls back the whole request when one item fails, with the item's own error, which does not say which item", async () => {
    const before = (await h.call('GET', 'fs_visits?$count=true&$select=fs_name')).json['@odata.count'];
    const r = await h.call('POST', 'fs_visits/Microsoft.Dynamics.CRM.UpsertMultiple', {
      body: { Targets: [item(10), item(11), item(12, { fs_name: 'x'.repeat(101) })] },
    });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('0x80044331');
    expect(r.json.error.message).toContain("exceeded the maximum allowed length of '100'");
    expect(r.json.error.message).not.toMatch(/Targets|\b2\b/);
    expect((await h.call('GET', 'fs_visits?$count=true&$select=fs_name')).json['@odata.count']).toBe(before);
  });

  it('refuses to create a row whose alternate key is in both @odata.id and the body; an existing row is updated', async () => {
    const count = async () =>
      (await h.call('GET', 'fs_visits?$count=true&$select=fs_name')).json['@odata.count'];
    const before = await count();
    const create = await h.call('POST', 'fs_visits/Microsoft.Dynamics.CRM.UpsertMultiple', {
      body: { Targets: [item(20), item(21, { fs_sourceid: 'V-21' })] },
    });
    expect(create.status).toBe(400);
    expect(create.json.error).toEqual({ code: '0x80040216', message: 'An unexpected error occurred.' });
    expect(await count()).toBe(before);
    const created = await h.call('POST', 'fs_visits/Microsoft.Dynamics.CRM.UpsertMultiple', {
      body: { Targets: [item(20), item(21)] },
    });
    expect(created.status).toBe(204);
    const update = await h.call('POST', 'fs_visits/Microsoft.Dynamics.CRM.UpsertMultiple', {
      body: { Targets: [item(21, { fs_sourceid: 'V-21', fs_name: 'Key in the body' })] },
    });
    expect(update.status).toBe(204);
    const rows = await h.call(
      'GET',
      `fs_visits?$select=fs_name&$filter=${encodeURIComponent("fs_sourceid eq 'V-21'")}`,
    );
    expect(rows.json.value).toEqual([expect.objectContaining({ fs_name: 'Key in the body' })]);
    expect(await count()).toBe(before + 2);
  });

  it('updates with UpdateMultiple and fails (with rollback) on a missing record', async () => {
    const ids = (await h.call('GET', 'fs_visits?$select=fs_visitid&$top=2')).json.value.map(
      (v: { fs_visitid: string }) => v.fs_visitid,
    );
    const ok = await h.call('POST', 'fs_visits/Microsoft.Dynamics.CRM.UpdateMultiple', {
      body: {
        Targets: ids.map((id: string) => ({
          '@odata.type': 'Microsoft.Dynamics.CRM.fs_visit',
          fs_visitid: id,
          fs_name: 'Updated',
        })),
      },
    });
    expect(ok.status).toBe(204);
    const missing = await h.call('POST', 'fs_visits/Microsoft.Dynamics.CRM.UpdateMultiple', {
      body: {
        Targets: [
          {
            '@odata.type': 'Microsoft.Dynamics.CRM.fs_visit',
            fs_visitid: ids[0],
            fs_name: 'Should roll back',
          },
          {
            '@odata.type': 'Microsoft.Dynamics.CRM.fs_visit',
            fs_visitid: '00000000-0000-0000-0000-000000000009',
            fs_name: 'X',
          },
        ],
      },
    });
    expect(missing.status).toBe(404);
    expect((await h.call('GET', `fs_visits(${ids[0]})?$select=fs_name`)).json.fs_name).toBe('Updated');
  });

  it('lets a per-table option register the bulk messages on account', async () => {
    const h2 = await harness({ bulkMessages: { account: true } });
    try {
      const r = await h2.call('POST', 'accounts/Microsoft.Dynamics.CRM.CreateMultiple', {
        body: { Targets: [{ '@odata.type': 'Microsoft.Dynamics.CRM.account', name: 'Bulk' }] },
      });
      expect(r.status).toBe(200);
      expect(h2.sb.stats().requests.bulk).toBe(1);
      expect(h2.sb.stats().recordsCreated).toBe(1);
    } finally {
      await h2.close();
    }
  });

  it('times out a bulk request of more items than the database takes, keeping none of it; a smaller one goes through', async () => {
    const h2 = await harness({ keyActivationDelayMs: 0, bulkTimeoutItems: 2 });
    try {
      await customTableWithKey(h2);
      const upsert = (targets: unknown[]) =>
        h2.call('POST', 'fs_visits/Microsoft.Dynamics.CRM.UpsertMultiple', { body: { Targets: targets } });
      const large = await upsert([item(1), item(2), item(3)]);
      expect(large.status).toBe(500);
      expect(large.json.error.code).toBe('0x80044151');
      expect(large.json.error.message).toContain('SQL timeout expired');
      expect(h2.sb.stats().recordsCreated).toBe(0);
      expect((await upsert([item(1), item(2)])).status).toBe(204);
      expect(h2.sb.stats().recordsCreated).toBe(2);
    } finally {
      await h2.close();
    }
  });
});
