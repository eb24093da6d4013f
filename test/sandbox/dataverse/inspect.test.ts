import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entityId, type Harness, harness } from './helpers.ts';

/** The sandbox-only inspection endpoints (`/_sandbox/*`) and their method twins. */
describe('dataverse sandbox: inspection', () => {
  let h: Harness;
  let account: string;
  beforeAll(async () => {
    h = await harness();
    account = entityId(await h.call('POST', 'accounts', { body: { name: 'Snap', accountnumber: 'S-1' } }));
    await h.call('POST', 'contacts', {
      body: { lastname: 'Zed', 'parentcustomerid_account@odata.bind': `/accounts(${account})` },
    });
    await h.call('POST', 'contacts', { body: { lastname: 'Amy' } });
  });
  afterAll(() => h.close());

  it('snapshots all rows and all columns, sorted and deterministic, over HTTP and as a method', async () => {
    const res = await fetch(`${h.sb.url}/_sandbox/snapshot?tables=contact,account`);
    const snap = (await res.json()) as { tables: Record<string, Record<string, unknown>[]> };
    expect(Object.keys(snap.tables)).toEqual(['account', 'contact']);
    expect(snap.tables.contact).toHaveLength(2);
    const ids = snap.tables.contact!.map((r) => r.contactid as string);
    expect(ids).toEqual([...ids].sort());
    const zed = snap.tables.contact!.find((r) => r.lastname === 'Zed')!;
    expect(zed.parentcustomerid).toEqual({ table: 'account', id: account });
    expect(zed.birthdate).toBeNull();
    expect(Object.keys(zed)).toEqual([...Object.keys(zed)].sort());
    expect(h.sb.snapshot(['contact', 'account'])).toEqual(snap);
    expect(Object.keys(h.sb.snapshot().tables)).toEqual(
      expect.arrayContaining(['account', 'contact', 'systemuser', 'businessunit']),
    );
  });

  it('counts requests by kind and records written', async () => {
    const res = await fetch(`${h.sb.url}/_sandbox/stats`);
    const stats = (await res.json()) as { requests: Record<string, number>; recordsWritten: number };
    expect(stats.requests.token).toBe(1);
    expect(stats.requests.data).toBe(3);
    expect(stats.recordsWritten).toBe(3);
  });

  it('tampers with a row behind the API without changing its version', async () => {
    const before = await h.call('GET', `accounts(${account})?$select=name`);
    const res = await fetch(`${h.sb.url}/_sandbox/tamper`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ table: 'account', id: account, set: { name: 'Tampered' } }),
    });
    expect(res.status).toBe(204);
    const after = await h.call('GET', `accounts(${account})?$select=name`);
    expect(after.json.name).toBe('Tampered');
    expect(after.json['@odata.etag']).toBe(before.json['@odata.etag']);
    const bad = await fetch(`${h.sb.url}/_sandbox/tamper`, {
      method: 'POST',
      body: JSON.stringify({ table: 'account', id: account, set: { nope: 1 } }),
    });
    expect(bad.status).toBe(400);
  });

  it('resets to the seeded state: rows, custom metadata and counters', async () => {
    await h.call('POST', "EntityDefinitions(LogicalName='contact')/Attributes", {
      body: {
        '@odata.type': 'Microsoft.Dynamics.CRM.StringAttributeMetadata',
        SchemaName: 'fs_Temp',
        MaxLength: 10,
      },
    });
    expect((await fetch(`${h.sb.url}/_sandbox/reset`, { method: 'POST' })).status).toBe(204);
    expect((await h.call('GET', 'accounts')).json.value).toEqual([]);
    expect((await h.call('GET', 'contacts?$select=fs_temp')).status).toBe(400);
    expect((await h.call('GET', 'systemusers')).json.value.length).toBe(1);
    expect(h.sb.stats().recordsWritten).toBe(0);
  });
});
