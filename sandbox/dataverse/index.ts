import type { Snapshot, Stats, Tamper } from './inspect.ts';
import { type DataverseSandboxOptions, resolveOptions } from './options.ts';
import { DataverseServer } from './server.ts';
import type { SeedIds } from './state.ts';

export type { Snapshot, SnapshotValue, Stats, Tamper } from './inspect.ts';
export type { DataverseSandboxOptions, Limits, SeedPublisher, SeedUser } from './options.ts';
export type { SeedIds } from './state.ts';

/** A running Dataverse sandbox and the settings a client needs to reach it. */
export interface DataverseSandbox {
  /** DATAVERSE_URL, e.g. `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** `${url}/api/data/v9.2/` */
  readonly apiUrl: string;
  /** AZURE_AUTHORITY_HOST: the token endpoint's host (this same server). */
  readonly authorityHost: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** `${url}/.default`, the client-credentials scope. */
  readonly scope: string;
  readonly port: number;
  /** Ids of the seeded application user, business unit, team and currency. */
  readonly ids: () => SeedIds;
  close(): Promise<void>;
  snapshot(tables?: readonly string[]): Snapshot;
  stats(): Stats;
  reset(): void;
  tamper(change: Tamper): void;
}

/** Starts a Dataverse Web API sandbox on loopback (port 0 picks a free port). */
export async function startDataverseSandbox(
  options: DataverseSandboxOptions = {},
): Promise<DataverseSandbox> {
  const config = resolveOptions(options);
  const server = new DataverseServer(config);
  const url = await server.listen();
  return {
    url,
    apiUrl: `${url}/api/data/v9.2/`,
    authorityHost: url,
    tenantId: config.tenantId,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    scope: `${url}/.default`,
    port: Number(new URL(url).port),
    ids: () => server.seedIds(),
    close: () => server.close(),
    snapshot: (tables) => server.snapshot(tables),
    stats: () => server.stats(),
    reset: () => server.reset(),
    tamper: (change) => server.tamper(change),
  };
}
