import type { Rng } from '../shared/rng.ts';
import type { Json, PhRecord, ResourceName } from './data/context.ts';
import { isResourceName, RESOURCES } from './data/registry.ts';
import { isoSeconds } from './data/time.ts';
import type { DataStore } from './store.ts';

/**
 * A change to the data after start (delta runs need data that moves): `mutate()` and POST
 * /_sandbox/mutations. `restore` brings deleted records back (an archived patient unarchived), by id.
 */
export interface Mutation {
  readonly resource: string;
  readonly action: 'update' | 'create' | 'delete' | 'restore';
  /** How many records to create, or to pick for update/delete when `ids` is absent (default 1). */
  readonly count?: number;
  /** The records to update, delete or restore (restore takes only ids). */
  readonly ids?: readonly string[];
  /** Field values to set (update, create). `id`, timestamps and `download_url` cannot be set. */
  readonly patch?: Readonly<Record<string, Json>>;
}

/** A mutation that cannot be applied: 400 (malformed) or 404 (unknown record). */
export class MutationError extends Error {
  override name = 'MutationError';
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
  }
}

const PROTECTED = new Set(['id', 'created_at', 'updated_at', 'deleted_at', 'download_url']);
const MAX_COUNT = 10_000;

function validate(store: DataStore, m: Mutation): ResourceName {
  if (typeof m !== 'object' || m === null) throw new MutationError(400, 'a mutation is a JSON object');
  if (typeof m.resource !== 'string' || !isResourceName(m.resource)) {
    throw new MutationError(400, `unknown resource '${String(m.resource)}'`);
  }
  if (!['update', 'create', 'delete', 'restore'].includes(m.action)) {
    throw new MutationError(
      400,
      `action must be update, create, delete or restore, got '${String(m.action)}'`,
    );
  }
  if (m.count !== undefined && (!Number.isInteger(m.count) || m.count < 1 || m.count > MAX_COUNT)) {
    throw new MutationError(400, `count must be a whole number from 1 to ${MAX_COUNT}`);
  }
  if (m.ids !== undefined && (!Array.isArray(m.ids) || m.ids.some((id) => typeof id !== 'string'))) {
    throw new MutationError(400, 'ids must be an array of id strings');
  }
  if (m.ids !== undefined && m.action === 'create')
    throw new MutationError(400, 'create takes count, not ids');
  if (m.ids === undefined && m.action === 'restore')
    throw new MutationError(400, 'restore takes the ids of deleted records');
  if (m.patch !== undefined) {
    if (typeof m.patch !== 'object' || m.patch === null || Array.isArray(m.patch)) {
      throw new MutationError(400, 'patch must be an object of field values');
    }
    if (m.action === 'delete') throw new MutationError(400, 'delete takes no patch');
    const fields = Object.keys(RESOURCES[m.resource].record(store.ctx, 0));
    for (const key of Object.keys(m.patch)) {
      if (PROTECTED.has(key)) throw new MutationError(400, `field '${key}' cannot be patched`);
      if (!fields.includes(key)) throw new MutationError(400, `${m.resource} has no field '${key}'`);
    }
  }
  return m.resource;
}

/** The indices a mutation touches: the given ids, or `count` random current records. */
function targets(store: DataStore, resource: ResourceName, m: Mutation, rng: Rng): number[] {
  if (m.ids) {
    return m.ids.map((id) => {
      const n = store.indexOfId(resource, id);
      if (n === undefined || store.isDeleted(resource, n) !== (m.action === 'restore'))
        throw new MutationError(
          404,
          `${resource} ${id} not found${m.action === 'restore' ? ' among deleted records' : ''}`,
        );
      return n;
    });
  }
  const wanted = Math.min(m.count ?? 1, store.count(resource));
  const size = store.size(resource);
  const picked = new Set<number>();
  while (picked.size < wanted) {
    const n = rng.int(0, size - 1);
    if (!store.isDeleted(resource, n)) picked.add(n);
  }
  return [...picked].sort((a, b) => a - b);
}

/**
 * Applies a mutation and returns the affected ids. Changed records get `updated_at` (and, when deleted,
 * `deleted_at`) = `nowMs`, in whole seconds like every served timestamp. `rng` picks records when no
 * ids are given; it belongs to the server, so a replayed sequence of mutations picks the same records.
 */
export function applyMutation(store: DataStore, m: Mutation, nowMs: number, rng: Rng): string[] {
  const resource = validate(store, m);
  const now = isoSeconds(nowMs);
  const patch = m.patch ?? {};
  if (m.action === 'create') {
    const ids: string[] = [];
    for (let i = 0; i < (m.count ?? 1); i += 1) {
      const n = store.size(resource);
      const base = RESOURCES[resource].record(store.ctx, n);
      const created: PhRecord = {
        ...base,
        ...patch,
        id: base.id,
        created_at: now,
        updated_at: now,
        deleted_at: null,
      };
      store.put(resource, n, created);
      ids.push(created.id);
    }
    return ids;
  }
  return targets(store, resource, m, rng).map((n) => {
    const current = store.recordAt(resource, n);
    const next: PhRecord =
      m.action === 'delete'
        ? { ...current, updated_at: now, deleted_at: now }
        : { ...current, ...patch, id: current.id, updated_at: now, deleted_at: null };
    store.put(resource, n, next);
    return current.id;
  });
}
