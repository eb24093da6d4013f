import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataverseError } from '../../../runtime/dataverse/errors.ts';
import { recordUri } from '../../../runtime/dataverse/odata.ts';
import { addContactKey, type Rig, rig } from './helpers.ts';

/** Single-record writes against the sandbox: reference §1.2, §1.7, §3.3 and §8. */
describe('dataverse client: records', () => {
  let r: Rig;
  let accountId: string;
  beforeAll(async () => {
    r = await rig({
      users: [
        { email: 'ann@clinic.test', firstName: 'Ann', lastName: 'Active', isDisabled: false },
        { email: 'dan@clinic.test', firstName: 'Dan', lastName: 'New', isDisabled: false, hasRole: false },
      ],
    });
    await addContactKey(r.client);
    accountId = await r.client.create('accounts', { name: 'North Clinic' });
  });
  afterAll(() => r.close());

  it('creates a record and reads it back; a missing record retrieves as undefined', async () => {
    expect(accountId).toMatch(/^[0-9a-f-]{36}$/);
    const account = await r.client.retrieve<{ name: string }>('accounts', accountId, ['name']);
    expect(account?.name).toBe('North Clinic');
    expect(
      await r.client.retrieve('accounts', '00000000-0000-0000-0000-000000000001', ['name']),
    ).toBeUndefined();
    expect(await r.client.retrieve('contacts', { fs_practicehubid: 'nobody' }, ['fullname'])).toBeUndefined();
  });

  it('upserts by alternate key with an @odata.bind, creating then updating the same row', async () => {
    const key = { fs_practicehubid: "patient-1 o'hara" };
    const first = await r.client.upsert(
      'contacts',
      key,
      {
        firstname: 'Mary',
        lastname: "O'Hara",
        'parentcustomerid_account@odata.bind': recordUri('accounts', accountId),
      },
      { returnId: true },
    );
    expect(first.created).toBe(true);
    const second = await r.client.upsert(
      'contacts',
      key,
      { firstname: 'Maria', lastname: "O'Hara" },
      { returnId: true },
    );
    expect(second).toEqual({ id: first.id, created: false });
    const row = r.sb.snapshot(['contact']).tables.contact!.find((c) => c.contactid === first.id)!;
    expect(row.firstname).toBe('Maria');
    expect(row.fs_practicehubid).toBe("patient-1 o'hara");
    expect(row.parentcustomerid).toEqual({ table: 'account', id: accountId });
  });

  it('honours create-only and update-only upserts (412 and 404 with their codes)', async () => {
    const create = r.client.upsert(
      'contacts',
      { fs_practicehubid: "patient-1 o'hara" },
      { lastname: 'X' },
      { mode: 'create-only' },
    );
    await expect(create).rejects.toMatchObject({ status: 412, code: '', method: 'PATCH' });
    const update = r.client.upsert(
      'contacts',
      { fs_practicehubid: 'patient-404' },
      { lastname: 'X' },
      { mode: 'update-only' },
    );
    await expect(update).rejects.toMatchObject({ status: 404, code: '0x80060891' });
    expect(await r.client.retrieve('contacts', { fs_practicehubid: 'patient-404' })).toBeUndefined();
  });

  it('creates with a client-chosen id, sets the state after creation, and deletes', async () => {
    const id = 'a0a0a0a0-0000-4000-8000-000000000001';
    expect(await r.client.create('accounts', { name: 'Chosen' }, { id })).toBe(id);
    await r.client.setState('accounts', id, 1, 2);
    const row = await r.client.retrieve<{ statecode: number; statuscode: number }>('accounts', id, [
      'statecode',
      'statuscode',
    ]);
    expect(row).toMatchObject({ statecode: 1, statuscode: 2 });
    expect(await r.client.delete('accounts', id)).toBe(true);
    expect(await r.client.delete('accounts', id, { missingOk: true })).toBe(false);
    await expect(r.client.delete('accounts', id)).rejects.toMatchObject({ status: 404, code: '0x80040217' });
  });

  it('says which column is missing, on which request, and what to do', async () => {
    const e = await r.client
      .create('contacts', { lastname: 'Y', fs_insurancecarrier: 'Acme' })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DataverseError);
    const err = e as DataverseError;
    expect(err).toMatchObject({ status: 400, code: '0x80060888', method: 'POST', path: 'contacts' });
    expect(err.message).toContain("Invalid property 'fs_insurancecarrier'");
    expect(err.message).toContain('HTTP 400, code 0x80060888; POST contacts');
    expect(err.message).toContain('create it with `flitstack schema apply`');
  });

  it('says what to do about a text Dataverse cannot store (a NUL, an unpaired surrogate)', async () => {
    for (const lastname of ['Y\u0000', '\uD800Y']) {
      const e = (await r.client.create('contacts', { lastname }).catch((x: unknown) => x)) as DataverseError;
      expect(e).toBeInstanceOf(DataverseError);
      expect(e).toMatchObject({ status: 400, code: '0x80040278', method: 'POST', path: 'contacts' });
      expect(e.message).toContain("The field 'lastname' contains one or more invalid characters");
      expect(e.hint).toContain('add strip_control to the transform of the field that writes this column');
    }
  });

  it('names a bad bind and says how to bind a customer lookup', async () => {
    const e = (await r.client
      .upsert(
        'contacts',
        { fs_practicehubid: 'patient-2' },
        {
          lastname: 'Z',
          'parentcustomerid@odata.bind': recordUri('accounts', accountId),
        },
      )
      .catch((x: unknown) => x)) as DataverseError;
    expect(e).toMatchObject({ status: 400, code: '0x80048d19', method: 'PATCH' });
    expect(e.path).toBe("contacts(fs_practicehubid='patient-2')");
    expect(e.message).toContain("An undeclared property 'parentcustomerid'");
    expect(e.hint).toContain('parentcustomerid_account');
  });

  it('explains an owner without a security role', async () => {
    const users = r.sb.snapshot(['systemuser']).tables.systemuser!;
    const dan = users.find((u) => u.internalemailaddress === 'dan@clinic.test')!;
    const e = (await r.client
      .create('accounts', {
        name: 'Owned',
        'ownerid@odata.bind': recordUri('systemusers', String(dan.systemuserid)),
      })
      .catch((x: unknown) => x)) as DataverseError;
    expect(e).toMatchObject({ status: 403, code: '0x80040220', method: 'POST', path: 'accounts' });
    expect(e.message).toContain('create in accounts failed: Principal user');
    expect(e.hint).toContain('prvReadAccount');
    expect(e.hint).toContain("record's owner");
  });

  it('keeps key values and record data out of events', () => {
    const events = JSON.stringify(r.events);
    expect(r.events.length).toBeGreaterThan(10);
    expect(events).not.toMatch(/patient-|Maria|North Clinic|fs_practicehubid=/);
    expect(events).toContain('"path":"contacts(…)"');
  });

  it('refuses key values that break Web API addressing before sending anything', async () => {
    const before = r.client.stats().requests.data;
    await expect(r.client.retrieve('contacts', { fs_practicehubid: 'a/b' })).rejects.toThrow(
      /break Web API addressing/,
    );
    expect(r.client.stats().requests.data).toBe(before);
  });
});
