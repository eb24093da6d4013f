import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataverseClient } from '../../../runtime/dataverse/client.ts';
import type { DataverseError } from '../../../runtime/dataverse/errors.ts';
import { recordPath } from '../../../runtime/dataverse/odata.ts';
import { REDACTED } from '../../../runtime/shared/redact.ts';
import { type DataverseSandbox, startDataverseSandbox } from '../../../sandbox/dataverse/index.ts';
import { addContactKey, clientOptions, startGateway } from './helpers.ts';

/**
 * A gateway in front of the sandbox that echoes each request's Authorization header (and `also`, when
 * set) into the error messages it passes back, whole answers and $batch parts, as some proxies and
 * gateways do.
 */
async function startEchoingGateway(target: string) {
  const state = { also: '' };
  const gateway = await startGateway(target, (req, answer) => {
    const echo = `auth header was [${req.headers.authorization ?? ''}]${state.also}`;
    return { ...answer, text: answer.text.replace(/"message":"/g, `"message":"${echo} `) };
  });
  return { ...gateway, state };
}

describe('dataverse client: an error answer that echoes the request', () => {
  let sb: DataverseSandbox;
  let gateway: Awaited<ReturnType<typeof startEchoingGateway>>;
  let client: DataverseClient;
  const tokens: string[] = [];
  beforeAll(async () => {
    sb = await startDataverseSandbox({ keyActivationDelayMs: 0 });
    gateway = await startEchoingGateway(sb.url);
    client = new DataverseClient(
      clientOptions(sb, {
        url: gateway.url,
        authorityHost: gateway.url,
        onEvent: (e) => {
          if (e.type === 'token') tokens.push('seen');
        },
      }),
    );
    await addContactKey(client);
  });
  afterAll(async () => {
    await client.close();
    await gateway.close();
    await sb.close();
  });

  /** A token of the sandbox that the client never held (one issued to another caller, or before a refresh). */
  const otherToken = async (): Promise<string> => {
    const res = await fetch(`${sb.authorityHost}/${sb.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: sb.clientId,
        client_secret: sb.clientSecret,
        scope: `${sb.url}/.default`,
      }),
    });
    return ((await res.json()) as { access_token: string }).access_token;
  };

  it('masks the token in the message of a failed request', async () => {
    const e = (await client
      .update('contacts', { fs_practicehubid: 'nobody' }, { lastname: 'x' })
      .catch((x: unknown) => x)) as DataverseError;
    expect(e.status).toBe(404);
    expect(e.message).toContain(`auth header was [Bearer ${REDACTED}`);
    expect(e.message).not.toMatch(/Bearer [A-Za-z0-9]/);
    expect(tokens.length).toBeGreaterThan(0);
  });

  it('masks the token in the error of a $batch part, which becomes a row error', async () => {
    const results = await client.batch(
      [
        {
          method: 'PATCH',
          path: recordPath('contacts', { fs_practicehubid: 'r-1' }),
          body: { lastname: 'One' },
        },
        {
          method: 'PATCH',
          path: recordPath('contacts', { fs_practicehubid: 'r-2' }),
          body: { lastname: 'x'.repeat(51) },
        },
      ],
      { continueOnError: true },
    );
    expect(results.map((p) => p.status)).toEqual([204, 400]);
    const message = results[1]!.error!.message;
    expect(message).toContain(`auth header was [Bearer ${REDACTED}`);
    expect(message).toContain("The length of the 'lastname' attribute");
    expect(message).not.toMatch(/Bearer [A-Za-z0-9]/);
  });

  it('masks a bearer token the client does not hold as well', async () => {
    const other = await otherToken();
    expect(other.length).toBeGreaterThan(10);
    gateway.state.also = `; earlier [Bearer ${other}]`;
    try {
      const e = (await client
        .update('contacts', { fs_practicehubid: 'nobody-either' }, { lastname: 'x' })
        .catch((x: unknown) => x)) as DataverseError;
      expect(e.message).toContain(`earlier [Bearer ${REDACTED}]`);
      expect(e.message).not.toContain(other);
    } finally {
      gateway.state.also = '';
    }
  });
});
