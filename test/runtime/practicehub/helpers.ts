import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type PagesOptions,
  PracticeHubClient,
  type PracticeHubClientOptions,
  type PracticeHubEvent,
  type PracticeHubRecord,
} from '../../../runtime/practicehub/index.ts';
import {
  type PracticeHubSandbox,
  type PracticeHubSandboxOptions,
  startPracticeHubSandbox,
} from '../../../sandbox/practicehub/index.ts';

/** The contact header every test client sends. */
export const APP_DETAILS = 'flitstack-tests=ops@example.com';

/** Starts a sandbox with a rate no test meets unless it is about the limit. */
export function startSandbox(options: PracticeHubSandboxOptions = {}): Promise<PracticeHubSandbox> {
  return startPracticeHubSandbox({ rate: 10_000, ...options });
}

/** A client of `sandbox` at a high rate with millisecond backoff; `events` collects what it reports. */
export function clientFor(
  sandbox: PracticeHubSandbox,
  options: Partial<PracticeHubClientOptions> = {},
  events: PracticeHubEvent[] = [],
): PracticeHubClient {
  return new PracticeHubClient({
    baseUrl: sandbox.baseUrl,
    apiKey: sandbox.apiKey,
    appDetails: APP_DETAILS,
    requestsPerSecond: 5_000,
    backoff: { baseMs: 2, maxMs: 20 },
    seed: 7,
    onEvent: (e) => events.push(e),
    ...options,
  });
}

/** Every record pages() delivers, in order. */
export async function collect(
  client: PracticeHubClient,
  resource: string,
  options: PagesOptions = {},
): Promise<PracticeHubRecord[]> {
  const out: PracticeHubRecord[] = [];
  for await (const page of client.pages(resource, options)) out.push(...page.records);
  return out;
}

/** Records without download_url, whose signature and expiry change with every listing. */
export function stable(records: Iterable<PracticeHubRecord>): Record<string, unknown>[] {
  return [...records].map(({ download_url: _link, ...rest }) => rest);
}

/** Served and throttled counts of the sandbox's only key. */
export function served(sandbox: PracticeHubSandbox): { served: number; throttled: number } {
  const entries = Object.values(sandbox.stats().requests);
  return entries[0] ?? { served: 0, throttled: 0 };
}

/** A tiny HTTP server with canned answers by path, recording the headers of every request. */
export interface CannedServer {
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  readonly port: number;
  /** Path and headers of every request, in order. */
  readonly seen: { path: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

type Routes = Record<string, [number, unknown]>;

/**
 * Starts a CannedServer: each path answers its [status, JSON body]; unknown paths 404. Routes may be
 * a function of the port, for bodies that name the server itself.
 */
export async function startCannedServer(routes: Routes | ((port: number) => Routes)): Promise<CannedServer> {
  const seen: CannedServer['seen'] = [];
  let port = 0;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    seen.push({ path, headers: req.headers });
    const table = typeof routes === 'function' ? routes(port) : routes;
    const [status, body] = table[path] ?? [404, { error: 'not_found', message: `no ${path}` }];
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    seen,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
