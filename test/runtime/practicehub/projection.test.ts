import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PracticeHubClient,
  PracticeHubError,
  type PracticeHubEvent,
  PracticeHubRequestError,
} from '../../../runtime/practicehub/index.ts';
import type { PracticeHubSandbox } from '../../../sandbox/practicehub/index.ts';
import {
  APP_DETAILS,
  type CannedServer,
  clientFor,
  collect,
  startCannedServer,
  startSandbox,
} from './helpers.ts';

const FIELDS = ['first_name', 'last_name', 'email'];

// reference practicehub.md: "no field projection is documented"; sandbox model "Projection": fields= is an
// extension, off unless the sandbox is started with it; the runtime must work without it.
describe('PracticeHub client: projection', () => {
  let on: PracticeHubSandbox;
  let off: PracticeHubSandbox;
  beforeAll(async () => {
    [on, off] = await Promise.all([startSandbox({ seed: 9, projection: true }), startSandbox({ seed: 9 })]);
  });
  afterAll(async () => {
    await Promise.all([on.close(), off.close()]);
  });

  it('sends fields= without a probe and cuts records here too: same records with and without projection', async () => {
    const eventsOn: PracticeHubEvent[] = [];
    const eventsOff: PracticeHubEvent[] = [];
    const projected = clientFor(on, {}, eventsOn);
    const whole = clientFor(off, {}, eventsOff);
    const a = await collect(projected, 'patients', { fields: FIELDS });
    const b = await collect(whole, 'patients', { fields: FIELDS });
    expect(a).toHaveLength(2000);
    expect(a).toEqual(b);
    expect(Object.keys(a[0]!).sort()).toEqual([
      'deleted_at',
      'email',
      'first_name',
      'id',
      'last_name',
      'updated_at',
    ]);
    const pageUrls = (events: PracticeHubEvent[]) =>
      events.flatMap((e) => (e.type === 'request' && !e.probe ? [new URL(e.url)] : []));
    expect(
      pageUrls(eventsOn).every(
        (u) => u.searchParams.get('fields') === 'id,updated_at,deleted_at,first_name,last_name,email',
      ),
    ).toBe(true);
    expect(pageUrls(eventsOff).every((u) => u.searchParams.has('fields'))).toBe(true);
    // No probe: the minimum number of requests, 20 pages of 100.
    expect(projected.stats().probes).toBe(0);
    expect(whole.stats().probes).toBe(0);
    expect(projected.stats().requests).toBe(20);
    expect(whole.stats().requests).toBe(20);
    expect(projected.stats().bytesReceived * 3).toBeLessThan(whole.stats().bytesReceived);
    await Promise.all([projected.close(), whole.close()]);
  });

  it('sends no fields= when no fields are asked for', async () => {
    const events: PracticeHubEvent[] = [];
    const client = clientFor(on, {}, events);
    const records = await collect(client, 'clinics');
    expect(Object.keys(records[0]!)).toContain('name');
    expect(events.some((e) => e.type === 'request' && new URL(e.url).searchParams.has('fields'))).toBe(false);
    await client.close();
  });
});

describe('PracticeHub client: answers the sandbox never gives', () => {
  let base: string;
  let canned: CannedServer;
  beforeAll(async () => {
    canned = await startCannedServer({
      '/api/empty': [200, { total_entries: 0, data: [], links: { previous: null, self: '', next: null } }],
      '/api/numeric': [200, { total_entries: 1, data: [{ id: 42, name: 'x' }], links: {} }],
      '/api/huge': [200, { total_entries: 1, data: [{ id: 2 ** 60 }], links: {} }],
      '/api/html': [200, '<html>login</html>'],
      '/api/bad': [400, { error: 'invalid_query', message: "filter 'updated': bad value" }],
      // Fields named as members every object has, which the source model's names allow; JSON.parse
      // makes `__proto__` an own field like any other.
      '/api/members': [
        200,
        {
          total_entries: 1,
          data: [JSON.parse('{"id":"7","__proto__":"p","constructor":"c","x":1}')],
          links: {},
        },
      ],
    });
    base = `${canned.origin}/api`;
  });
  afterAll(() => canned.close());

  const client = () =>
    new PracticeHubClient({
      baseUrl: base,
      apiKey: 'phk_x-eu',
      appDetails: APP_DETAILS,
      requestsPerSecond: 1000,
    });

  it('pages an empty resource in one request', async () => {
    const c = client();
    const pages = [];
    for await (const page of c.pages('empty')) pages.push(page);
    expect(pages).toEqual([{ page: 1, totalEntries: 0, records: [], hasNext: false, clientFiltered: false }]);
    await c.close();
  });

  it('turns safe numeric ids into strings and refuses ids JSON numbers cannot hold', async () => {
    const c = client();
    expect(await collect(c, 'numeric')).toEqual([{ id: '42', name: 'x' }]);
    await expect(collect(c, 'huge')).rejects.toThrow(/numeric id beyond 2\^53/);
    await expect(collect(c, 'html')).rejects.toThrow(PracticeHubError);
    await expect(collect(c, 'html')).rejects.toThrow(/without the documented list shape/);
    await c.close();
  });

  it('keeps asked fields named __proto__ or constructor when it cuts records itself', async () => {
    const c = client();
    const [record] = await collect(c, 'members', { fields: ['__proto__', 'constructor'] });
    expect(Object.entries(record!)).toEqual([
      ['id', '7'],
      ['__proto__', 'p'],
      ['constructor', 'c'],
    ]);
    await c.close();
  });

  it('fails a 400 at once with the server text', async () => {
    const c = client();
    const error = (await c.count('bad').catch((e: unknown) => e)) as PracticeHubRequestError;
    expect(error).toBeInstanceOf(PracticeHubRequestError);
    expect(error.status).toBe(400);
    expect(error.message).toContain(
      'failed (HTTP 400, 1 attempt): PracticeHub refused the request as malformed',
    );
    expect(error.message).toContain(`PracticeHub said: "filter 'updated': bad value"`);
    expect(c.stats().requests).toBe(1);
    await c.close();
  });
});

// A URL that reaches the web app or a proxy instead of the API (reference practicehub.md, Documented: base
// URL ends in /api) answers a whole page of HTML: no retry can turn it into JSON.
describe('PracticeHub client: a 200 that is not JSON', () => {
  let server: Server;
  let origin: string;
  let hits = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits += 1;
      if (req.url?.startsWith('/plain/')) {
        // A record sent with another type: its text is patient data, never quoted.
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('{"data":[{"id":"1","first_name":"Ngaio","last_name":"Turner"}]');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html><body>Sign in to PracticeHub</body></html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  });

  /** A client whose base URL is a path of the server above. */
  const clientAt = (path: string) =>
    new PracticeHubClient({
      baseUrl: `${origin}/${path}`,
      apiKey: 'phk_x-eu',
      appDetails: APP_DETAILS,
      requestsPerSecond: 1000,
      backoff: { baseMs: 1, maxMs: 2 },
    });

  it('fails at once, naming the content type and the base URL to check', async () => {
    const c = clientAt('app');
    const error = (await collect(c, 'patients').catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(PracticeHubError);
    expect(error.message).toContain(
      `GET ${origin}/app/patients?page=1&page_size=100 answered 200 with text/html`,
    );
    expect(error.message).toContain('PRACTICEHUB_BASE_URL');
    expect(error.message).toContain('Sign in to PracticeHub');
    expect(hits).toBe(1);
    expect(c.stats().requests).toBe(1);
    await c.close();
  });

  it('names the size, not the text, of a body that is not markup', async () => {
    const c = clientAt('plain');
    const error = (await collect(c, 'patients').catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(PracticeHubError);
    expect(error.message).toContain('answered 200 with text/plain, not JSON (62 bytes)');
    expect(error.message).not.toContain('Ngaio');
    await c.close();
  });
});
