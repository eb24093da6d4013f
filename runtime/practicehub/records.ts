import { utcMs } from '../shared/utc.ts';
import type { JsonValue, PracticeHubRecord } from './types.ts';

/**
 * Fields kept besides the asked ones: `id` (always served with a projection), `updated_at` (delta
 * watermarks and the client-side filter need it) and `deleted_at` (the sandbox lists deletions with it
 * and projects it away unless asked, reference practicehub.md sandbox model: Modified since).
 */
const BOOKKEEPING = ['id', 'updated_at', 'deleted_at'] as const;

/** The field list sent as `fields=`: bookkeeping fields first, then the asked ones, without repeats. */
export function projectionFields(fields: readonly string[]): string[] {
  return [...new Set([...BOOKKEEPING, ...fields.map((f) => f.trim()).filter(Boolean)])];
}

/**
 * The record cut to `fields`, as the server's projection would cut it (fields it lacks stay absent), so
 * records look the same whether the API projected or not.
 */
export function projectRecord(record: PracticeHubRecord, fields: readonly string[]): PracticeHubRecord {
  // Every record of a run passes here: one plain object filled in place, without arrays per record.
  const out: Record<string, JsonValue> = {};
  for (const field of fields) {
    if (!Object.hasOwn(record, field)) continue;
    // Defined as JSON.parse defines it (an own field): `out.__proto__ = ...` would set the prototype.
    if (field === '__proto__') Object.defineProperty(out, field, OWN_FIELD(record[field]!));
    else out[field] = record[field]!;
  }
  return out as PracticeHubRecord;
}

/** A property like those JSON.parse makes: writable, enumerable and configurable. */
const OWN_FIELD = (value: JsonValue): PropertyDescriptor => ({
  value,
  writable: true,
  enumerable: true,
  configurable: true,
});

/**
 * The client-side `updated=gte:` for APIs that ignore it. A record without a readable updated_at is
 * kept: passing one record too many costs an idempotent upsert, dropping one loses data.
 */
export function isUpdatedSince(record: PracticeHubRecord, since: string): boolean {
  const updated = record.updated_at;
  const at = typeof updated === 'string' ? utcMs(updated) : Number.NaN;
  return Number.isNaN(at) || at >= utcMs(since);
}
