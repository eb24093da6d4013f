import type { PhRecord, ResourceName } from './data/context.ts';
import { RESOURCE_NAMES } from './data/context.ts';
import type { Region } from './keys.ts';
import type { Mutation } from './mutations.ts';
import { type PracticeHubSandboxOptions, resolveOptions } from './options.ts';
import { present } from './routes.ts';
import { PracticeHubServer } from './server.ts';
import type { PracticeHubStats } from './stats.ts';

export type { Json, PhRecord, ResourceName } from './data/context.ts';
export { REFERENCE_MS, RESOURCE_NAMES } from './data/context.ts';
export { MESS } from './data/mess.ts';
export { type DynamicsUserSeed, dynamicsUsersFor } from './data/users.ts';
export type { Region } from './keys.ts';
export type { Mutation } from './mutations.ts';
export { MutationError } from './mutations.ts';
export type { PracticeHubSandboxOptions } from './options.ts';
export type { PracticeHubStats } from './stats.ts';

/** A running PracticeHub sandbox. */
export interface PracticeHubSandbox {
  /** The account's API base URL, e.g. `http://127.0.0.1:PORT/eu/api`. */
  readonly baseUrl: string;
  /** Base URL with a `{region}` placeholder: `http://127.0.0.1:PORT/{region}/api`. */
  readonly baseUrlTemplate: string;
  /** The account's API key (ends with `-<region>`). */
  readonly apiKey: string;
  readonly region: Region;
  readonly port: number;
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
  /** Changes data now; returns the affected ids (see Mutation). */
  mutate(mutation: Mutation): string[];
  /** Current records of a resource in id order, deleted ones excluded (files with fresh download links). */
  records(resource: ResourceName): Generator<PhRecord>;
  /** One record by id as it is now (a deleted one carries deleted_at), or undefined for an unknown id. */
  get(resource: ResourceName, id: string): PhRecord | undefined;
  /** Requests, 429s, faults and bytes served so far. */
  stats(): PracticeHubStats;
  /** Current (non-deleted) record count of every resource. */
  counts(): Record<ResourceName, number>;
}

/** Starts the PracticeHub API sandbox on loopback (port 0 by default) and resolves once it listens. */
export async function startPracticeHubSandbox(
  options: PracticeHubSandboxOptions = {},
): Promise<PracticeHubSandbox> {
  const resolved = resolveOptions(options);
  const server = new PracticeHubServer(resolved);
  const port = await server.listen();
  const { apiKey, region } = resolved;
  const { store } = server;
  const show = (resource: ResourceName, record: PhRecord): PhRecord =>
    present(server.api, region, resource, record, apiKey);
  return {
    baseUrl: server.baseUrl(region),
    baseUrlTemplate: `${server.baseOrigin}/{region}/api`,
    apiKey,
    region,
    port,
    close: () => server.close(),
    mutate: (mutation) => server.mutate(mutation),
    *records(resource) {
      for (const record of store.records(resource)) yield show(resource, record);
    },
    get(resource, id) {
      const n = store.indexOfId(resource, id);
      return n === undefined ? undefined : show(resource, store.recordAt(resource, n));
    },
    stats: () => server.stats.snapshot(),
    counts: () =>
      Object.fromEntries(RESOURCE_NAMES.map((r) => [r, store.count(r)])) as Record<ResourceName, number>,
  };
}
