import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchRequest } from '../../../runtime/dataverse/batch.ts';
import { DataverseClient } from '../../../runtime/dataverse/client.ts';
import { DataverseError } from '../../../runtime/dataverse/errors.ts';
import type { DataverseEvent } from '../../../runtime/dataverse/events.ts';
import { recordPath } from '../../../runtime/dataverse/odata.ts';
import { NO_FAULTS } from '../../../sandbox/shared/faults.ts';
import { addContactKey, clientOptions, type Rig, rig, startGateway } from './helpers.ts';

const upsertPart = (id: string, lastname: string): BatchRequest => ({
  method: 'PATCH',
  path: recordPath('contacts', { fs_practicehubid: id }),
  body: { lastname },
});

/** $batch (PA`webapi/execute-batch-operations-using-web-api`, reference §3.2). */
describe('dataverse client: $batch', () => {
  let r: Rig;
  beforeAll(async () => {
    r = await rig();
    await addContactKey(r.client);
  });
  afterAll(() => r.close());

  it('continues after a failing part: the others succeed and the failure is parsed with its code', async () => {
    const before = r.sb.stats();
    const results = await r.client.batch(
      [
        upsertPart('b-1', 'One'),
        upsertPart('b-2', 'x'.repeat(51)),
        upsertPart('b-3', 'Three'),
        { method: 'GET', path: 'WhoAmI' },
      ],
      { continueOnError: true },
    );
    expect(results.map((p) => p.status)).toEqual([204, 400, 204, 200]);
    const failed = results[1]!;
    expect(failed.executed).toBe(true);
    expect(failed.error).toMatchObject({
      status: 400,
      code: '0x80044331',
      method: 'PATCH',
      path: "contacts(fs_practicehubid='b-2')",
    });
    expect(failed.error!.message).toContain("$batch part 2 (PATCH contacts(fs_practicehubid='b-2')) failed");
    expect(failed.error!.message).toContain(
      "The length of the 'lastname' attribute of the 'contact' entity exceeded",
    );
    expect((results[3]!.body as { UserId: string }).UserId).toBe(r.sb.ids().appUserId);
    const contacts = r.sb
      .snapshot(['contact'])
      .tables.contact!.map((c) => c.fs_practicehubid)
      .sort();
    expect(contacts).toEqual(['b-1', 'b-3']);
    expect(r.sb.stats().requests.batch - before.requests.batch).toBe(1);
    expect(r.client.stats().recordsWritten).toBe(2);
  });

  it('stops at the first failure without continue-on-error and reports the rest as not executed', async () => {
    const results = await r.client.batch([
      upsertPart('s-1', 'One'),
      upsertPart('s-2', 'y'.repeat(60)),
      upsertPart('s-3', 'Three'),
    ]);
    expect(results.map((p) => [p.status, p.executed])).toEqual([
      [204, true],
      [400, true],
      [0, false],
    ]);
    expect(await r.client.retrieve('contacts', { fs_practicehubid: 's-3' })).toBeUndefined();
  });

  it('runs change sets atomically and lets a part refer to what an earlier one created', async () => {
    const ok = await r.client.batch([
      {
        changeSet: [
          { method: 'POST', path: 'accounts', body: { name: 'Parent clinic' }, contentId: '1' },
          {
            method: 'POST',
            path: 'contacts',
            body: {
              lastname: 'Linked',
              fs_practicehubid: 'cs-1',
              'parentcustomerid_account@odata.bind': '$1',
            },
          },
        ],
      },
    ]);
    expect(ok.map((p) => p.status)).toEqual([204, 204]);
    const accountId = ok[0]!.id!;
    expect(accountId).toMatch(/^[0-9a-f-]{36}$/);
    const contact = r.sb.snapshot(['contact']).tables.contact!.find((c) => c.fs_practicehubid === 'cs-1')!;
    expect(contact.parentcustomerid).toEqual({ table: 'account', id: accountId });

    const accounts = r.sb.snapshot(['account']).tables.account!.length;
    const failed = await r.client.batch(
      [
        {
          changeSet: [
            { method: 'POST', path: 'accounts', body: { name: 'Rolled back' } },
            upsertPart('cs-2', 'z'.repeat(70)),
          ],
        },
        upsertPart('cs-3', 'After'),
      ],
      { continueOnError: true },
    );
    expect(failed.map((p) => [p.status, p.executed])).toEqual([
      [400, false],
      [400, true],
      [204, true],
    ]);
    expect(failed[0]!.error).toBe(failed[1]!.error);
    expect(failed[1]!.error!.code).toBe('0x80044331');
    expect(r.sb.snapshot(['account']).tables.account!.length).toBe(accounts);
  });

  it('refuses more than 1,000 requests and GETs inside a change set before sending', async () => {
    const before = r.client.stats().requests.batch;
    const many = Array.from({ length: 1_001 }, (_, i) => upsertPart(`m-${i}`, 'M'));
    await expect(r.client.batch(many)).rejects.toThrow(/at most 1000/);
    await expect(r.client.batch([{ changeSet: [{ method: 'GET', path: 'WhoAmI' }] }])).rejects.toThrow(/GET/);
    expect(r.client.stats().requests.batch).toBe(before);
  });
});

describe('dataverse client: a $batch answer that is not one', () => {
  it('is a DataverseError with no status (its parts may have run), saying what came back and what to do', async () => {
    const r = await rig();
    // A proxy that lets the $batch through to Dataverse, then answers with a page of its own.
    const gateway = await startGateway(r.sb.url, (req, answer) =>
      req.url?.endsWith('$batch')
        ? { status: 200, headers: { 'content-type': 'text/html' }, text: '<html>Gateway</html>' }
        : answer,
    );
    const client = new DataverseClient(clientOptions(r.sb, { url: gateway.url, authorityHost: gateway.url }));
    try {
      await addContactKey(client);
      const error = await client.batch([upsertPart('p-1', 'Proxied')]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataverseError);
      expect(error).toMatchObject({ status: 0, code: 'unreadable_answer', method: 'POST', path: '$batch' });
      expect((error as DataverseError).message).toContain(
        "the answer could not be read as a $batch answer: the $batch response is not multipart (Content-Type 'text/html')",
      );
      expect((error as DataverseError).hint).toContain('run the same command again');
      expect((error as DataverseError).message).toContain(
        '(unreadable answer, code unreadable_answer; POST $batch)',
      );
      // It did run: that is why the answer counts as uncertain, not as a refusal.
      expect(r.sb.snapshot(['contact']).tables.contact!.some((c) => c.lastname === 'Proxied')).toBe(true);
    } finally {
      await client.close();
      await gateway.close();
      await r.close();
    }
  });
});

/**
 * A write inside a continue-on-error `$batch` that fails on its own with a transient failure (a deadlock,
 * a SQL timeout, 502, 503; each part of a $batch runs in a transaction of its own,
 * PA`org-service/execute-multiple-requests`) is sent again, with the waits the client keeps for whole
 * requests; a refusal (400) is not.
 */
describe('dataverse client: $batch parts that fail on their own', () => {
  it('sends the parts that failed with a transient failure again until they go through', async () => {
    const r = await rig({ faults: { ...NO_FAULTS, ratePart: 0.4, seed: 11 } });
    try {
      await addContactKey(r.client);
      const before = r.sb.stats().requests.batch;
      const parts = Array.from({ length: 30 }, (_, i) => upsertPart(`t-${i}`, `Transient ${i}`));
      const results = await r.client.batch([...parts, upsertPart('t-long', 'z'.repeat(51))], {
        continueOnError: true,
      });
      expect(results.slice(0, 30).map((p) => p.status)).toEqual(Array(30).fill(204));
      expect(results[30]).toMatchObject({ status: 400, error: { code: '0x80044331' } });
      const rows = r.sb
        .snapshot(['contact'])
        .tables.contact!.filter((c) => String(c.fs_practicehubid).startsWith('t-'));
      expect(rows).toHaveLength(30);
      expect(r.sb.stats().faultsInjected).toBeGreaterThan(0);
      expect(r.sb.stats().requests.batch - before).toBeGreaterThan(1);
      expect(
        r.events.some((e) => e.type === 'retry' && e.reason === 'server_error' && e.path === '$batch'),
      ).toBe(true);
      expect(r.client.stats().recordsWritten).toBe(30);
    } finally {
      await r.close();
    }
  });

  it('gives a part that keeps failing its last failure once the retries are spent', async () => {
    const r = await rig({ faults: { ...NO_FAULTS, ratePart: 1, seed: 3 } }, { maxRetries: 2 });
    try {
      await addContactKey(r.client);
      const before = r.sb.stats().requests.batch;
      const results = await r.client.batch([upsertPart('k-1', 'Kept failing')], { continueOnError: true });
      expect(results[0]!.status).toBeGreaterThanOrEqual(500);
      expect(results[0]!.error).toBeInstanceOf(DataverseError);
      expect(r.sb.stats().requests.batch - before).toBe(3);
    } finally {
      await r.close();
    }
  });

  it('waits the Retry-After of a part answered 429 before sending it again', async () => {
    const r = await rig();
    let throttled = 0;
    // Service protection limits apply to the $batch request as a whole (PA`api-limits`); a gateway that
    // answers one part 429 stands for a part throttled on its own.
    const gateway = await startGateway(r.sb.url, (req, answer) => {
      if (!req.url?.endsWith('$batch') || throttled > 0) return answer;
      throttled += 1;
      return {
        ...answer,
        text: answer.text.replace(
          /HTTP\/1\.1 204 No Content\r\n[\s\S]*?\r\n\r\n/,
          'HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json; odata.metadata=minimal\r\nRetry-After: 1\r\n\r\n{"error":{"code":"0x80072322","message":"Number of requests exceeded the limit of 6000 over time window of 300 seconds."}}\r\n',
        ),
      };
    });
    const events: DataverseEvent[] = [];
    const client = new DataverseClient(
      clientOptions(r.sb, { url: gateway.url, authorityHost: gateway.url, onEvent: (e) => events.push(e) }),
    );
    try {
      await addContactKey(client);
      const started = Date.now();
      const results = await client.batch([upsertPart('q-1', 'One'), upsertPart('q-2', 'Two')], {
        continueOnError: true,
      });
      expect(throttled).toBe(1);
      expect(results.map((p) => p.status)).toEqual([204, 204]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect(events).toContainEqual(expect.objectContaining({ type: 'throttled', retryAfterMs: 1000 }));
      expect(client.stats().throttled.requests).toBe(1);
    } finally {
      await client.close();
      await gateway.close();
      await r.close();
    }
  });
});
