import type { PartFault } from '../shared/faults.ts';
import type { SandboxConfig } from './options.ts';
import type { SandboxState } from './state.ts';
import type { Ref } from './store.ts';

/** Counters the inspection endpoint reports, kept per server. */
export interface Counters {
  requests: Record<RequestKind, number>;
  throttled: number;
  faultsInjected: number;
  unauthorized: number;
  recordsCreated: number;
  recordsUpdated: number;
  recordsDeleted: number;
}

/** What a request is, for the stats. */
export type RequestKind = 'token' | 'data' | 'bulk' | 'batch' | 'metadata' | 'inspect';

/** Fresh, zeroed counters. */
export function newCounters(): Counters {
  return {
    requests: { token: 0, data: 0, bulk: 0, batch: 0, metadata: 0, inspect: 0 },
    throttled: 0,
    faultsInjected: 0,
    unauthorized: 0,
    recordsCreated: 0,
    recordsUpdated: 0,
    recordsDeleted: 0,
  };
}

/** Everything a handler needs for one request: read-only, passed down explicitly. */
export interface Ctx {
  readonly config: SandboxConfig;
  readonly state: SandboxState;
  readonly counters: Counters;
  /** `http://127.0.0.1:PORT/api/data/v9.2/` */
  readonly apiUrl: string;
  /** The caller (the application user behind the bearer token), shared by every row it writes. */
  readonly caller: Ref;
  /** `$n` → resource path of the record created by the change-set part with Content-ID n. */
  readonly contentIds?: ReadonlyMap<string, string>;
  readonly now: () => number;
  /** The injected failure of the next write part of a `$batch`, if any (fault `part=p`). */
  readonly partFault?: () => PartFault | null;
}

/** The write counters, saved before a change set or bulk request so a rollback can restore them. */
export type WriteCounts = Pick<Counters, 'recordsCreated' | 'recordsUpdated' | 'recordsDeleted'>;

/** Copies the write counters. */
export function saveWrites(c: Counters): WriteCounts {
  return {
    recordsCreated: c.recordsCreated,
    recordsUpdated: c.recordsUpdated,
    recordsDeleted: c.recordsDeleted,
  };
}

/** Restores write counters saved with `saveWrites`. */
export function restoreWrites(c: Counters, saved: WriteCounts): void {
  Object.assign(c, saved);
}
