import { randomBytes, randomUUID } from 'node:crypto';
import { type FaultConfig, NO_FAULTS } from '../shared/faults.ts';
import type { Row } from './store.ts';

/** A user seeded into `systemusers` (staff the runtime matches by email). */
export interface SeedUser {
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly isDisabled: boolean;
  /**
   * Whether the user has a security role (default true). A user without one cannot own records: the
   * owner needs read access to the table (Microsoft's data migration guidance, reference §2).
   */
  readonly hasRole?: boolean;
}

/** A publisher seeded into `publishers`; its prefix may start custom schema names (reference §5.4). */
export interface SeedPublisher {
  readonly uniqueName: string;
  readonly friendlyName: string;
  readonly prefix: string;
  readonly optionValuePrefix: number;
}

/** Service protection limits per user (reference §4.1), scaled down in tests. */
export interface Limits {
  readonly requestsPerWindow: number;
  readonly executionMsPerWindow: number;
  readonly windowSeconds: number;
  readonly concurrency: number;
}

/** Bulk requests above a number of items, answered late (see DataverseSandboxOptions.bulkSlow). */
export interface BulkSlow {
  readonly items: number;
  readonly delayMs: number;
}

/**
 * A synchronous plug-in registered on the create and update of `table`: when `refuse` returns a message
 * for the row about to be written, the write is cancelled with that message. "A thrown
 * InvalidPluginExecutionException returns to the caller with a friendly message and an IsvAborted error
 * code" (PA`best-practices/business-logic/use-invalidpluginexecutionexception-plugin-workflow-activities`);
 * the message is whatever the plug-in's author wrote, record values included.
 */
export interface SyncPlugin {
  readonly table: string;
  readonly refuse: (row: Row) => string | undefined;
  /**
   * The HTTP status of the refusal (default 400): a plug-in may give its own, such as 403 for a rule
   * about who may write the row (InvalidPluginExecutionException(String, PluginHttpStatusCode),
   * learn.microsoft.com/dotnet/api/microsoft.xrm.sdk.invalidpluginexecutionexception, and the
   * PluginHttpStatusCode enum, learn.microsoft.com/dotnet/api/microsoft.xrm.sdk.pluginhttpstatuscode).
   */
  readonly status?: number;
}

/** Options of `startDataverseSandbox`. Every field has a default. */
export interface DataverseSandboxOptions {
  readonly host?: string;
  readonly port?: number;
  readonly tenantId?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly licence?: 'professional' | 'enterprise';
  readonly users?: readonly SeedUser[];
  readonly publishers?: readonly SeedPublisher[];
  readonly limits?: Partial<Limits>;
  readonly dopHint?: number;
  readonly tokenLifetimeSeconds?: number;
  readonly keyActivationDelayMs?: number;
  /**
   * How long a Failed key that ReactivateEntityKey is sent for still reports Failed before its new index
   * job starts (Pending): the action only submits an asynchronous system job
   * (PA`webapi/reference/reactivateentitykey`); default the smaller of 500 ms and keyActivationDelayMs.
   */
  readonly keyReactivationLagMs?: number;
  readonly maxUploadFileSize?: number;
  readonly grantOverrideCreatedOn?: boolean;
  /** Per-table override of CreateMultiple/UpdateMultiple/UpsertMultiple support, by logical name. */
  readonly bulkMessages?: Readonly<Record<string, boolean>>;
  /**
   * Items a bulk request may hold before it fails with "SQL timeout expired" (0x80044151), as a request
   * too large for the time the organisation's database allows does; default null (never).
   */
  readonly bulkTimeoutItems?: number | null;
  /**
   * A bulk request of more items than `items` is done, but answered only after `delayMs`, as one the
   * organisation takes long to write; default null (answered at once).
   */
  readonly bulkSlow?: BulkSlow | null;
  readonly faults?: FaultConfig;
  readonly maxCustomTablesProfessional?: number;
  /** The seed's own rule (seed.md corrections), not a documented platform limit; null disables it. */
  readonly maxCustomColumnsPerTableProfessional?: number | null;
  /**
   * Tables (logical names) whose Read privilege the application user's security role lacks: querying
   * their rows answers 403 (reference §8). Default none.
   */
  readonly unreadableTables?: readonly string[];
  /** Synchronous plug-ins of the organisation's own business rules. Default none. */
  readonly plugins?: readonly SyncPlugin[];
}

/** Options with every default filled in. */
export interface SandboxConfig {
  readonly host: string;
  readonly port: number;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly licence: 'professional' | 'enterprise';
  readonly users: readonly SeedUser[];
  readonly publishers: readonly SeedPublisher[];
  readonly limits: Limits;
  readonly dopHint: number;
  readonly tokenLifetimeSeconds: number;
  readonly keyActivationDelayMs: number;
  readonly keyReactivationLagMs: number;
  readonly maxUploadFileSize: number;
  readonly grantOverrideCreatedOn: boolean;
  readonly bulkMessages: Readonly<Record<string, boolean>>;
  readonly bulkTimeoutItems: number | null;
  readonly bulkSlow: BulkSlow | null;
  readonly faults: FaultConfig;
  readonly maxCustomTablesProfessional: number;
  readonly maxCustomColumnsPerTableProfessional: number | null;
  readonly unreadableTables: readonly string[];
  readonly plugins: readonly SyncPlugin[];
}

/** Default limits of PA`api-limits` (reference §4.1). */
export const DEFAULT_LIMITS: Limits = {
  requestsPerWindow: 6000,
  executionMsPerWindow: 1_200_000,
  windowSeconds: 300,
  concurrency: 52,
};

/** Fills in defaults; secrets and ids default to fresh random values. */
export function resolveOptions(options: DataverseSandboxOptions = {}): SandboxConfig {
  const host = options.host ?? '127.0.0.1';
  if (!['127.0.0.1', '::1', 'localhost'].includes(host)) {
    throw new Error(`the Dataverse sandbox listens on loopback only, not on '${host}'`);
  }
  return {
    host,
    port: options.port ?? 0,
    tenantId: options.tenantId ?? randomUUID(),
    clientId: options.clientId ?? randomUUID(),
    clientSecret: options.clientSecret ?? randomBytes(24).toString('base64url'),
    licence: options.licence ?? 'professional',
    users: options.users ?? [],
    // The publisher of the shipped spec's target.publisher (prefix fs, option value prefix 10000).
    publishers: options.publishers ?? [
      { uniqueName: 'flitstack', friendlyName: 'FlitStack', prefix: 'fs', optionValuePrefix: 10000 },
    ],
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    dopHint: options.dopHint ?? 8,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
    keyActivationDelayMs: options.keyActivationDelayMs ?? 2000,
    keyReactivationLagMs: options.keyReactivationLagMs ?? Math.min(500, options.keyActivationDelayMs ?? 2000),
    maxUploadFileSize: options.maxUploadFileSize ?? 5_242_880,
    grantOverrideCreatedOn: options.grantOverrideCreatedOn ?? true,
    bulkMessages: options.bulkMessages ?? {},
    bulkTimeoutItems: options.bulkTimeoutItems ?? null,
    bulkSlow: options.bulkSlow ?? null,
    faults: options.faults ?? NO_FAULTS,
    maxCustomTablesProfessional: options.maxCustomTablesProfessional ?? 15,
    maxCustomColumnsPerTableProfessional:
      options.maxCustomColumnsPerTableProfessional === undefined
        ? 15
        : options.maxCustomColumnsPerTableProfessional,
    unreadableTables: options.unreadableTables ?? [],
    plugins: options.plugins ?? [],
  };
}
