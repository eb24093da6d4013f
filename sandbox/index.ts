import {
  type DataverseSandbox,
  type DataverseSandboxOptions,
  type SeedUser,
  startDataverseSandbox,
} from './dataverse/index.ts';
import { dynamicsUsersFor, type PracticeHubSandbox, startPracticeHubSandbox } from './practicehub/index.ts';
import type { FaultConfig } from './shared/faults.ts';

/** Options of the pair of sandboxes: a PracticeHub account and the Dynamics organisation it moves to. */
export interface SandboxesOptions {
  readonly host?: string;
  readonly practiceHubPort?: number;
  readonly dataversePort?: number;
  readonly seed?: number;
  readonly scale?: number;
  /** PracticeHub requests per second per API key (PracticeHub's limit is 1). */
  readonly rate?: number;
  readonly projection?: boolean;
  readonly faults?: { readonly practicehub?: FaultConfig; readonly dataverse?: FaultConfig };
  readonly licence?: 'professional' | 'enterprise';
  /**
   * Enabled users the organisation has besides the clinic's staff, e.g. the spec's fallback owner; with
   * `hasRole: false`, one without a security role.
   */
  readonly extraUsers?: readonly Omit<SeedUser, 'isDisabled'>[];
  /** Anything else the Dataverse sandbox takes (limits, token lifetime, ...). */
  readonly dataverse?: Partial<DataverseSandboxOptions>;
}

/** Both sandboxes, running, and the environment a client needs to reach them. */
export interface Sandboxes {
  readonly practicehub: PracticeHubSandbox;
  readonly dataverse: DataverseSandbox;
  /** PRACTICEHUB_BASE_URL, PRACTICEHUB_API_KEY, DATAVERSE_URL, AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_AUTHORITY_HOST. */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/**
 * Starts a PracticeHub account and a Dynamics organisation on loopback (free ports unless given). The
 * organisation's users come from the same seed as the clinic's staff: most licensed practitioners have
 * an enabled user, staff who left a disabled one, administrative staff none.
 */
export async function startSandboxes(options: SandboxesOptions = {}): Promise<Sandboxes> {
  const seed = options.seed ?? 1;
  const scale = options.scale ?? 1;
  const practicehub = await startPracticeHubSandbox({
    host: options.host,
    port: options.practiceHubPort ?? 0,
    seed,
    scale,
    rate: options.rate ?? 1,
    projection: options.projection ?? false,
    faults: options.faults?.practicehub,
  });
  try {
    const staff = dynamicsUsersFor(seed, scale);
    const extra = (options.extraUsers ?? [])
      .filter((u) => !staff.some((s) => s.email.toLowerCase() === u.email.toLowerCase()))
      .map((u) => ({ ...u, isDisabled: false }));
    const dataverse = await startDataverseSandbox({
      host: options.host,
      port: options.dataversePort ?? 0,
      licence: options.licence ?? 'professional',
      users: [...staff, ...extra],
      faults: options.faults?.dataverse,
      // Dataverse has no per-table custom column limit (only the licensing guide's 15 custom tables); the
      // seed's column rule is checked by flitstack itself, so the organisation does not enforce it.
      maxCustomColumnsPerTableProfessional: null,
      ...options.dataverse,
    });
    const env = {
      PRACTICEHUB_BASE_URL: practicehub.baseUrlTemplate,
      PRACTICEHUB_API_KEY: practicehub.apiKey,
      DATAVERSE_URL: dataverse.url,
      AZURE_TENANT_ID: dataverse.tenantId,
      AZURE_CLIENT_ID: dataverse.clientId,
      AZURE_CLIENT_SECRET: dataverse.clientSecret,
      AZURE_AUTHORITY_HOST: dataverse.authorityHost,
    };
    return {
      practicehub,
      dataverse,
      env,
      close: async () => {
        await Promise.all([practicehub.close(), dataverse.close()]);
      },
    };
  } catch (error) {
    await practicehub.close();
    throw error;
  }
}
