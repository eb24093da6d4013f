import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulkError } from '../../../runtime/dataverse/bulk.ts';
import { type DataverseError, isClientTimeout } from '../../../runtime/dataverse/errors.ts';
import { recordUri } from '../../../runtime/dataverse/odata.ts';
import { createVisitTable, type Rig, rig } from './helpers.ts';

const target = (source: string, name: string, extra: Record<string, unknown> = {}) => ({
  '@odata.id': recordUri('fs_visits', { fs_sourceid: source }, false),
  fs_name: name,
  ...extra,
});

type Visit = { fs_sourceid: string; fs_name: string; fs_amount: number | null };

/** Bulk messages (PA`bulk-operations`, reference §3.1) on a custom table created through metadata. */
describe('dataverse client: bulk messages', () => {
  let r: Rig;
  const visits = async () => {
    const out: Visit[] = [];
    for await (const v of r.client.query<Visit>('fs_visits', {
      select: ['fs_sourceid', 'fs_name', 'fs_amount'],
      orderby: 'fs_sourceid',
    }))
      out.push({ fs_sourceid: v.fs_sourceid, fs_name: v.fs_name, fs_amount: v.fs_amount });
    return out;
  };
  beforeAll(async () => {
    r = await rig({
      users: [
        { email: 'new@clinic.test', firstName: 'Nell', lastName: 'New', isDisabled: false, hasRole: false },
      ],
    });
    await createVisitTable(r.client);
  });
  afterAll(() => r.close());

  it('asks sdkmessagefilters once per table and message: standard tables say no, the custom table yes', async () => {
    const before = r.client.stats().requests.data;
    expect(await r.client.supportsBulk('account', 'CreateMultiple')).toBe(false);
    expect(await r.client.supportsBulk('contact', 'UpsertMultiple')).toBe(false);
    expect(await r.client.supportsBulk('fs_visit', 'UpsertMultiple')).toBe(true);
    expect(await r.client.supportsBulk('account', 'CreateMultiple')).toBe(false);
    expect(r.client.stats().requests.data - before).toBe(3);
  });

  it('passes on the "not supported" answer of a standard table as a request failure, not an item failure', async () => {
    const e = (await r.client
      .createMultiple('accounts', 'account', [{ name: 'A' }, { name: 'B' }])
      .catch((x: unknown) => x)) as DataverseError;
    expect(e).not.toBeInstanceOf(BulkError);
    expect(e).toMatchObject({
      status: 400,
      code: '0x80040800',
      method: 'POST',
      path: 'accounts/Microsoft.Dynamics.CRM.CreateMultiple',
    });
    expect(e.hint).toContain('$batch');
    expect(r.sb.stats().requests.bulk).toBe(1);
  });

  it('creates with CreateMultiple, client-chosen ids included', async () => {
    const ids = await r.client.createMultiple('fs_visits', 'fs_visit', [
      { fs_name: 'Created 1', fs_sourceid: 'C-1' },
      { fs_visitid: 'b0b0b0b0-0000-4000-8000-000000000002', fs_name: 'Created 2', fs_sourceid: 'C-2' },
    ]);
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe('b0b0b0b0-0000-4000-8000-000000000002');
    expect(await r.client.retrieve('fs_visits', ids[0]!, ['fs_name'])).toMatchObject({
      fs_name: 'Created 1',
    });
  });

  it('upserts by @odata.id alternate key, then updates by primary key, one request each', async () => {
    const before = r.client.stats();
    await r.client.upsertMultiple('fs_visits', 'fs_visit', [
      target('U-1', 'One'),
      target('U-2', 'Two'),
      target('U-3', 'Three'),
    ]);
    await r.client.upsertMultiple('fs_visits', 'fs_visit', [
      target('U-1', 'One again'),
      target('U-4', 'Four'),
    ]);
    const ids = (await visits()).filter((v) => v.fs_sourceid.startsWith('U-'));
    expect(ids.map((v) => v.fs_name)).toEqual(['One again', 'Two', 'Three', 'Four']);
    const u2 = await r.client.retrieve<{ fs_visitid: string }>('fs_visits', { fs_sourceid: 'U-2' }, [
      'fs_visitid',
    ]);
    await r.client.updateMultiple('fs_visits', 'fs_visit', [{ fs_visitid: u2!.fs_visitid, fs_amount: 42 }]);
    expect(await r.client.retrieve('fs_visits', { fs_sourceid: 'U-2' }, ['fs_amount'])).toMatchObject({
      fs_amount: 42,
    });
    const after = r.client.stats();
    expect(after.requests.bulk - before.requests.bulk).toBe(3);
    expect(after.recordsWritten - before.recordsWritten).toBe(6);
  });

  it('rolls the whole request back on an item error; a length error does not say which item', async () => {
    const before = await visits();
    const e = (await r.client
      .upsertMultiple('fs_visits', 'fs_visit', [
        target('R-1', 'ok'),
        target('R-2', 'x'.repeat(101)),
        target('R-3', 'ok'),
      ])
      .catch((x: unknown) => x)) as BulkError;
    expect(e).toBeInstanceOf(BulkError);
    expect(e.itemIndex).toBeUndefined();
    expect(e).toMatchObject({ status: 400, code: '0x80044331' });
    expect(e.message).toContain(
      'UpsertMultiple into fs_visits (one of 3 items; the whole request was rolled back) failed',
    );
    expect(e.message).toContain("exceeded the maximum allowed length of '100'");
    expect(await visits()).toEqual(before);
  });

  it("names the failing item when Dataverse's error names its row", async () => {
    const missing = 'b0b0b0b0-0000-4000-8000-0000000000ff';
    const [u1] = (await visits()).filter((v) => v.fs_sourceid === 'U-1');
    const id = await r.client.retrieve<{ fs_visitid: string }>(
      'fs_visits',
      { fs_sourceid: u1!.fs_sourceid },
      ['fs_visitid'],
    );
    const e = (await r.client
      .updateMultiple('fs_visits', 'fs_visit', [
        { fs_visitid: id!.fs_visitid, fs_amount: 1 },
        { fs_visitid: missing, fs_amount: 2 },
      ])
      .catch((x: unknown) => x)) as BulkError;
    expect(e).toBeInstanceOf(BulkError);
    expect(e.itemIndex).toBe(1);
    expect(e.message).toContain(
      'UpdateMultiple into fs_visits (item 1 of 2; the whole request was rolled back)',
    );
    expect(e.message).toContain(missing);
  });

  it("counts a missing privilege as an item failure: the principal may be one row's owner without a role", async () => {
    const users = r.sb.snapshot(['systemuser']).tables.systemuser!;
    const newcomer = users.find((u) => u.internalemailaddress === 'new@clinic.test')!;
    const e = await r.client
      .upsertMultiple('fs_visits', 'fs_visit', [
        target('O-1', 'ok'),
        target('O-2', 'owned', {
          'ownerid@odata.bind': recordUri('systemusers', String(newcomer.systemuserid)),
        }),
      ])
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BulkError);
    expect(e).toMatchObject({ status: 403, code: '0x80040220' });
  });

  it('throws a missing column as a failure of the request, not of an item', async () => {
    const before = r.client.stats().requests.bulk;
    const e = await r.client
      .upsertMultiple(
        'fs_visits',
        'fs_visit',
        Array.from({ length: 8 }, (_, i) => target(`M-${i}`, 'm', { fs_missing: 1 })),
      )
      .catch((x: unknown) => x);
    expect(e).not.toBeInstanceOf(BulkError);
    expect(e).toMatchObject({ code: '0x80060888' });
    expect(r.client.stats().requests.bulk - before).toBe(1);
  });

  it('keeps bulk writes to one request per thousand records', async () => {
    const before = r.client.stats();
    const targets = Array.from({ length: 2_000 }, (_, i) => target(`K-${i}`, `K ${i}`));
    for (let i = 0; i < targets.length; i += 1000)
      await r.client.upsertMultiple('fs_visits', 'fs_visit', targets.slice(i, i + 1000));
    const after = r.client.stats();
    const requests =
      Object.values(after.requests).reduce((a, b) => a + b) -
      Object.values(before.requests).reduce((a, b) => a + b);
    expect(requests / 2_000).toBeLessThanOrEqual(0.01);
    expect(r.sb.stats().recordsCreated).toBeGreaterThanOrEqual(2_000);
  });
});

/**
 * A bulk request the organisation takes longer to answer than the client waits: sent again, it would be
 * as slow again. The run's writes ask for it to be thrown at once (splitOnTimeout) and send halves.
 */
describe('dataverse client: a bulk request answered later than the client waits', () => {
  let r: Rig;
  beforeAll(async () => {
    // Answers to more than 2 items come after 1.5 s; the client waits 0.5 s.
    r = await rig({ bulkSlow: { items: 2, delayMs: 1_500 } }, { timeoutMs: 500, maxRetries: 2 });
    await createVisitTable(r.client);
  });
  afterAll(() => r.close());
  const targets = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => target(`${prefix}-${i}`, `${prefix} ${i}`));
  const bulkRequests = () => r.client.stats().requests.bulk;

  it('with splitOnTimeout: throws a client timeout after one attempt', async () => {
    const before = bulkRequests();
    const e = await r.client
      .upsertMultiple('fs_visits', 'fs_visit', targets('S', 3), { splitOnTimeout: true })
      .catch((x: unknown) => x);
    expect(e).toMatchObject({ status: 0, code: 'timeout' });
    expect(isClientTimeout(e as DataverseError)).toBe(true);
    expect(bulkRequests() - before).toBe(1);
    // The organisation wrote the rows all the same: the answer was late, not the work undone.
    expect(r.sb.snapshot(['fs_visit']).tables.fs_visit!.map((v) => v.fs_sourceid)).toEqual(
      expect.arrayContaining(['S-0', 'S-1', 'S-2']),
    );
  });

  it('with splitOnTimeout, a request small enough is answered in time', async () => {
    await r.client.upsertMultiple('fs_visits', 'fs_visit', targets('T', 2), { splitOnTimeout: true });
    expect(r.sb.snapshot(['fs_visit']).tables.fs_visit!.map((v) => v.fs_sourceid)).toEqual(
      expect.arrayContaining(['T-0', 'T-1']),
    );
  });

  it('without it: sent again, as any idempotent request whose answer did not come', async () => {
    const before = bulkRequests();
    const e = await r.client
      .upsertMultiple('fs_visits', 'fs_visit', targets('U', 3))
      .catch((x: unknown) => x);
    expect(e).toMatchObject({ status: 0, code: 'timeout' });
    expect(bulkRequests() - before).toBe(3);
    expect((e as DataverseError).hint).toContain('no answer after 2 retries');
  });
});
