import { type FaultConfig, NO_FAULTS } from '../shared/faults.ts';
import { isRegion, newApiKey, type Region, regionOfKey } from './keys.ts';

/** Options of startPracticeHubSandbox. */
export interface PracticeHubSandboxOptions {
  /** Loopback address to listen on (default 127.0.0.1). */
  readonly host?: string;
  /** Port (default 0: any free port). */
  readonly port?: number;
  /** Data seed (default 1). */
  readonly seed?: number;
  /** Data scale (default 1 ≈ one clinic group: 4 clinics, 2,000 patients, 10,000 appointments). */
  readonly scale?: number;
  /** Requests per second per API key (default 1, the seed's stated limit). */
  readonly rate?: number;
  /** Serve the `fields=` projection extension (default false: `fields` is ignored like any unknown parameter). */
  readonly projection?: boolean;
  /** Faults to inject (default none). */
  readonly faults?: FaultConfig;
  /** Lifetime of file download links in seconds (default 300). */
  readonly fileLinkTtlSeconds?: number;
  /** Account name, used in messages (default 'demo'). */
  readonly account?: string;
  /** The account's region (default 'eu'). */
  readonly region?: Region;
  /** The account's API key; must end with -<region>. Default: a fresh random key. */
  readonly apiKey?: string;
  /** Clock in epoch ms for rate windows, link expiry and mutation timestamps (default Date.now); tests pass a fake one. */
  readonly clock?: () => number;
}

/** Options with every default applied and checked. */
export type ResolvedOptions = Required<PracticeHubSandboxOptions>;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Applies defaults and rejects options the sandbox cannot honour (non-loopback hosts, mismatched keys). */
export function resolveOptions(options: PracticeHubSandboxOptions = {}): ResolvedOptions {
  const region = options.region ?? 'eu';
  if (!isRegion(region)) throw new Error(`region must be eu, us or au, got '${String(region)}'`);
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new Error(`the sandbox listens on loopback only, got host '${host}'`);
  const apiKey = options.apiKey ?? newApiKey(region);
  if (regionOfKey(apiKey) !== region) {
    throw new Error(`apiKey must end with -${region} (the key's suffix names its region)`);
  }
  return {
    host,
    port: options.port ?? 0,
    seed: options.seed ?? 1,
    scale: options.scale ?? 1,
    rate: options.rate ?? 1,
    projection: options.projection ?? false,
    faults: options.faults ?? NO_FAULTS,
    fileLinkTtlSeconds: options.fileLinkTtlSeconds ?? 300,
    account: options.account ?? 'demo',
    region,
    apiKey,
    clock: options.clock ?? Date.now,
  };
}
