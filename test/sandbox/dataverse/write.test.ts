import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entityId, type Harness, harness } from './helpers.ts';

const label = (text: string) => ({
  '@odata.type': 'Microsoft.Dynamics.CRM.Label',
  LocalizedLabels: [
    { '@odata.type': 'Microsoft.Dynamics.CRM.LocalizedLabel', Label: text, LanguageCode: 1033 },
  ],
});

/** Adds fs_practicehubid to contact with an alternate key, as the runtime's schema plan does. */
async function addPracticeHubKey(h: Harness): Promise<void> {
  const col = await h.call('POST', "EntityDefinitions(LogicalName='contact')/Attributes", {
    body: {
      '@odata.type': 'Microsoft.Dynamics.CRM.StringAttributeMetadata',
      SchemaName: 'fs_PracticeHubId',
      DisplayName: label('PracticeHub id'),
      RequiredLevel: { Value: 'None' },
      MaxLength: 100,
      FormatName: { Value: 'Text' },
    },
  });
  expect(col.status, col.text).toBe(204);
  const key = await h.call('POST', "EntityDefinitions(LogicalName='contact')/Keys", {
    body: {
      SchemaName: 'fs_practicehubid_key',
      DisplayName: label('PracticeHub id'),
      KeyAttributes: ['fs_practicehubid'],
    },
  });
  expect(key.status, key.text).toBe(204);
}

/** Create, update, upsert and delete: PA`webapi/create-entity-web-api`, upsert and conditional-operations docs. */
describe('dataverse sandbox: writes', () => {
  let h: Harness;
  let clinic: string;
  beforeAll(async () => {
    h = await harness({ keyActivationDelayMs: 0 });
    clinic = entityId(await h.call('POST', 'accounts', { body: { name: 'Clinic', accountnumber: 'CL-1' } }));
    await addPracticeHubKey(h);
  });
  afterAll(() => h.close());

  it('creates with 204 + OData-EntityId, or 201 + body for return=representation honouring $select', async () => {
    const plain = await h.call('POST', 'accounts', { body: { name: 'Plain' } });
    expect(plain.status).toBe(204);
    expect(plain.text).toBe('');
    expect(plain.headers.get('OData-EntityId')).toMatch(
      new RegExp(`^${h.sb.apiUrl.replace(/[.]/g, '\\.')}accounts\\([0-9a-f-]{36}\\)$`),
    );
    const rep = await h.call('POST', 'accounts?$select=name', {
      body: { name: 'Rep' },
      headers: { Prefer: 'return=representation' },
    });
    expect(rep.status).toBe(201);
    expect(rep.headers.get('Preference-Applied')).toBe('return=representation');
    expect(Object.keys(rep.json).sort()).toEqual(['@odata.context', '@odata.etag', 'accountid', 'name']);
  });

  it('accepts a client-supplied primary key and refuses it twice (412 0x80040237)', async () => {
    const id = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
    expect((await h.call('POST', 'accounts', { body: { accountid: id, name: 'Fixed id' } })).status).toBe(
      204,
    );
    expect((await h.call('GET', `accounts(${id})?$select=name`)).json.name).toBe('Fixed id');
    const again = await h.call('POST', 'accounts', { body: { accountid: id, name: 'Again' } });
    expect(again.status).toBe(412);
    expect(again.json.error.code).toBe('0x80040237');
  });

  it('rejects an unknown body property with 0x80060888 (troubleshoot Web API client errors)', async () => {
    const r = await h.call('POST', 'contacts', { body: { lastname: 'X', Firstname: 'Y' } });
    expect(r.status).toBe(400);
    expect(r.json.error).toEqual({
      code: '0x80060888',
      message: "Invalid property 'Firstname' was found in entity 'Microsoft.Dynamics.CRM.contact'.",
    });
  });

  it.each([
    ['the lookup logical name', 'parentcustomerid'],
    ['a wrong-case navigation property', 'ParentCustomerId_account'],
    ['an unknown navigation property', 'parentaccountid'],
  ])('rejects a bind on %s as an undeclared property (0x80048d19)', async (_what, nav) => {
    const r = await h.call('POST', 'contacts', {
      body: { lastname: 'X', [`${nav}@odata.bind`]: `/accounts(${clinic})` },
    });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('0x80048d19');
    expect(r.json.error.message).toContain(
      `An undeclared property '${nav}' which only has property annotations in the payload`,
    );
  });

  it('binds with /set(id), set(id), an absolute URL and an alternate key; a missing target is 404 0x80040217', async () => {
    for (const ref of [`/accounts(${clinic})`, `accounts(${clinic})`, `${h.sb.apiUrl}accounts(${clinic})`]) {
      const r = await h.call('POST', 'contacts', {
        body: { lastname: 'Bound', 'parentcustomerid_account@odata.bind': ref },
      });
      expect(r.status, r.text).toBe(204);
    }
    const missing = '00000000-0000-0000-0000-00000000beef';
    const r = await h.call('POST', 'contacts', {
      body: { lastname: 'X', 'parentcustomerid_account@odata.bind': `/accounts(${missing})` },
    });
    expect(r.status).toBe(404);
    expect(r.json.error).toEqual({
      code: '0x80040217',
      message: `account With Id = ${missing} Does Not Exist`,
    });
    const wrongSet = await h.call('POST', 'contacts', {
      body: { lastname: 'X', 'parentcustomerid_account@odata.bind': `/contacts(${missing})` },
    });
    expect(wrongSet.status).toBe(400);
  });

  it('binds by alternate key once the key is active (use-alternate-key-reference-record)', async () => {
    const child = entityId(
      await h.call('POST', 'contacts', { body: { lastname: 'Kid', fs_practicehubid: 'P-KID' } }),
    );
    const r = await h.call('POST', 'contacts', {
      body: {
        lastname: 'Parent of kid',
        'parentcustomerid_contact@odata.bind': "/contacts(fs_practicehubid='P-KID')",
      },
      headers: { Prefer: 'return=representation' },
    });
    expect(r.status, r.text).toBe(201);
    expect(r.json._parentcustomerid_value).toBe(child);
    const none = await h.call('POST', 'contacts', {
      body: { lastname: 'X', 'parentcustomerid_contact@odata.bind': "/contacts(fs_practicehubid='nope')" },
    });
    expect(none.status).toBe(404);
    expect(none.json.error.code).toBe('0x80060891');
  });

  it('updates with PATCH and bumps the etag; If-Match with a stale etag is 412', async () => {
    const id = entityId(await h.call('POST', 'accounts', { body: { name: 'Before' } }));
    const before = await h.call('GET', `accounts(${id})?$select=name`);
    const upd = await h.call('PATCH', `accounts(${id})`, {
      body: { name: 'After' },
      headers: { 'If-Match': before.json['@odata.etag'] },
    });
    expect(upd.status).toBe(204);
    const after = await h.call('GET', `accounts(${id})?$select=name`);
    expect(after.json.name).toBe('After');
    expect(after.json['@odata.etag']).not.toBe(before.json['@odata.etag']);
    const stale = await h.call('PATCH', `accounts(${id})`, {
      body: { name: 'Lost' },
      headers: { 'If-Match': before.json['@odata.etag'] },
    });
    expect(stale.status).toBe(412);
    expect(stale.json.error.code).toBe('0x80060882');
  });

  it('upserts by primary key: PATCH without If-Match creates (201 with representation), then updates (200)', async () => {
    const id = '5a1c9b34-0c5e-4c41-9d9e-6b7f5e2c1a10';
    const created = await h.call('PATCH', `accounts(${id})?$select=accountid`, {
      body: { name: 'Upserted' },
      headers: { Prefer: 'return=representation' },
    });
    expect(created.status).toBe(201);
    const updated = await h.call('PATCH', `accounts(${id})?$select=accountid`, {
      body: { name: 'Upserted 2' },
      headers: { Prefer: 'return=representation' },
    });
    expect(updated.status).toBe(200);
    expect((await h.call('GET', `accounts(${id})?$select=name`)).json.name).toBe('Upserted 2');
  });

  it('upserts by alternate key: 204 with the key URL in OData-EntityId; body key values are stripped on update', async () => {
    const r = await h.call('PATCH', "contacts(fs_practicehubid='P-1')", {
      body: { lastname: 'One', firstname: 'Pat' },
    });
    expect(r.status).toBe(204);
    expect(r.headers.get('OData-EntityId')).toBe(`${h.sb.apiUrl}contacts(fs_practicehubid='P-1')`);
    const again = await h.call('PATCH', "contacts(fs_practicehubid='P-1')", {
      body: { lastname: 'Uno', fs_practicehubid: 'P-CHANGED' },
    });
    expect(again.status).toBe(204);
    const rows = await h.call(
      'GET',
      `contacts?$select=lastname,fs_practicehubid&$filter=${encodeURIComponent("fs_practicehubid eq 'P-1'")}`,
    );
    expect(rows.json.value).toEqual([expect.objectContaining({ lastname: 'Uno', fs_practicehubid: 'P-1' })]);
  });

  it('upserts by alternate key with a primary key in the body: the primary key is looked up first (use-upsert-insert-update-record)', async () => {
    const created = await h.call('PATCH', "contacts(fs_practicehubid='P-7')?$select=contactid", {
      body: { lastname: 'Seven' },
      headers: { Prefer: 'return=representation' },
    });
    const id = created.json.contactid as string;
    // The row with that id is updated; its key stays.
    const same = await h.call('PATCH', "contacts(fs_practicehubid='P-7')", {
      body: { contactid: id, lastname: 'Seven again' },
    });
    expect(same.status).toBe(204);
    // No row has this id: Dataverse creates one, and the key is already taken.
    const other = await h.call('PATCH', "contacts(fs_practicehubid='P-7')", {
      body: { contactid: 'c0c0c0c0-0000-4000-8000-000000000007', lastname: 'Other' },
    });
    expect(other.status).toBe(412);
    expect(other.json.error.code).toBe('0x80060892');
    const rows = await h.call(
      'GET',
      `contacts?$select=contactid,lastname&$filter=${encodeURIComponent("fs_practicehubid eq 'P-7'")}`,
    );
    expect(rows.json.value).toEqual([expect.objectContaining({ contactid: id, lastname: 'Seven again' })]);
  });

  it('If-Match: * is update-only (404 when missing); If-None-Match: * is create-only (412 when present)', async () => {
    const missing = await h.call('PATCH', "contacts(fs_practicehubid='P-404')", {
      body: { lastname: 'X' },
      headers: { 'If-Match': '*' },
    });
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('0x80060891');
    const missingById = await h.call('PATCH', 'accounts(00000000-0000-0000-0000-000000000404)', {
      body: { name: 'X' },
      headers: { 'If-Match': '*' },
    });
    expect(missingById.json.error).toEqual({
      code: '0x80040217',
      message: 'account With Id = 00000000-0000-0000-0000-000000000404 Does Not Exist',
    });
    const exists = await h.call('PATCH', "contacts(fs_practicehubid='P-1')", {
      body: { lastname: 'X' },
      headers: { 'If-None-Match': '*' },
    });
    expect(exists.status).toBe(412);
    expect(exists.json.error.message).toBe('A record with matching key values already exists.');
  });

  it('enforces alternate-key uniqueness with 0x80060892 DuplicateRecordEntityKey', async () => {
    const r = await h.call('POST', 'contacts', { body: { lastname: 'Dup', fs_practicehubid: 'p-1' } });
    expect(r.status).toBe(412);
    expect(r.json.error.code).toBe('0x80060892');
    expect(r.json.error.message).toContain('Entity Key fs_practicehubid_key violated');
  });

  it('rejects a key that is not an alternate key and a non-GUID id', async () => {
    const r = await h.call('GET', "contacts(lastname='One')");
    expect(r.status).toBe(400);
    expect(r.json.error.message).toBe(
      "The key in the request URI is not valid for resource 'Microsoft.Dynamics.CRM.contact'. Make sure that the key values are the correct types.",
    );
    expect((await h.call('GET', "accounts('abc')")).status).toBe(400);
  });

  it('disassociates with a null bind, a null navigation property, and DELETE …/$ref (associate-disassociate)', async () => {
    const read = async (id: string) =>
      (await h.call('GET', `accounts(${id})?$select=_parentaccountid_value`)).json._parentaccountid_value;
    const id = entityId(
      await h.call('POST', 'accounts', {
        body: { name: 'Linked', 'parentaccountid@odata.bind': `/accounts(${clinic})` },
      }),
    );
    expect(await read(id)).toBe(clinic);
    await h.call('PATCH', `accounts(${id})`, { body: { 'parentaccountid@odata.bind': null } });
    expect(await read(id)).toBeNull();
    const put = await h.call('PUT', `accounts(${id})/parentaccountid/$ref`, {
      body: { '@odata.id': `accounts(${clinic})` },
    });
    expect(put.status).toBe(204);
    expect(await read(id)).toBe(clinic);
    await h.call('PATCH', `accounts(${id})`, { body: { parentaccountid: null } });
    expect(await read(id)).toBeNull();
    await h.call('PUT', `accounts(${id})/parentaccountid/$ref`, {
      body: { '@odata.id': `${h.sb.apiUrl}accounts(${clinic})` },
    });
    expect((await h.call('DELETE', `accounts(${id})/parentaccountid/$ref`)).status).toBe(204);
    expect(await read(id)).toBeNull();
  });

  it('addresses records by a key of several columns, in any order (use-alternate-key-reference-record)', async () => {
    const cols = ['fs_Clinic', 'fs_Mrn'];
    for (const c of cols) {
      const r = await h.call('POST', "EntityDefinitions(LogicalName='contact')/Attributes", {
        body: {
          '@odata.type': 'Microsoft.Dynamics.CRM.StringAttributeMetadata',
          SchemaName: c,
          MaxLength: 20,
        },
      });
      expect(r.status).toBe(204);
    }
    const key = await h.call('POST', "EntityDefinitions(LogicalName='contact')/Keys", {
      body: { SchemaName: 'fs_clinic_mrn', KeyAttributes: ['fs_clinic', 'fs_mrn'] },
    });
    expect(key.status).toBe(204);
    expect(
      (await h.call('PATCH', "contacts(fs_clinic='C1',fs_mrn='42')", { body: { lastname: 'Two part' } }))
        .status,
    ).toBe(204);
    const got = await h.call('GET', "contacts(fs_mrn='42',fs_clinic='C1')?$select=lastname,fs_clinic,fs_mrn");
    expect(got.json).toMatchObject({ lastname: 'Two part', fs_clinic: 'C1', fs_mrn: '42' });
    expect((await h.call('GET', "contacts(fs_clinic='C1')")).status).toBe(400);
  });

  it('deletes (204), then answers 404 for the same delete', async () => {
    const id = entityId(await h.call('POST', 'accounts', { body: { name: 'Doomed' } }));
    expect((await h.call('DELETE', `accounts(${id})`)).status).toBe(204);
    const again = await h.call('DELETE', `accounts(${id})`);
    expect(again.status).toBe(404);
    expect(again.json.error.code).toBe('0x80040217');
  });

  it('cascades deletes through parental relationships (contact_customer_accounts, Account_Annotation)', async () => {
    const parent = entityId(await h.call('POST', 'accounts', { body: { name: 'Parent' } }));
    const child = entityId(
      await h.call('POST', 'contacts', {
        body: { lastname: 'Child', 'parentcustomerid_account@odata.bind': `/accounts(${parent})` },
      }),
    );
    const note = entityId(
      await h.call('POST', 'annotations', {
        body: { subject: 'N', 'objectid_account@odata.bind': `/accounts(${parent})` },
      }),
    );
    const sub = entityId(
      await h.call('POST', 'accounts', {
        body: { name: 'Sub', 'parentaccountid@odata.bind': `/accounts(${parent})` },
      }),
    );
    expect((await h.call('DELETE', `accounts(${parent})`)).status).toBe(204);
    expect((await h.call('GET', `contacts(${child})`)).status).toBe(404);
    expect((await h.call('GET', `annotations(${note})`)).status).toBe(404);
    const orphan = await h.call('GET', `accounts(${sub})?$select=_parentaccountid_value`);
    expect(orphan.status).toBe(200);
    expect(orphan.json._parentaccountid_value).toBeNull();
  });
});
