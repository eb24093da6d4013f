import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { bufferIo } from '../../cli/io.ts';
import { run } from '../../cli/main.ts';
import { ROOT } from '../support/tmp.ts';

/** Runs the CLI in this process, in the project root, with exactly `env`. */
async function cli(env: NodeJS.ProcessEnv, ...args: string[]) {
  const io = bufferIo(ROOT, env);
  const code = await run(['node', 'flitstack', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

const SECRET = 'Qx8~Sd+pL.0r_secret-value';
const DATAVERSE = {
  DATAVERSE_URL: 'https://contoso.crm4.dynamics.com',
  AZURE_TENANT_ID: 'tenant',
  AZURE_CLIENT_ID: 'app',
  AZURE_CLIENT_SECRET: SECRET,
};

describe('flitstack with a wrong Dataverse environment', () => {
  it('never prints the client secret an authority echoes back, and exits 2', async () => {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      req.on('end', () => {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'invalid_request', error_description: `bad request body: ${body}` }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const authority = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const result = await cli({ ...DATAVERSE, AZURE_AUTHORITY_HOST: authority }, 'schema', 'verify');
      expect(result.code).toBe(2);
      expect(result.err).toContain(
        'error: token request failed: bad request body: grant_type=client_credentials',
      );
      expect(result.err).toContain('client_secret=[redacted]');
      expect(result.err + result.out).not.toContain('Qx8');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it.each([
    [
      'DATAVERSE_URL',
      { DATAVERSE_URL: 'not-a-url' },
      '"not-…" (9 characters); set it to the environment URL https://<org>.crm<n>.dynamics.com',
    ],
    [
      'AZURE_AUTHORITY_HOST',
      { AZURE_AUTHORITY_HOST: 'nope' },
      '"no…" (4 characters); set it to the Entra ID authority https://login.microsoftonline.com',
    ],
  ])(
    'names %s, the start of what it holds and the expected form when it is not a URL, and exits 2',
    async (name, env, expected) => {
      const result = await cli({ ...DATAVERSE, ...env }, 'schema', 'verify');
      expect(result.code).toBe(2);
      expect(result.err).toContain(`error: ${name} is not an http(s) URL: it holds ${expected}`);
      expect(result.err).not.toContain('    at ');
      expect(result.err).not.toContain(SECRET);
    },
  );

  it('refuses a plain http authority off this machine, naming why, and exits 2', async () => {
    const result = await cli(
      { ...DATAVERSE, AZURE_AUTHORITY_HOST: 'http://login.microsoftonline.com' },
      'schema',
      'verify',
    );
    expect(result.code).toBe(2);
    expect(result.err).toContain(
      'error: AZURE_AUTHORITY_HOST is a plain http URL of login.microsoftonline.com: the token request would ' +
        'carry AZURE_CLIENT_SECRET across the network in clear text; set it to the Entra ID authority https://login.microsoftonline.com',
    );
    expect(result.err).not.toContain('    at ');
    expect(result.err + result.out).not.toContain(SECRET);
  });
});

describe('flitstack with a misspelt environment variable', () => {
  const PRACTICEHUB = {
    PRACTICEHUB_API_KEY: `phk_${'0'.repeat(40)}-eu`,
    PRACTICEHUB_BASE_URL: 'http://127.0.0.1:9',
  };
  it.each([
    [
      'a Dataverse variable',
      ['schema', 'verify'],
      { ...PRACTICEHUB, ...DATAVERSE, DATAVERSE_URL: undefined, DATAVERSE_URI: DATAVERSE.DATAVERSE_URL },
      'error: set DATAVERSE_URL to reach Dataverse; DATAVERSE_URI is set: rename it DATAVERSE_URL (see `flitstack sandbox` for a local organisation)\n',
    ],
    [
      'two Dataverse variables, one in lower case',
      ['run', '--journal', '/nonexistent/j.db'],
      {
        ...PRACTICEHUB,
        ...DATAVERSE,
        AZURE_CLIENT_SECRET: undefined,
        AZURE_TENANT_ID: undefined,
        azure_tenant_id: 'tenant',
        AZURE_CLIENTSECRET: SECRET,
      },
      'error: set AZURE_TENANT_ID, AZURE_CLIENT_SECRET to reach Dataverse; azure_tenant_id is set: rename it AZURE_TENANT_ID; AZURE_CLIENTSECRET is set: rename it AZURE_CLIENT_SECRET (see `flitstack sandbox` for a local organisation)\n',
    ],
    [
      'the PracticeHub key, for a run',
      ['run', '--journal', '/nonexistent/j.db'],
      {
        ...DATAVERSE,
        PRACTICEHUB_BASE_URL: 'http://127.0.0.1:9',
        PRACTICE_HUB_API_KEY: PRACTICEHUB.PRACTICEHUB_API_KEY,
      },
      'error: set PRACTICEHUB_API_KEY to reach PracticeHub; PRACTICE_HUB_API_KEY is set: rename it PRACTICEHUB_API_KEY (see `flitstack sandbox` for a local account)\n',
    ],
    [
      'the PracticeHub key, for an audit',
      ['audit'],
      { PRACTICEHUB_BASE_URL: 'http://127.0.0.1:9', PRACTICEHUB_APIKEY: PRACTICEHUB.PRACTICEHUB_API_KEY },
      'error: set PRACTICEHUB_API_KEY; PRACTICEHUB_APIKEY is set: rename it PRACTICEHUB_API_KEY (see flitstack audit --help)\n',
    ],
  ])('names %s that is set under a near name, and exits 2', async (_, args, env, message) => {
    // Unrelated variables of this machine are never offered as the misspelling.
    const result = await cli({ ...env, DATABASE_URL: 'postgres://localhost/x' }, ...args);
    expect(result.err).toBe(message);
    expect(result.code).toBe(2);
    expect(result.err).not.toContain(SECRET);
  });
});

describe('flitstack with a variable whose name holds a missing one and more', () => {
  it.each([
    [
      "a secret's id for the secret",
      { ...DATAVERSE, AZURE_CLIENT_SECRET: undefined, AZURE_CLIENT_SECRET_ID: 'id-of-the-secret' },
      'error: set AZURE_CLIENT_SECRET to reach Dataverse (see `flitstack sandbox` for a local organisation)\n',
    ],
    [
      "another organisation's or tenant's variable, in any case and spacing, for the variable",
      {
        ...DATAVERSE,
        DATAVERSE_URL: undefined,
        AZURE_TENANT_ID: undefined,
        DATAVERSE_URL_V2: 'https://fabrikam.crm4.dynamics.com',
        azure_tenantid_b2c: 'b2c-tenant',
      },
      'error: set DATAVERSE_URL, AZURE_TENANT_ID to reach Dataverse (see `flitstack sandbox` for a local organisation)\n',
    ],
    [
      'such a name while a misspelling of the variable is set too',
      {
        ...DATAVERSE,
        AZURE_CLIENT_SECRET: undefined,
        AZURE_CLIENT_SECRET_ID: 'id',
        AZURE_CLIENTSECRET: SECRET,
      },
      'error: set AZURE_CLIENT_SECRET to reach Dataverse; AZURE_CLIENTSECRET is set: rename it AZURE_CLIENT_SECRET (see `flitstack sandbox` for a local organisation)\n',
    ],
  ])('does not offer %s as a misspelling, and exits 2', async (_, env, message) => {
    const result = await cli(env, 'schema', 'verify');
    expect(result.err).toBe(message);
    expect(result.code).toBe(2);
    expect(result.err).not.toContain(SECRET);
  });
});
