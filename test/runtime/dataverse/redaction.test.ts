import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataverseClient } from '../../../runtime/dataverse/client.ts';
import type { DataverseError } from '../../../runtime/dataverse/errors.ts';
import { recordPath } from '../../../runtime/dataverse/odata.ts';
import { REDACTED } from '../../../runtime/shared/redact.ts';
import { type DataverseSandbox, startDataverseSandbox } from '../../../sandbox/dataverse/index.ts';
import { addContactKey, clientOptions } from './helpers.ts';

/**
 * A gateway in front of the sandbox that echoes each request's Authorization header (and `also`, when
 * set) into the error messages it passes back, whole answers and $batch parts, as some proxies and
 * gateways do. Token requests pass through with the scope of the sandbox's own URL.
 */
async function startEchoingGateway(target: string) {
  const origin = new URL(target);
  const state = { also: '' };
  const server: Server = createServer((req, res) => {
    const sent: Buffer[] = [];
    req.on('data', (c: Buffer) => sent.push(c));
    req.on('end', () => {
      let body = Buffer.concat(sent).toString('utf8');
      if (req.url?.includes('/oauth2/'))
        body = body.replace(encodeURIComponent(own), encodeURIComponent(origin.origin));
      const forward = request(
        new URL(req.url ?? '/', origin),
        {
          method: req.method,
          headers: { ...req.headers, host: origin.host, 'content-length': Buffer.byteLength(body) },
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (c: Buffer) => chunks.push(c));
          answer.on('end', () => {
            const echo = `auth header was [${req.headers.authorization ?? ''}]${state.also}`;
            const text = Buffer.concat(chunks)
              .toString('utf8')
              .replace(/"message":"/g, `"message":"${echo} `);
            const headers = { ...answer.headers };
            delete headers['content-length'];
            res.writeHead(answer.statusCode ?? 502, headers);
            res.end(text);
          });
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const own = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: own,
    state,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
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
