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
