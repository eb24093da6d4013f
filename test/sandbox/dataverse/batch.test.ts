import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_FAULTS, parseFaults } from '../../../sandbox/shared/faults.ts';
import { type Harness, harness } from './helpers.ts';

/** One `application/http` part of a batch request body. */
function part(boundary: string, method: string, url: string, body?: unknown, contentId?: string): string {
  const lines = [`--${boundary}`, 'Content-Type: application/http', 'Content-Transfer-Encoding: binary'];
  if (contentId) lines.push(`Content-ID: ${contentId}`);
  lines.push('', `${method} ${url} HTTP/1.1`);
  if (body !== undefined) lines.push('Content-Type: application/json; type=entry', '', JSON.stringify(body));
  else lines.push('', '');
  return lines.join('\r\n');
}

function changeset(batch: string, cs: string, parts: string[]): string {
  return [
    `--${batch}`,
    `Content-Type: multipart/mixed; boundary="${cs}"`,
    '',
    parts.join('\r\n'),
    `--${cs}--`,
  ].join('\r\n');
}

/** Splits a batch response into its HTTP status lines, in order. */
function statuses(text: string): number[] {
  return [...text.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]));
}

/** `$batch`: PA`webapi/execute-batch-operations-using-web-api` and reference §3.2. */
describe('dataverse sandbox: $batch', () => {
  let h: Harness;
  let account: string;
  beforeAll(async () => {
    h = await harness();
    const r = await h.call('POST', 'accounts', {
      body: { name: 'Batch clinic' },
      headers: { Prefer: 'return=representation' },
    });
    account = r.json.accountid;
  });
  afterAll(() => h.close());

  const batch = (body: string, boundary: string, prefer?: string) =>
    h.call('POST', '$batch', {
      body,
      headers: {
        'Content-Type': `multipart/mixed; boundary="${boundary}"`,
        ...(prefer ? { Prefer: prefer } : {}),
      },
    });

  it('runs parts in order and answers a multipart/mixed response with one part per request', async () => {
    const b = 'batch_one';
    const body = [
      part(b, 'POST', '/api/data/v9.2/contacts', {
        lastname: 'First',
        'parentcustomerid_account@odata.bind': `accounts(${account})`,
      }),
      part(b, 'POST', `${h.sb.apiUrl}contacts`, { lastname: 'Second' }),
      part(b, 'GET', `/api/data/v9.2/contacts?$select=lastname&$orderby=lastname`),
      `--${b}--`,
      '',
    ].join('\r\n');
    const r = await batch(body, b);
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toMatch(/^multipart\/mixed; boundary=batchresponse_/);
    expect(statuses(r.text)).toEqual([204, 204, 200]);
    expect(r.text).toContain('OData-EntityId: ');
    expect(r.text).toContain('"lastname":"First"');
    expect(h.sb.stats().requests.batch).toBe(1);
  });

  it('runs a change set atomically and resolves $n Content-ID references', async () => {
    const b = 'batch_cs';
    const cs = 'changeset_cs';
    const body = [
      changeset(b, cs, [
        part(cs, 'POST', '/api/data/v9.2/accounts', { name: 'Parent from batch' }, '1'),
        part(
          cs,
          'POST',
          '/api/data/v9.2/contacts',
          { lastname: 'Child from batch', 'parentcustomerid_account@odata.bind': '$1' },
          '2',
        ),
        part(cs, 'PATCH', '$2', { firstname: 'Renamed' }, '3'),
        part(cs, 'PUT', '$2/lastname', { value: 'Child renamed' }, '4'),
      ]),
      `--${b}--`,
      '',
    ].join('\r\n');
    const r = await batch(body, b);
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/Content-Type: multipart\/mixed; boundary=changesetresponse_/);
    expect(statuses(r.text)).toEqual([204, 204, 204, 204]);
    expect(r.text).toContain('Content-ID: 2');
    const child = await h.call(
      'GET',
      `contacts?$select=firstname,lastname&$filter=${encodeURIComponent("parentcustomerid_account/name eq 'Parent from batch'")}`,
    );
    expect(child.json.value).toEqual([
      expect.objectContaining({ firstname: 'Renamed', lastname: 'Child renamed' }),
    ]);
  });

  it('rolls back the whole change set when one part fails and stops the batch with 400', async () => {
    const b = 'batch_fail';
    const cs = 'changeset_fail';
    const before = (await h.call('GET', 'accounts?$count=true&$select=name')).json['@odata.count'];
    const body = [
      changeset(b, cs, [
        part(cs, 'POST', '/api/data/v9.2/accounts', { name: 'Rolled back' }, '1'),
        part(cs, 'POST', '/api/data/v9.2/accounts', { name: 'x'.repeat(161) }, '2'),
      ]),
      part(b, 'POST', '/api/data/v9.2/accounts', { name: 'Never runs' }),
      `--${b}--`,
      '',
    ].join('\r\n');
    const r = await batch(body, b);
    expect(r.status).toBe(400);
    expect(statuses(r.text)).toEqual([400]);
    expect(r.text).toContain('"code":"0x80044331"');
    expect((await h.call('GET', 'accounts?$count=true&$select=name')).json['@odata.count']).toBe(before);
  });

  it('continues after errors with Prefer: odata.continue-on-error and answers 200 ($batch doc example)', async () => {
    const b = 'batch_continue';
    const body = [
      part(b, 'POST', '/api/data/v9.2/appointments', { subject: 'x'.repeat(201) }),
      part(b, 'POST', '/api/data/v9.2/appointments', { subject: 'Task 2 in batch' }),
      part(b, 'POST', '/api/data/v9.2/appointments', { subject: 'Task 3 in batch' }),
      `--${b}--`,
      '',
    ].join('\r\n');
    const r = await batch(body, b, 'odata.continue-on-error');
    expect(r.status).toBe(200);
    expect(statuses(r.text)).toEqual([400, 204, 204]);
    expect(r.text).toContain(
      "The length of the 'subject' attribute of the 'appointment' entity exceeded the maximum allowed length of '200'.",
    );
  });

  it('refuses a Content-ID referenced before it is declared', async () => {
    const b = 'batch_ref';
    const cs = 'changeset_ref';
    const body = [
      changeset(b, cs, [
        part(
          cs,
          'POST',
          '/api/data/v9.2/contacts',
          { lastname: 'Early', 'parentcustomerid_account@odata.bind': '$1' },
          '2',
        ),
        part(cs, 'POST', '/api/data/v9.2/accounts', { name: 'Late' }, '1'),
      ]),
      `--${b}--`,
      '',
    ].join('\r\n');
    const r = await batch(body, b);
    expect(r.status).toBe(400);
    expect(r.text).toContain("Content-ID Reference: '$1' does not exist in the batch context.");
  });

  it('refuses GET inside a change set and more than 1,000 requests', async () => {
    const b = 'batch_get';
    const cs = 'changeset_get';
    const withGet = [changeset(b, cs, [part(cs, 'GET', '/api/data/v9.2/accounts')]), `--${b}--`, ''].join(
      '\r\n',
    );
    expect((await batch(withGet, b)).status).toBe(400);
    const many = [
      ...Array.from({ length: 1001 }, () => part(b, 'GET', '/api/data/v9.2/WhoAmI')),
      `--${b}--`,
      '',
    ].join('\r\n');
    const r = await batch(many, b);
    expect(r.status).toBe(400);
    expect(r.json.error.message).toContain('exceeds the limit of 1000');
  });
});

/**
 * Fault `part=p`: a write inside a `$batch` fails on its own, as one part of an ExecuteMultiple, each in a
 * database transaction of its own, can (PA`org-service/execute-multiple-requests`; the deadlock and SQL
 * timeout of "Troubleshoot Dataverse bulk operation errors").
 */
describe('dataverse sandbox: $batch parts that fail on their own', () => {
  it('answers a share of the writes with a deadlock, a SQL timeout, 502 or 503, runs the others and reads', async () => {
    const h = await harness({ faults: { ...NO_FAULTS, ratePart: 0.5, seed: 5 } });
    try {
      const b = 'batch_part_faults';
      const body = [
        ...Array.from({ length: 40 }, (_, i) =>
          part(b, 'POST', '/api/data/v9.2/accounts', { name: `Part fault ${i}` }),
        ),
        part(b, 'GET', '/api/data/v9.2/WhoAmI'),
        `--${b}--`,
        '',
      ].join('\r\n');
      const r = await h.call('POST', '$batch', {
        body,
        headers: {
          'Content-Type': `multipart/mixed; boundary="${b}"`,
          Prefer: 'odata.continue-on-error',
        },
      });
      expect(r.status).toBe(200);
      const got = statuses(r.text);
      expect(got.at(-1)).toBe(200);
      const writes = got.slice(0, -1);
      const failed = writes.filter((s) => s !== 204);
      expect(failed.length).toBeGreaterThan(5);
      expect(failed.length).toBeLessThan(35);
      expect(new Set(failed)).toEqual(new Set([500, 502, 503]));
      expect(r.text).toContain('"code":"0x80044150"');
      expect(r.text).toContain('Sql Number: 1205');
      expect(r.text).toContain('"code":"0x80044151"');
      // A failed part did not run: only the others' rows exist.
      const names = h.sb
        .snapshot(['account'])
        .tables.account!.filter((a) => String(a.name).startsWith('Part fault'));
      expect(names).toHaveLength(writes.length - failed.length);
      expect(h.sb.stats().faultsInjected).toBe(failed.length);
    } finally {
      await h.close();
    }
  });

  it('injects none by default', async () => {
    expect(parseFaults('429=0.1').ratePart).toBe(0);
    expect(parseFaults('part=0.25').ratePart).toBe(0.25);
    expect(() => parseFaults('part=2')).toThrow(/part=2.*from 0 to 1/);
  });
});
