import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandboxes } from '../../sandbox/index.ts';
import { flitstack, flitstackWith, journalPath, sandboxes } from '../support/migration.ts';
import { closedPort } from '../support/net.ts';

describe('flitstack run with PracticeHub out of reach', () => {
  let sb: Sandboxes;
  beforeAll(async () => {
    sb = await sandboxes();
    expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
  }, 60_000);
  afterAll(() => sb?.close());

  /** `flitstack run` with PRACTICEHUB_BASE_URL replaced. */
  function runAt(baseUrl: string) {
    return flitstackWith(sb, { PRACTICEHUB_BASE_URL: baseUrl }, 'run', '--journal', journalPath());
  }

  // A host name that does not resolve is covered by the client tests (test/runtime/practicehub/
  // network.test.ts), which make it fail without asking a DNS server; the CLI builds its own clients.
  it('says a connection was refused at host:port, with advice a user can follow, and exits 2', async () => {
    const port = await closedPort();
    const result = await runAt(`http://127.0.0.1:${port}/{region}/api`);
    expect(result.code).toBe(2);
    expect(result.err).toContain(`the connection to 127.0.0.1:${port} was refused (ECONNREFUSED`);
    expect(result.err).toContain('Check the host and port in PRACTICEHUB_BASE_URL');
    expect(result.err).not.toMatch(/kept dropping|maxRetries|requestsPerSecond|timeouts/);
    expect(result.err).not.toContain(sb.env.PRACTICEHUB_API_KEY!);
  });
});

describe('flitstack with the environment of a sandbox that stopped', () => {
  it('says that nothing listens where the environment points, that the sandbox may have stopped, and exits 2', async () => {
    const sb = await sandboxes();
    await sb.close();
    const at = new URL(sb.env.AZURE_AUTHORITY_HOST!).host;
    for (const args of [
      ['schema', 'verify'],
      ['run', '--journal', journalPath()],
    ]) {
      const result = await flitstack(sb, ...args);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.err).toContain(`nothing listens at ${at}`);
      expect(result.err).toContain('for the sandbox, that `flitstack sandbox` runs');
      expect(result.err).not.toContain(sb.env.AZURE_CLIENT_SECRET!);
    }
  });
});
