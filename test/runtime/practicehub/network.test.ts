import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import {
  PracticeHubClient,
  type PracticeHubEvent,
  PracticeHubRequestError,
} from '../../../runtime/practicehub/index.ts';
import { closedPort, unresolvingAgent } from '../../support/net.ts';
import { APP_DETAILS } from './helpers.ts';

const KEY = 'phk_network-secret-eu';

/** A client of `baseUrl` with millisecond backoff, so that a retry would show without slowing the test. */
function client(baseUrl: string, events: PracticeHubEvent[], dispatcher?: Dispatcher): PracticeHubClient {
  return new PracticeHubClient({
    ...(dispatcher ? { dispatcher } : {}),
    baseUrl,
    apiKey: KEY,
    appDetails: APP_DETAILS,
    requestsPerSecond: 1000,
    maxRetries: 3,
    backoff: { baseMs: 1, maxMs: 2 },
    onEvent: (e) => events.push(e),
  });
}

async function failureOf(promise: Promise<unknown>): Promise<PracticeHubRequestError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PracticeHubRequestError);
  return error as PracticeHubRequestError;
}

describe('PracticeHub client: hosts out of reach', () => {
  it('fails at once on a host name that does not resolve, naming it and the request', async () => {
    const events: PracticeHubEvent[] = [];
    // The name fails as the DNS says "no such host", with or without a DNS server on this machine.
    const agent = unresolvingAgent('nosuchhost.invalid');
    const c = client('http://nosuchhost.invalid/api', events, agent);
    const error = await failureOf(c.count('patients'));
    expect(error.name).toBe('PracticeHubRequestError');
    expect(error).toMatchObject({ method: 'GET', status: null, attempts: 1 });
    expect(error.message).toMatch(
      /^GET http:\/\/nosuchhost\.invalid\/api\/patients\?\S+ failed \(no answer, 1 attempt\): the host name nosuchhost\.invalid does not resolve \(ENOTFOUND/,
    );
    expect(error.message).toContain('Check the host name in PRACTICEHUB_BASE_URL');
    expect(error.message).not.toContain('getaddrinfo');
    expect(error.message).not.toContain(KEY);
    // A name the DNS does not know stays unknown: asking again would only delay the message.
    expect(events.filter((e) => e.type === 'retry')).toEqual([]);
    expect(c.stats().outcomes.reset).toBe(1);
    await c.close();
    await agent.close();
  });

  it('fails at once on a refused connection, naming host and port and what a user can change', async () => {
    const port = await closedPort();
    const events: PracticeHubEvent[] = [];
    const c = client(`http://127.0.0.1:${port}/api`, events);
    const error = await failureOf(c.count('patients'));
    expect(error).toMatchObject({ status: null, attempts: 1 });
    expect(error.message).toContain(
      `GET http://127.0.0.1:${port}/api/patients?page=1&page_size=1&fields=id failed (no answer, 1 attempt): ` +
        `the connection to 127.0.0.1:${port} was refused (ECONNREFUSED: nothing listens there). ` +
        'Check the host and port in PRACTICEHUB_BASE_URL',
    );
    expect(error.message).toContain('that the service there is up');
    expect(error.message).not.toMatch(/kept dropping|maxRetries|timeouts|PracticeHub said/);
    expect(events.filter((e) => e.type === 'retry')).toEqual([]);
    await c.close();
  });

  it("names the download link, not PRACTICEHUB_BASE_URL, when a file's storage host refuses", async () => {
    const port = await closedPort();
    const api = createServer((_req, res) => {
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    const c = client(`http://127.0.0.1:${(api.address() as AddressInfo).port}/api`, []);
    const link = `http://localhost:${port}/storage/7?signature=s3cr3t`;
    const error = await failureOf(c.download({ id: '7', download_url: link }));
    expect(error.message).toContain(`GET http://localhost:${port}/storage/7?signature=… failed`);
    expect(error.message).toContain(`the connection to localhost:${port} was refused`);
    expect(error.message).toContain("Check the host and port in the file's download link");
    expect(error.message).not.toContain('PRACTICEHUB_BASE_URL');
    await c.close();
    await new Promise<void>((resolve) => api.close(() => resolve()));
  });

  it('retries a connection cut mid-answer, then names the host and port it kept dropping at', async () => {
    let served = 0;
    const server = createServer((_req, res) => {
      served += 1;
      // A status line and half of the promised body, then the connection is gone.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"data": [');
      setImmediate(() => res.socket?.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const at = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const events: PracticeHubEvent[] = [];
    const c = client(`http://${at}/api`, events);
    const error = await failureOf(c.count('patients'));
    expect(error).toMatchObject({ status: null, attempts: 4 });
    expect(served).toBe(4);
    expect(error.message).toContain(`the connection to ${at} kept dropping before the answer arrived whole`);
    expect(error.message).toContain('PracticeHub or the network may be down: run again later');
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(3);
    await c.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
