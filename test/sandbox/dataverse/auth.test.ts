import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DataverseSandbox, startDataverseSandbox } from '../../../sandbox/dataverse/index.ts';
import { fetchToken } from './helpers.ts';

/** Token endpoint and bearer checks: reference §7 (client credentials) and Entra's error JSON. */
describe('dataverse sandbox: authentication', () => {
  let sb: DataverseSandbox;
  beforeAll(async () => {
    sb = await startDataverseSandbox({ tokenLifetimeSeconds: 1 });
  });
  afterAll(() => sb.close());

  const token = (form: Record<string, string>, tenant = sb.tenantId) =>
    fetch(`${sb.authorityHost}/${tenant}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
  const good = () => ({
    grant_type: 'client_credentials',
    client_id: sb.clientId,
    client_secret: sb.clientSecret,
    scope: sb.scope,
  });

  it('issues an opaque bearer token with expires_in (v2-oauth2-client-creds-grant-flow)', async () => {
    const res = await token(good());
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(200);
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(1);
    expect(typeof body.access_token).toBe('string');
    expect((body.access_token as string).length).toBeGreaterThan(40);
    expect(body).not.toHaveProperty('refresh_token');
  });

  it.each([
    ['wrong secret', { client_secret: 'nope' }, 401, 'invalid_client', 7000215],
    ['missing secret', { client_secret: '' }, 401, 'invalid_client', 7000218],
    [
      'unknown client',
      { client_id: '11111111-1111-1111-1111-111111111111' },
      400,
      'unauthorized_client',
      700016,
    ],
    [
      'scope without /.default',
      { scope: 'https://x.crm.dynamics.com/user_impersonation' },
      400,
      'invalid_scope',
      1002012,
    ],
    [
      'scope of another resource',
      { scope: 'https://other.crm.dynamics.com/.default' },
      400,
      'invalid_resource',
      500011,
    ],
    ['another grant type', { grant_type: 'password' }, 400, 'unsupported_grant_type', 70003],
  ])('answers Entra error JSON for %s', async (_name, change, status, error, code) => {
    const form = { ...good(), ...change };
    const res = await token(Object.fromEntries(Object.entries(form).filter(([, v]) => v !== '')));
    const body = (await res.json()) as { error: string; error_description: string; error_codes: number[] };
    expect(res.status).toBe(status);
    expect(body.error).toBe(error);
    expect(body.error_codes).toEqual([code]);
    expect(body.error_description).toMatch(new RegExp(`^AADSTS${code}: `));
    expect(body.error_description).toContain('Trace ID: ');
  });

  it('rejects an unknown tenant with AADSTS90002', async () => {
    const res = await token(good(), 'not-a-tenant');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error_codes: number[] }).error_codes).toEqual([90002]);
  });

  it('answers 401 with a Bearer challenge without a token, with a bad one, and after expiry', async () => {
    const noToken = await fetch(`${sb.apiUrl}WhoAmI`);
    expect(noToken.status).toBe(401);
    expect(noToken.headers.get('WWW-Authenticate')).toBe(
      `Bearer authorization_uri=${sb.authorityHost}/${sb.tenantId}/oauth2/authorize, resource_id=${sb.url}/`,
    );
    const bad = await fetch(`${sb.apiUrl}WhoAmI`, { headers: { Authorization: 'Bearer forged' } });
    expect(bad.status).toBe(401);
    const t = await fetchToken(sb);
    const ok = await fetch(`${sb.apiUrl}WhoAmI`, { headers: { Authorization: `Bearer ${t}` } });
    expect(ok.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    const expired = await fetch(`${sb.apiUrl}WhoAmI`, { headers: { Authorization: `Bearer ${t}` } });
    expect(expired.status).toBe(401);
  });

  it('binds the token to the seeded application user (WhoAmI UserId has applicationid = client id)', async () => {
    const t = await fetchToken(sb);
    const who = (await (
      await fetch(`${sb.apiUrl}WhoAmI`, { headers: { Authorization: `Bearer ${t}` } })
    ).json()) as {
      UserId: string;
    };
    const user = await fetch(`${sb.apiUrl}systemusers(${who.UserId})?$select=applicationid,accessmode`, {
      headers: { Authorization: `Bearer ${t}` },
    });
    const body = (await user.json()) as { applicationid: string; accessmode: number };
    expect(body.applicationid).toBe(sb.clientId);
    expect(body.accessmode).toBe(4);
  });
});
