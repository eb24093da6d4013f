import { describe, expect, it } from 'vitest';
import { DataverseError, parseErrorBody } from '../../../runtime/dataverse/errors.ts';
import { redactPath } from '../../../runtime/dataverse/events.ts';
import { parseBatchResponse, splitMultipart, writeBatch } from '../../../runtime/dataverse/multipart.ts';
import {
  idFromEntityId,
  keyPredicate,
  literal,
  queryString,
  recordUri,
} from '../../../runtime/dataverse/odata.ts';
import { optionsFromEnv } from '../../../runtime/dataverse/options.ts';
import { Semaphore } from '../../../runtime/dataverse/semaphore.ts';
import { Backoff, parseRetryAfter } from '../../../runtime/shared/backoff.ts';

describe('odata addressing (use-alternate-key-reference-record)', () => {
  it.each([
    ['a GUID', 'A0A0A0A0-0000-4000-8000-000000000001', '(a0a0a0a0-0000-4000-8000-000000000001)'],
    ['a string key', { fs_practicehubid: 'patient-123' }, "(fs_practicehubid='patient-123')"],
    ['a quote', { accountnumber: "O'Brien" }, "(accountnumber='O''Brien')"],
    ['a space', { name: 'North clinic' }, "(name='North%20clinic')"],
    [
      'two parts',
      { firstname: 'Joe', emailaddress1: 'abc@example.com' },
      "(firstname='Joe',emailaddress1='abc%40example.com')",
    ],
    ['a number', { fs_number: 42 }, '(fs_number=42)'],
    [
      'a lookup part',
      { _primarycontactid_value: 'B0B0B0B0-0000-4000-8000-000000000002' },
      '(_primarycontactid_value=b0b0b0b0-0000-4000-8000-000000000002)',
    ],
  ])('formats %s', (_, ref, expected) => {
    expect(keyPredicate(ref)).toBe(expected);
  });

  it.each([
    ['a non-GUID string', 'patient-1', /not a GUID/],
    ['an empty key', {}, /at least one column/],
    ['a slash', { fs_id: 'a/b' }, /break Web API addressing/],
    ['a plus', { fs_id: 'a+b' }, /break Web API addressing/],
    ['a bad column', { 'fs id': 'x' }, /not a column name/],
    ['a lookup without a GUID', { _x_value: 'abc' }, /needs a GUID/],
  ])('refuses %s', (_, ref, error) => {
    expect(() => keyPredicate(ref as never)).toThrow(error);
  });

  it('writes bind and @odata.id values without percent-encoding', () => {
    expect(recordUri('contacts', { fs_id: 'p 1' })).toBe("/contacts(fs_id='p 1')");
    expect(recordUri('fs_visits', { fs_sourceid: 'V-1' }, false)).toBe("fs_visits(fs_sourceid='V-1')");
  });

  it('builds query strings and literals', () => {
    expect(queryString({})).toBe('');
    expect(
      queryString({
        select: ['name', 'accountid'],
        filter: "name eq 'A&B'",
        orderby: ['name desc'],
        top: 5,
        count: true,
      }),
    ).toBe("?$select=name,accountid&$filter=name%20eq%20'A%26B'&$orderby=name%20desc&$top=5&$count=true");
    expect(() => queryString({ top: -1 })).toThrow(/whole number/);
    expect([literal(null), literal(true), literal(3.5), literal("it's")]).toEqual([
      'null',
      'true',
      '3.5',
      "'it''s'",
    ]);
    expect(literal(new Date('2024-01-02T03:04:05Z'))).toBe('2024-01-02T03:04:05.000Z');
  });

  it('reads the id of OData-EntityId only when it is a GUID', () => {
    expect(idFromEntityId('http://h/api/data/v9.2/accounts(C0C0C0C0-0000-4000-8000-000000000003)')).toBe(
      'c0c0c0c0-0000-4000-8000-000000000003',
    );
    expect(idFromEntityId("http://h/api/data/v9.2/contacts(fs_id='x')")).toBeUndefined();
    expect(idFromEntityId(undefined)).toBeUndefined();
  });
});

describe('$batch bodies (execute-batch-operations-using-web-api)', () => {
  it('writes parts and change sets that split back into the same requests', () => {
    const body = writeBatch(
      'batch_1',
      [
        { method: 'GET', url: '/api/data/v9.2/WhoAmI', headers: {} },
        {
          changeSet: [
            {
              method: 'POST',
              url: '/api/data/v9.2/accounts',
              headers: { 'Content-Type': 'application/json; type=entry' },
              body: '{"name":"A"}',
              contentId: '1',
            },
            { method: 'PATCH', url: '$1', headers: {}, body: '{"name":"B"}', contentId: '2' },
          ],
        },
      ],
      () => 'changeset_9',
    );
    expect(body.endsWith('--batch_1--\r\n')).toBe(true);
    const parts = splitMultipart(body, 'batch_1');
    expect(parts).toHaveLength(2);
    expect(parts[0]!.body.startsWith('GET /api/data/v9.2/WhoAmI HTTP/1.1')).toBe(true);
    expect(parts[1]!.headers['content-type']).toBe('multipart/mixed; boundary=changeset_9');
    const inner = splitMultipart(parts[1]!.body, 'changeset_9');
    expect(inner.map((p) => p.headers['content-id'])).toEqual(['1', '2']);
    expect(inner[1]!.body).toContain('PATCH $1 HTTP/1.1');
  });

  it('parses responses with change sets and refuses an unterminated body', () => {
    const text = [
      '--batchresponse_a',
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      '',
      'HTTP/1.1 200 OK',
      'Content-Type: application/json; odata.metadata=minimal',
      '',
      '{"UserId":"u"}',
      '--batchresponse_a',
      'Content-Type: multipart/mixed; boundary=changesetresponse_b',
      '',
      '--changesetresponse_b',
      'Content-Type: application/http',
      'Content-ID: 1',
      '',
      'HTTP/1.1 204 No Content',
      'OData-EntityId: http://h/api/data/v9.2/accounts(c0c0c0c0-0000-4000-8000-000000000003)',
      '',
      '',
      '--changesetresponse_b--',
      '--batchresponse_a--',
      '',
    ].join('\r\n');
    const items = parseBatchResponse('multipart/mixed; boundary=batchresponse_a', text);
    expect(items[0]).toEqual({
      kind: 'response',
      response: {
        status: 200,
        headers: { 'content-type': 'application/json; odata.metadata=minimal' },
        body: '{"UserId":"u"}',
      },
    });
    expect(items[1]!.kind).toBe('changeset');
    const cs = items[1] as { readonly responses: readonly { status: number; contentId?: string }[] };
    expect(cs.responses.map((r) => [r.status, r.contentId])).toEqual([[204, '1']]);
    expect(() =>
      parseBatchResponse(
        'multipart/mixed; boundary=x',
        '--x\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 200 OK\r\n',
      ),
    ).toThrow(/not closed/);
    expect(() => parseBatchResponse('application/json', '{}')).toThrow(/not multipart/);
  });
});

describe('errors (compose-http-requests-handle-errors, reference §8)', () => {
  it('parses Microsoft error JSON, OData inner errors and error-detail annotations', () => {
    expect(parseErrorBody(400, '{"error":{"code":"0x80044331","message":"too long"}}')).toEqual({
      code: '0x80044331',
      message: 'too long',
    });
    const odata = parseErrorBody(
      400,
      '{"error":{"code":"","message":"m","innererror":{"message":"inner","type":"T","stacktrace":"at x"}}}',
    );
    expect(odata.innererror).toEqual({ message: 'inner', type: 'T' });
    const details = parseErrorBody(
      400,
      '{"error":{"code":"0x1","message":"m","@Microsoft.PowerApps.CDS.ErrorDetails.SubErrorCode":"7"}}',
    );
    expect(details.details).toEqual({ '@Microsoft.PowerApps.CDS.ErrorDetails.SubErrorCode': '7' });
    expect(parseErrorBody(502, '')).toEqual({ code: '', message: 'HTTP 502 without an error body' });
    expect(parseErrorBody(500, '<html>gateway</html>').message).toBe('<html>gateway</html>');
  });

  it.each([
    [
      '0x80060888',
      "Invalid property 'fs_x' was found in entity 'Microsoft.Dynamics.CRM.contact'.",
      400,
      /column 'fs_x' does not exist on table 'contact'.*flitstack schema apply/,
    ],
    [
      '0x0',
      "Could not find a property named 'Name' on type 'Microsoft.Dynamics.CRM.account'.",
      400,
      /column 'Name'.*case-sensitive/,
    ],
    [
      '0x80040220',
      'Principal user (Id=1) is missing prvCreateContact privilege (Id=2)',
      403,
      /privilege prvCreateContact/,
    ],
    [
      '0x80040225',
      'The specified user is either disabled or is not a member of any business unit.',
      400,
      /enable the user/,
    ],
    ['0x8006088a', "Resource not found for the segment 'Account'.", 404, /case-sensitive plural/],
    ['0x80040800', 'not supported', 400, /\$batch/],
    ['', '', 401, /application user/],
    ['0x80040216', 'Request Entity Too Large', 413, /lower target\.batch_size/],
    [
      '0x80044151',
      'SQL timeout expired. CRM ErrorCode: -2147204783 Sql ErrorCode: -2146232060 Sql Number: -2',
      500,
      /lower target\.batch_size/,
    ],
  ])('hints for %s', (code, message, status, hint) => {
    const e = new DataverseError({ status, code, serverMessage: message, method: 'POST', path: 'contacts' });
    expect(e.hint).toMatch(hint);
    expect(e.message).toContain(`POST contacts`);
    expect(e.message).toContain(`HTTP ${status}`);
  });
});

describe('pacing parts', () => {
  it('draws seeded full-jitter delays within the exponential ceiling', () => {
    const a = new Backoff({ baseMs: 100, maxMs: 1000 }, 7);
    const b = new Backoff({ baseMs: 100, maxMs: 1000 }, 7);
    const delays = [1, 2, 3, 4, 5, 6].map((n) => a.delayMs(n));
    expect([1, 2, 3, 4, 5, 6].map((n) => b.delayMs(n))).toEqual(delays);
    delays.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(Math.min(1000, 100 * 2 ** i));
    });
    expect(() => new Backoff({ baseMs: 10, maxMs: 5 }, 1)).toThrow(RangeError);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3', 0)).toBe(3000);
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 4000)).toBe(6000);
  });

  it('resizes a semaphore while permits are held', async () => {
    const s = new Semaphore(2);
    const r1 = await s.acquire();
    const r2 = await s.acquire();
    let third = false;
    const p3 = s.acquire().then((r) => {
      third = true;
      return r;
    });
    await Promise.resolve();
    expect([s.inFlight, s.queued, third]).toEqual([2, 1, false]);
    s.resize(1);
    r1();
    await Promise.resolve();
    expect(third).toBe(false);
    r2();
    const r3 = await p3;
    expect([third, s.inFlight]).toEqual([true, 1]);
    r3();
    r3();
    expect(s.inFlight).toBe(0);
  });

  it('keeps key values out of event paths', () => {
    expect(redactPath("contacts(fs_practicehubid='a(b)c''d')?$select=x")).toBe('contacts(…)');
    expect(redactPath("EntityDefinitions(LogicalName='contact')/Attributes")).toBe(
      'EntityDefinitions(…)/Attributes',
    );
  });
});

describe('settings from the environment', () => {
  it('reads the variables and names the missing ones without their values', () => {
    expect(
      optionsFromEnv({
        DATAVERSE_URL: 'https://org.crm4.dynamics.com/',
        AZURE_TENANT_ID: 't',
        AZURE_CLIENT_ID: 'c',
        AZURE_CLIENT_SECRET: 's3cr3t',
        AZURE_AUTHORITY_HOST: 'http://127.0.0.1:1/',
      }),
    ).toEqual({
      url: 'https://org.crm4.dynamics.com',
      tenantId: 't',
      clientId: 'c',
      clientSecret: 's3cr3t',
      authorityHost: 'http://127.0.0.1:1',
    });
    expect(() => optionsFromEnv({ AZURE_CLIENT_SECRET: 's3cr3t' })).toThrow(
      'set DATAVERSE_URL, AZURE_TENANT_ID, AZURE_CLIENT_ID to reach Dataverse',
    );
  });

  const env = { AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c', AZURE_CLIENT_SECRET: 's3cr3t' };
  const ORG = 'https://org.crm4.dynamics.com';
  const PLAIN_HTTP_ONLY = '(plain http is only for the sandbox on 127.0.0.1, ::1 or localhost)';
  it.each([
    [
      'a DATAVERSE_URL that is not a URL',
      { DATAVERSE_URL: 'not-a-url' },
      'DATAVERSE_URL is not an http(s) URL: it holds "not-…" (9 characters); set it to the environment URL https://<org>.crm<n>.dynamics.com',
    ],
    [
      'a DATAVERSE_URL without its scheme',
      { DATAVERSE_URL: 'contoso.crm4.dynamics.com' },
      'DATAVERSE_URL is not an http(s) URL: it holds "contoso.…" (25 characters)',
    ],
    [
      'a blank DATAVERSE_URL',
      { DATAVERSE_URL: ' \t' },
      'DATAVERSE_URL is not an http(s) URL: it is blank; set it to',
    ],
    [
      'an AZURE_AUTHORITY_HOST that is not a URL',
      { DATAVERSE_URL: ORG, AZURE_AUTHORITY_HOST: 'login.microsoftonline.com' },
      'AZURE_AUTHORITY_HOST is not an http(s) URL: it holds "login.mi…" (25 characters); set it to the Entra ID authority https://login.microsoftonline.com (or unset it)',
    ],
    [
      'an AZURE_AUTHORITY_HOST of another scheme',
      { DATAVERSE_URL: ORG, AZURE_AUTHORITY_HOST: 'ftp://login.example' },
      'AZURE_AUTHORITY_HOST is not an http(s) URL: it holds "ftp://lo…" (19 characters)',
    ],
    [
      'a DATAVERSE_URL of plain http off this machine',
      { DATAVERSE_URL: 'http://org.crm4.dynamics.com' },
      'DATAVERSE_URL is a plain http URL of org.crm4.dynamics.com: every request would carry the access token ' +
        `across the network in clear text; set it to the environment URL https://<org>.crm<n>.dynamics.com ${PLAIN_HTTP_ONLY}`,
    ],
    [
      'an AZURE_AUTHORITY_HOST of plain http off this machine',
      { DATAVERSE_URL: ORG, AZURE_AUTHORITY_HOST: 'http://login.microsoftonline.com' },
      'AZURE_AUTHORITY_HOST is a plain http URL of login.microsoftonline.com: the token request would carry ' +
        'AZURE_CLIENT_SECRET across the network in clear text; set it to the Entra ID authority ' +
        `https://login.microsoftonline.com (or unset it) ${PLAIN_HTTP_ONLY}`,
    ],
    [
      'plain http of a name that only starts like loopback',
      { DATAVERSE_URL: 'http://127.0.0.1.nip.io:8080' },
      'DATAVERSE_URL is a plain http URL of 127.0.0.1.nip.io:',
    ],
    [
      'plain http of a subdomain named localhost',
      { DATAVERSE_URL: ORG, AZURE_AUTHORITY_HOST: 'http://localhost.example.com' },
      'AZURE_AUTHORITY_HOST is a plain http URL of localhost.example.com:',
    ],
    [
      'a DATAVERSE_URL with credentials in it',
      { DATAVERSE_URL: 'https://admin:s3cr3t@org.crm4.dynamics.com' },
      'DATAVERSE_URL must not carry credentials, a query or a fragment',
    ],
    [
      'an AZURE_AUTHORITY_HOST with a query',
      { DATAVERSE_URL: ORG, AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.com/?key=s3cr3t' },
      'AZURE_AUTHORITY_HOST must not carry credentials, a query or a fragment',
    ],
    [
      // The Web API endpoint that Power Apps' developer resources page shows.
      'a DATAVERSE_URL with the Web API path',
      { DATAVERSE_URL: 'https://org.api.crm4.dynamics.com/api/data/v9.2/' },
      'DATAVERSE_URL holds a path (/api/data/v9.2/): set it to the environment URL https://<org>.crm<n>.dynamics.com, ' +
        'without a path (flitstack adds the path of each request)',
    ],
    [
      'an AZURE_AUTHORITY_HOST with the tenant in it',
      {
        DATAVERSE_URL: ORG,
        AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.com/contoso.onmicrosoft.com',
      },
      'AZURE_AUTHORITY_HOST holds a path (/contoso.onmicrosoft.com): set it to the Entra ID authority ' +
        'https://login.microsoftonline.com (or unset it), without a path (flitstack adds the path of each request)',
    ],
  ])('refuses %s, naming the variable, what it holds and the expected form', (_, urls, message) => {
    expect(() => optionsFromEnv({ ...env, ...urls })).toThrow(message);
    expect(() => optionsFromEnv({ ...env, ...urls })).not.toThrow('s3cr3t');
  });

  it('shows no more of a value that is not a URL than its first characters, in case it is a secret', () => {
    // A .env file with DATAVERSE_URL and AZURE_CLIENT_SECRET swapped.
    const secret = 'Qx8~Sd.pL0r_secret-value-of-40-characters';
    const error = (() => {
      try {
        optionsFromEnv({ ...env, DATAVERSE_URL: secret });
      } catch (e) {
        return e as Error;
      }
      throw new Error('optionsFromEnv accepted a secret as DATAVERSE_URL');
    })();
    expect(error.message).toContain(`it holds "Qx8~Sd.p…" (${secret.length} characters)`);
    expect(error.message).not.toContain(secret.slice(0, 9));
    // A short value shows at most half of itself.
    expect(() => optionsFromEnv({ ...env, DATAVERSE_URL: 'abc123' })).toThrow(
      'it holds "abc…" (6 characters)',
    );
  });

  it.each([
    'http://127.0.0.1:1',
    'http://127.8.9.10:1',
    'http://localhost:8080',
    'http://LOCALHOST:8080',
    'http://[::1]:5555',
  ])('allows plain http on loopback, where the sandboxes serve: %s', (url) => {
    expect(optionsFromEnv({ ...env, DATAVERSE_URL: url, AZURE_AUTHORITY_HOST: url })).toMatchObject({
      url,
      authorityHost: url,
    });
  });

  it('trims blanks and trailing slashes off the URLs', () => {
    expect(
      optionsFromEnv({
        ...env,
        DATAVERSE_URL: ' https://org.crm4.dynamics.com/ \n',
        AZURE_AUTHORITY_HOST: 'http://127.0.0.1:1//',
      }),
    ).toMatchObject({ url: 'https://org.crm4.dynamics.com', authorityHost: 'http://127.0.0.1:1' });
  });
});
