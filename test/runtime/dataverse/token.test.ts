import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { inspect } from 'node:util';
import { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import { DataverseClient } from '../../../runtime/dataverse/client.ts';
import type { Clock } from '../../../runtime/dataverse/clock.ts';
import type { DataverseError } from '../../../runtime/dataverse/errors.ts';
import type { DataverseEvent } from '../../../runtime/dataverse/events.ts';
import { Transport } from '../../../runtime/dataverse/http.ts';
import { Pacer } from '../../../runtime/dataverse/pacing.ts';
import { StatsRecorder } from '../../../runtime/dataverse/stats.ts';
import { Backoff } from '../../../runtime/shared/backoff.ts';
import { startDataverseSandbox } from '../../../sandbox/dataverse/index.ts';
import { clientOptions, rig } from './helpers.ts';

/** A wall clock that can be told to lag, so the client believes an expired token is still fresh. */
function laggingClock(): Clock & { lagMs: number } {
  const clock = {
    lagMs: 0,
    now: () => Date.now() - clock.lagMs,
    sleep: (ms: number) => delay(Math.max(0, ms)),
  };
  return clock;
}

/**
 * An authority that answers every token request with `status` and a body made from what it received,
 * as a misbehaving authority or proxy may: the request body comes back inside the answer.
 */
async function echoingAuthority(
  status: number,
  answer: (received: string) => string,
): Promise<{ origin: string; received: string[]; close(): Promise<void> }> {
  const received: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      received.push(body);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(answer(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Client-credentials tokens (reference §7): cache, refresh, one refresh for all, 401 handling. */
describe('dataverse client: tokens', () => {
  it('fetches one token for many concurrent first requests and reuses it', async () => {
    const r = await rig({ dopHint: 8 });
    try {
      await r.client.whoAmI();
      await Promise.all(Array.from({ length: 12 }, () => r.client.whoAmI()));
      expect(r.sb.stats().requests.token).toBe(1);
      expect(r.client.stats().requests.token).toBe(1);
      expect(r.client.stats().requests.data).toBe(13);
    } finally {
      await r.close();
    }
  });

  it('shares one in-flight token request between callers that start together', async () => {
    const r = await rig({ dopHint: 8 }, { maxConcurrency: 8 });
    try {
      await Promise.all(Array.from({ length: 6 }, () => r.client.whoAmI()));
      expect(r.sb.stats().requests.token).toBe(1);
    } finally {
      await r.close();
    }
  });

  it('refreshes a short-lived token at half its life, before the service refuses it', async () => {
    const r = await rig({ tokenLifetimeSeconds: 2 });
    try {
      const started = Date.now();
      while (Date.now() - started < 2_600) {
        await r.client.whoAmI();
        await delay(100);
      }
      expect(r.sb.stats().unauthorized).toBe(0);
      expect(r.sb.stats().requests.token).toBeGreaterThanOrEqual(2);
      expect(r.client.stats().tokenRefreshesForced).toBe(0);
      const tokens = r.events.filter(
        (e): e is Extract<DataverseEvent, { type: 'token' }> => e.type === 'token',
      );
      expect(tokens.every((t) => t.expiresInSeconds === 2 && !t.forced)).toBe(true);
    } finally {
      await r.close();
    }
  });

  it('recovers from a token that expired behind its back: one 401, one refresh, one retry', async () => {
    const clock = laggingClock();
    const r = await rig({ tokenLifetimeSeconds: 1 }, { clock });
    try {
      await r.client.whoAmI();
      // The client's clock now runs an hour behind, so its cached token looks fresh to it.
      clock.lagMs = 3_600_000;
      await delay(1_100);
      const me = await r.client.whoAmI();
      expect(me.userId).toBe(r.sb.ids().appUserId);
      expect(r.sb.stats().unauthorized).toBe(1);
      expect(r.sb.stats().requests.token).toBe(2);
      expect(r.client.stats().tokenRefreshesForced).toBe(1);
      expect(r.events.some((e) => e.type === 'token' && e.forced)).toBe(true);
      expect(r.events.some((e) => e.type === 'retry' && e.reason === 'unauthorized')).toBe(true);
    } finally {
      await r.close();
    }
  });

  it('names DATAVERSE_URL when the authority does not know the scope', async () => {
    const sb = await startDataverseSandbox();
    // The same tenant and app on another authority, which does not know this environment's scope.
    const other = await startDataverseSandbox({
      tenantId: sb.tenantId,
      clientId: sb.clientId,
      clientSecret: sb.clientSecret,
    });
    const client = new DataverseClient({ ...clientOptions(sb), authorityHost: other.authorityHost });
    try {
      const e = (await client.whoAmI().catch((x: unknown) => x)) as DataverseError;
      expect(e).toMatchObject({ status: 400, code: 'invalid_resource', method: 'POST' });
      expect(e.message).toContain('token request failed: AADSTS500011');
      expect(e.hint).toContain('DATAVERSE_URL');
      expect(sb.stats().requests.data).toBe(0);
    } finally {
      await client.close();
      await sb.close();
      await other.close();
    }
  });

  it('gives up after one refresh when the service keeps answering 401', async () => {
    const sb = await startDataverseSandbox();
    const invalidated: string[] = [];
    const tokens = {
      get: async () => 'refused-token',
      invalidate: (t: string) => invalidated.push(t),
      secrets: () => [],
    };
    const stats = new StatsRecorder();
    const clock = { now: () => Date.now(), sleep: (ms: number) => delay(ms) };
    const agent = new Agent();
    const transport = new Transport({
      url: sb.url,
      tokens,
      dispatcher: agent,
      clock,
      backoff: new Backoff({ baseMs: 1, maxMs: 5 }, 1),
      pacer: new Pacer({ clock, stats, emit: () => {}, concurrencyLimit: 52, recoveryAfter: 100 }),
      stats,
      emit: () => {},
      timeoutMs: 2_000,
      maxRetries: 3,
      maxThrottleRetries: 3,
    });
    try {
      const e = (await transport
        .send({ method: 'GET', path: 'WhoAmI', kind: 'data', operation: 'WhoAmI' })
        .catch((x: unknown) => x)) as DataverseError;
      expect(e).toMatchObject({ status: 401, method: 'GET', path: 'WhoAmI' });
      expect(e.hint).toContain('application user');
      expect(e.message).not.toContain('refused-token');
      expect(invalidated).toEqual(['refused-token']);
      expect(sb.stats().unauthorized).toBe(2);
      expect(stats.tokenRefreshesForced).toBe(1);
    } finally {
      await agent.close();
      await sb.close();
    }
  });

  it('masks the secret when the authority echoes the request body in its error', async () => {
    // `~` and `+` make the form-encoded secret differ from the secret itself.
    const secret = 'Qx8~Sd+pL.0r_secret-value';
    const authority = await echoingAuthority(400, (body) =>
      JSON.stringify({
        error: `invalid_request ${body}`,
        error_description: `bad request body: ${body}\nTrace ID: 1`,
        error_codes: [900144],
      }),
    );
    const client = new DataverseClient({
      url: 'https://contoso.crm4.dynamics.com',
      tenantId: 'tenant',
      clientId: 'app',
      clientSecret: secret,
      authorityHost: authority.origin,
      timeoutMs: 5_000,
    });
    try {
      const e = (await client.whoAmI().catch((x: unknown) => x)) as DataverseError;
      // The server did receive the secret, form-encoded: the test would catch an unmasked echo.
      expect(authority.received[0]).toContain(
        `client_secret=${encodeURIComponent(secret).replace('~', '%7E')}`,
      );
      expect(e).toMatchObject({ status: 400, method: 'POST', path: '/tenant/oauth2/v2.0/token' });
      expect(e.message).toContain(
        'token request failed: bad request body: grant_type=client_credentials&client_id=app&client_secret=[redacted] (AZURE_CLIENT_SECRET)&scope=',
      );
      const everything = JSON.stringify({ message: e.message, stack: e.stack, e });
      expect(everything).not.toContain('Qx8');
      expect(everything).not.toContain('secret-value');
    } finally {
      await client.close();
      await authority.close();
    }
  });

  it('reports a token answer that is not JSON without quoting it', async () => {
    const authority = await echoingAuthority(200, (body) => `access_token=abc.def&${body}`);
    const client = new DataverseClient({
      url: 'https://contoso.crm4.dynamics.com',
      tenantId: 'tenant',
      clientId: 'app',
      clientSecret: 'the-secret-0123456789',
      authorityHost: authority.origin,
      timeoutMs: 5_000,
    });
    try {
      const e = (await client.whoAmI().catch((x: unknown) => x)) as DataverseError;
      expect(e).toMatchObject({ name: 'DataverseError', status: 200, code: 'invalid_token_response' });
      expect(e.hint).toContain('AZURE_AUTHORITY_HOST');
      expect(JSON.stringify({ message: e.message, stack: e.stack })).not.toMatch(/abc\.def|the-secret/);
    } finally {
      await client.close();
      await authority.close();
    }
  });

  it('reports a wrong secret without printing it', async () => {
    const sb = await startDataverseSandbox();
    const events: DataverseEvent[] = [];
    const secret = 'not-the-secret-0123456789';
    const client = new DataverseClient({
      ...clientOptions(sb),
      clientSecret: secret,
      onEvent: (e) => events.push(e),
    });
    try {
      const e = (await client.whoAmI().catch((x: unknown) => x)) as DataverseError;
      expect(e).toMatchObject({ status: 401, code: 'invalid_client', method: 'POST' });
      expect(e.path).toBe(`/${sb.tenantId}/oauth2/v2.0/token`);
      expect(e.message).toContain('AADSTS7000215');
      expect(e.hint).toContain('AZURE_CLIENT_SECRET');
      const everything = JSON.stringify({ message: e.message, stack: e.stack, e, events });
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(sb.clientSecret);
      expect(JSON.stringify(client)).not.toContain(secret);
      expect(inspect(client, { depth: 30, showHidden: true })).not.toContain(secret);
    } finally {
      await client.close();
      await sb.close();
    }
  });
});
