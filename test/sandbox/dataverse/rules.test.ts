import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entityId, type Harness, harness } from './helpers.ts';

const users = [
  { email: 'dr.ok@clinic.test', firstName: 'Olga', lastName: 'Ok', isDisabled: false },
  { email: 'dr.gone@clinic.test', firstName: 'Gus', lastName: 'Gone', isDisabled: true },
  { email: 'dr.new@clinic.test', firstName: 'Nell', lastName: 'New', isDisabled: false, hasRole: false },
];

/** Platform rules on writes: reference §1, §2 and §8. */
describe('dataverse sandbox: validation and platform rules', () => {
  let h: Harness;
  let contact: string;
  beforeAll(async () => {
    h = await harness({ users, maxUploadFileSize: 64 });
    contact = entityId(await h.call('POST', 'contacts', { body: { lastname: 'Patient' } }));
  });
  afterAll(() => h.close());

  const userId = async (email: string) => {
    const r = await h.call(
      'GET',
      `systemusers?$select=systemuserid&$filter=internalemailaddress eq '${email}'`,
    );
    return r.json.value[0].systemuserid as string;
  };

  it('rejects a string over MaxLength with 0x80044331 and the platform message ($batch doc example)', async () => {
    const r = await h.call('POST', 'appointments', { body: { subject: 'x'.repeat(201) } });
    expect(r.status).toBe(400);
    expect(r.json.error).toEqual({
      code: '0x80044331',
      message:
        "A validation error occurred.  The length of the 'subject' attribute of the 'appointment' entity exceeded the maximum allowed length of '200'.",
    });
    expect((await h.call('POST', 'appointments', { body: { subject: 'x'.repeat(200) } })).status).toBe(204);
  });

  it('rejects a date before 1753-01-01 (behavior-format-date-time-attribute)', async () => {
    const r = await h.call('POST', 'appointments', {
      body: { subject: 'Old', scheduledstart: '1700-01-01T00:00:00Z' },
    });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/^DateTime is less than minimum value supported by CrmDateTime/);
  });

  it('requires YYYY-MM-DD for Edm.Date columns such as birthdate (reference §1.2)', async () => {
    const bad = await h.call('POST', 'contacts', {
      body: { lastname: 'D', birthdate: '1990-02-03T00:00:00Z' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain(
      "Cannot convert the literal '1990-02-03T00:00:00Z' to the expected type 'Edm.Date'.",
    );
    const ok = await h.call('POST', 'contacts?$select=birthdate', {
      body: { lastname: 'D', birthdate: '1990-02-03' },
      headers: { Prefer: 'return=representation' },
    });
    expect(ok.json.birthdate).toBe('1990-02-03');
  });

  it('requires an offset on Edm.DateTimeOffset values', async () => {
    const r = await h.call('POST', 'appointments', {
      body: { subject: 'S', scheduledstart: '2024-01-01T10:00:00' },
    });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toContain("to the expected type 'Edm.DateTimeOffset'");
  });

  it('rejects a choice value that is not an option (0x8004431a, Accepted Values)', async () => {
    const r = await h.call('POST', 'contacts', { body: { lastname: 'C', gendercode: 7 } });
    expect(r.status).toBe(400);
    expect(r.json.error).toEqual({
      code: '0x8004431a',
      message:
        "A validation error occurred. The value 7 of 'gendercode' on record of type 'contact' is outside the valid range. Accepted Values: 1,2",
    });
  });

  it('ignores read-only columns (createdon, modifiedon) silently (entity-attribute-metadata)', async () => {
    const r = await h.call('POST', 'accounts?$select=createdon', {
      body: { name: 'RO', createdon: '2001-01-01T00:00:00Z', modifiedon: '2001-01-01T00:00:00Z' },
      headers: { Prefer: 'return=representation' },
    });
    expect(r.status).toBe(201);
    expect(r.json.createdon.startsWith('2001')).toBe(false);
  });

  it('ignores statecode on create (IsValidForCreate False) and checks statuscode against the default state', async () => {
    const r = await h.call('POST', 'accounts?$select=statecode,statuscode', {
      body: { name: 'S', statecode: 1 },
      headers: { Prefer: 'return=representation' },
    });
    expect(r.json.statecode).toBe(0);
    expect(r.json.statuscode).toBe(1);
    const bad = await h.call('POST', 'accounts', { body: { name: 'S', statuscode: 2 } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('0x80048408');
    expect(bad.json.error.message).toMatch(
      /^2 is not a valid status code for state code AccountState\.Active on account/,
    );
  });

  it('pairs statecode with its default statuscode on update and checks explicit pairs (reference §1.3)', async () => {
    const id = entityId(await h.call('POST', 'appointments', { body: { subject: 'Visit' } }));
    await h.call('PATCH', `appointments(${id})`, { body: { statecode: 1 } });
    const done = await h.call('GET', `appointments(${id})?$select=statecode,statuscode`);
    expect([done.json.statecode, done.json.statuscode]).toEqual([1, 3]);
    const wrong = await h.call('PATCH', `appointments(${id})`, { body: { statecode: 3, statuscode: 3 } });
    expect(wrong.status).toBe(400);
    const right = await h.call('PATCH', `appointments(${id})`, { body: { statecode: 3, statuscode: 6 } });
    expect(right.status).toBe(204);
  });

  it('writes overriddencreatedon into createdon and sets overriddencreatedon to the actual time (reference §2)', async () => {
    const r = await h.call('POST', 'contacts?$select=createdon,overriddencreatedon', {
      body: { lastname: 'Old', overriddencreatedon: '2015-06-01T08:30:00Z' },
      headers: { Prefer: 'return=representation' },
    });
    expect(r.json.createdon).toBe('2015-06-01T08:30:00Z');
    expect(Date.now() - Date.parse(r.json.overriddencreatedon)).toBeLessThan(60_000);
  });

  it('rejects a future overriddencreatedon and ignores it on update (IsValidForUpdate False)', async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const r = await h.call('POST', 'contacts', { body: { lastname: 'Future', overriddencreatedon: future } });
    expect(r.status).toBe(400);
    const before = await h.call('GET', `contacts(${contact})?$select=createdon`);
    expect(
      (
        await h.call('PATCH', `contacts(${contact})`, {
          body: { overriddencreatedon: '2010-01-01T00:00:00Z' },
        })
      ).status,
    ).toBe(204);
    expect((await h.call('GET', `contacts(${contact})?$select=createdon`)).json.createdon).toBe(
      before.json.createdon,
    );
  });

  it('ignores overriddencreatedon when the app user lacks prvOverrideCreatedOnCreatedBy (reference §2)', async () => {
    const h2 = await harness({ grantOverrideCreatedOn: false });
    try {
      const r = await h2.call('POST', 'contacts?$select=createdon,overriddencreatedon', {
        body: { lastname: 'Old', overriddencreatedon: '2015-06-01T08:30:00Z' },
        headers: { Prefer: 'return=representation' },
      });
      expect(r.status).toBe(201);
      expect(r.json.createdon.startsWith('2015')).toBe(false);
      expect(r.json.overriddencreatedon).toBeNull();
    } finally {
      await h2.close();
    }
  });

  it('lets a user with a security role own a record, disabled or not, and refuses a user without one (reference §2, §8)', async () => {
    const own = (user: string) =>
      h.call('POST', 'appointments?$select=_ownerid_value', {
        body: { subject: 'Owned', 'ownerid_appointment@odata.bind': `/systemusers(${user})` },
        headers: { Prefer: 'return=representation' },
      });
    const ok = await userId('dr.ok@clinic.test');
    expect((await own(ok)).json._ownerid_value).toBe(ok);
    const gone = await userId('dr.gone@clinic.test');
    expect((await own(gone)).json._ownerid_value).toBe(gone);
    const roleless = await userId('dr.new@clinic.test');
    const refused = await own(roleless);
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('0x80040220');
    expect(refused.json.error.message).toContain(`Principal user (Id=${roleless}`);
    // Every activity table shares the Activity privileges.
    expect(refused.json.error.message).toContain('is missing prvReadActivity privilege');
  });

  it("names each table's privileges in its metadata: activities share prvReadActivity, notes have prvReadNote", async () => {
    const r = await h.call(
      'GET',
      "EntityDefinitions?$select=LogicalName,Privileges&$filter=LogicalName eq 'appointment' or LogicalName eq 'annotation' or LogicalName eq 'contact'",
    );
    expect(r.status).toBe(200);
    const read = new Map(
      (r.json.value as { LogicalName: string; Privileges: { Name: string; PrivilegeType: string }[] }[]).map(
        (t) => [t.LogicalName, t.Privileges.find((p) => p.PrivilegeType === 'Read')?.Name],
      ),
    );
    expect(Object.fromEntries(read)).toEqual({
      appointment: 'prvReadActivity',
      annotation: 'prvReadNote',
      contact: 'prvReadContact',
    });
    // A table no user owns: no Assign or Share, and its privileges for the whole organisation only.
    const roles = await h.call('GET', "EntityDefinitions(LogicalName='connectionrole')?$select=Privileges");
    const privileges = roles.json.Privileges as { PrivilegeType: string; CanBeBasic: boolean }[];
    expect(privileges.map((p) => p.PrivilegeType)).toEqual([
      'Create',
      'Read',
      'Write',
      'Delete',
      'Append',
      'AppendTo',
    ]);
    expect(privileges.every((p) => !p.CanBeBasic)).toBe(true);
  });

  it("answers RetrieveUserPrivileges with the privileges the user's role gives, once each, none for a user without one", async () => {
    const privileges = async (user: string, call = 'RetrieveUserPrivileges()') => {
      const r = await h.call('GET', `systemusers(${user})/Microsoft.Dynamics.CRM.${call}`);
      expect(r.status).toBe(200);
      expect(r.json['@odata.context']).toMatch(/#Microsoft\.Dynamics\.CRM\.RetrieveUserPrivilegesResponse$/);
      return r.json.RolePrivileges as { Depth: string; PrivilegeId: string; PrivilegeName: string }[];
    };
    const held = await privileges(await userId('dr.ok@clinic.test'));
    const activity = held.filter((p) => p.PrivilegeName === 'prvReadActivity');
    expect(activity).toHaveLength(1);
    expect(activity[0]).toMatchObject({ Depth: 'Global' });
    expect(activity[0]!.PrivilegeId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(held.map((p) => p.PrivilegeName)).toContain('prvWriteContact');
    expect(held.map((p) => p.PrivilegeName)).not.toContain('prvReadAppointment');
    // The function may be called without its parentheses.
    expect(await privileges(await userId('dr.ok@clinic.test'), 'RetrieveUserPrivileges')).toEqual(held);
    expect(await privileges(await userId('dr.new@clinic.test'))).toEqual([]);
    const unknown = '00000000-0000-0000-0000-000000000001';
    const missing = await h.call(
      'GET',
      `systemusers(${unknown})/Microsoft.Dynamics.CRM.RetrieveUserPrivileges()`,
    );
    expect(missing.status).toBe(404);
    expect(missing.json.error.message).toBe(`systemuser With Id = ${unknown} Does Not Exist`);
    const posted = await h.call(
      'POST',
      `systemusers(${unknown})/Microsoft.Dynamics.CRM.RetrieveUserPrivileges()`,
      {
        body: {},
      },
    );
    expect(posted.status).toBe(405);
  });

  it('uses ownerid_appointment on appointments and plain ownerid elsewhere (REF appointment many-to-one)', async () => {
    const ok = await userId('dr.ok@clinic.test');
    const plain = await h.call('POST', 'appointments', {
      body: { subject: 'X', 'ownerid@odata.bind': `/systemusers(${ok})` },
    });
    expect(plain.status).toBe(400);
    expect(plain.json.error.code).toBe('0x80048d19');
    const account = await h.call('POST', 'accounts', {
      body: { name: 'Owned', 'ownerid@odata.bind': `/systemusers(${ok})` },
    });
    expect(account.status).toBe(204);
  });

  it('links an appointment to a contact with regardingobjectid_contact_appointment', async () => {
    const r = await h.call('POST', 'appointments?$select=_regardingobjectid_value', {
      body: { subject: 'R', 'regardingobjectid_contact_appointment@odata.bind': `/contacts(${contact})` },
      headers: { Prefer: 'return=representation' },
    });
    expect(r.json._regardingobjectid_value).toBe(contact);
  });

  it('reads multi-select choices as "1,2" and refuses unknown options', async () => {
    const col = await h.call('POST', "EntityDefinitions(LogicalName='contact')/Attributes", {
      body: {
        '@odata.type': 'Microsoft.Dynamics.CRM.MultiSelectPicklistAttributeMetadata',
        SchemaName: 'fs_Allergies',
        OptionSet: {
          Options: [
            { Value: 1, Label: { LocalizedLabels: [{ Label: 'Nuts', LanguageCode: 1033 }] } },
            { Value: 2, Label: { LocalizedLabels: [{ Label: 'Pollen', LanguageCode: 1033 }] } },
          ],
        },
      },
    });
    expect(col.status, col.text).toBe(204);
    const r = await h.call('POST', 'contacts?$select=fs_allergies', {
      body: { lastname: 'M', fs_allergies: '2,1' },
      headers: { Prefer: 'return=representation,odata.include-annotations="*"' },
    });
    expect(r.json.fs_allergies).toBe('1,2');
    expect(r.json['fs_allergies@OData.Community.Display.V1.FormattedValue']).toBe('Nuts; Pollen');
    const bad = await h.call('POST', 'contacts', { body: { lastname: 'M', fs_allergies: '1,9' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('0x8004431a');
  });

  it('sets note document flags and refuses attachments over maxuploadfilesize (attachment-annotation-files)', async () => {
    const small = Buffer.from('hello world').toString('base64');
    const r = await h.call('POST', 'annotations?$select=isdocument,filesize', {
      body: {
        subject: 'Rx',
        documentbody: small,
        filename: 'rx.txt',
        'objectid_contact@odata.bind': `/contacts(${contact})`,
      },
      headers: { Prefer: 'return=representation' },
    });
    expect([r.json.isdocument, r.json.filesize]).toEqual([true, 11]);
    const big = await h.call('POST', 'annotations', {
      body: { subject: 'Big', documentbody: 'A'.repeat(68) },
    });
    expect(big.status).toBe(400);
    expect(big.json.error).toEqual({ code: '0x80044a02', message: 'Attachment file size is too big.' });
  });

  it('writes two rows for one connection, linked through relatedconnectionid (connection-entities)', async () => {
    const account = entityId(await h.call('POST', 'accounts', { body: { name: 'Connected' } }));
    const role = entityId(
      await h.call('POST', 'connectionroles', { body: { name: 'Former clinic', category: 1 } }),
    );
    const id = entityId(
      await h.call('POST', 'connections', {
        body: {
          'record1id_account@odata.bind': `/accounts(${account})`,
          'record2id_contact@odata.bind': `/contacts(${contact})`,
          'record1roleid@odata.bind': `/connectionroles(${role})`,
          'record2roleid@odata.bind': `/connectionroles(${role})`,
        },
      }),
    );
    const rows = await h.call(
      'GET',
      'connections?$select=ismaster,_record1id_value,_record2id_value,_relatedconnectionid_value',
    );
    expect(rows.json.value).toHaveLength(2);
    const master = rows.json.value.find((r: { connectionid: string }) => r.connectionid === id);
    const other = rows.json.value.find((r: { connectionid: string }) => r.connectionid !== id);
    expect([master.ismaster, other.ismaster]).toEqual([true, false]);
    expect([other._record1id_value, other._record2id_value]).toEqual([contact, account]);
    expect(other._relatedconnectionid_value).toBe(id);
    expect((await h.call('DELETE', `connections(${id})`)).status).toBe(204);
    expect((await h.call('GET', 'connections')).json.value).toHaveLength(0);
  });
});
