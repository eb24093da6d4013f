import { describe, expect, it } from 'vitest';
import { DataverseClient } from '../../../runtime/dataverse/client.ts';
import type { DataverseError } from '../../../runtime/dataverse/errors.ts';
import { startDataverseSandbox } from '../../../sandbox/dataverse/index.ts';
import { closedPort, unresolvingAgent } from '../../support/net.ts';
import { clientOptions } from './helpers.ts';

/** A host that does not exist and a port that refuses are not asked again: retries would not change the answer. */
describe('dataverse client: hosts that do not resolve or refuse', () => {
  it.each([
    [
      'an authority host that does not resolve',
      // The name fails as the DNS says "no such host", with or without a DNS server on this machine.
      async () => ({
        host: 'http://authority.flitstack.invalid',
        agent: unresolvingAgent('authority.flitstack.invalid'),
      }),
      'ENOTFOUND',
    ],
    [
      'an authority port that refuses',
      async () => ({ host: `http://127.0.0.1:${await closedPort()}`, agent: undefined }),
      'ECONNREFUSED',
    ],
  ])('fails the token request at once for %s, naming AZURE_AUTHORITY_HOST', async (_, target, code) => {
    const { host, agent } = await target();
    const client = new DataverseClient({
      url: 'https://contoso.crm4.dynamics.com',
      tenantId: 'tenant',
      clientId: 'app',
      clientSecret: 'secret',
      authorityHost: host,
      timeoutMs: 5_000,
      // Short enough that a retry would show in the count rather than as a test timeout.
      backoff: { baseMs: 1, maxMs: 2 },
      ...(agent ? { dispatcher: agent } : {}),
    });
    try {
      const e = (await client.whoAmI().catch((x: unknown) => x)) as DataverseError;
      expect(e).toMatchObject({ status: 0, code: 'network', method: 'POST' });
      expect(e.message).toContain(code);
      expect(e.hint).toContain('AZURE_AUTHORITY_HOST');
      const at = new URL(host);
      expect(e.hint).toContain(code === 'ENOTFOUND' ? at.hostname : at.host);
      // A stopped sandbox refuses: the advice says so, as PracticeHub's does.
      if (code === 'ECONNREFUSED') expect(e.hint).toContain('for the sandbox, that `flitstack sandbox` runs');
      expect(client.stats().requests.token).toBe(1);
    } finally {
      await client.close();
      await agent?.close();
    }
  });

  it('says that the default authority does not resolve when AZURE_AUTHORITY_HOST is unset', async () => {
    const agent = unresolvingAgent('login.microsoftonline.com');
    const client = new DataverseClient({
      url: 'https://contoso.crm4.dynamics.com',
      tenantId: 'tenant',
      clientId: 'app',
      clientSecret: 'secret',
      timeoutMs: 5_000,
      backoff: { baseMs: 1, maxMs: 2 },
      dispatcher: agent,
    });
    try {
      const e = (await client.whoAmI().catch((x: unknown) => x)) as DataverseError;
      expect(e).toMatchObject({ status: 0, code: 'network', method: 'POST' });
      expect(e.hint).toBe(
        "the host name login.microsoftonline.com does not resolve: check this machine's network (DNS, VPN, proxy), " +
          'and AZURE_AUTHORITY_HOST (unset: https://login.microsoftonline.com, the Entra ID authority), then run again',
      );
    } finally {
      await client.close();
      await agent.close();
    }
  });

  it('fails a data request at once when the organisation refuses the connection, naming DATAVERSE_URL', async () => {
    const sb = await startDataverseSandbox({ keyActivationDelayMs: 0 });
    const client = new DataverseClient(clientOptions(sb));
    try {
      await client.whoAmI();
      await sb.close();
      const before = client.stats().requests.data;
      const e = (await client.whoAmI().catch((x: unknown) => x)) as DataverseError;
      expect(e).toMatchObject({ status: 0, code: 'network', method: 'GET', path: 'WhoAmI' });
      expect(e.message).toContain('ECONNREFUSED');
      expect(e.hint).toContain('check DATAVERSE_URL');
      expect(e.hint).toContain('for the sandbox, that `flitstack sandbox` runs');
      // The first attempt may meet the kept-alive socket the server closed (a reset, retried once);
      // the refusal that follows ends it, where a retried refusal would take every retry.
      expect(client.stats().requests.data - before).toBeLessThanOrEqual(2);
    } finally {
      await client.close();
    }
  });
});
