import {
  type PracticeHubSandbox,
  type PracticeHubSandboxOptions,
  startPracticeHubSandbox,
} from '../../../sandbox/practicehub/index.ts';

/** The headers every PracticeHub request carries (reference practicehub.md, Documented: auth headers). */
export function authHeaders(sandbox: PracticeHubSandbox): Record<string, string> {
  return { 'x-practicehub-key': sandbox.apiKey, 'x-app-details': 'flitstack-tests=ops@example.com' };
}

/** A list response as documented: `{ total_entries, data, links: { previous, self, next } }`. */
export interface ListBody {
  total_entries: number;
  data: Record<string, unknown>[];
  links: { previous: string | null; self: string; next: string | null };
}

/** GET a path under the sandbox's base URL (or an absolute URL) with the account's headers. */
export async function get(
  sandbox: PracticeHubSandbox,
  pathOrUrl: string,
  headers: Record<string, string> = authHeaders(sandbox),
): Promise<Response> {
  const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${sandbox.baseUrl}${pathOrUrl}`;
  return fetch(url, { headers });
}

/** GET a list and parse it; fails the test on a non-200. */
export async function list(sandbox: PracticeHubSandbox, pathOrUrl: string): Promise<ListBody> {
  const res = await get(sandbox, pathOrUrl);
  if (res.status !== 200) throw new Error(`GET ${pathOrUrl} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as ListBody;
}

/** A clock tests move by hand, so windows and expiries need no real waiting. */
export class FakeClock {
  constructor(public ms = Date.parse('2026-07-01T12:00:00.250Z')) {}
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** Starts a sandbox with a high rate (tests that are not about the limit should never meet it). */
export function start(options: PracticeHubSandboxOptions = {}): Promise<PracticeHubSandbox> {
  return startPracticeHubSandbox({ rate: 10_000, ...options });
}
