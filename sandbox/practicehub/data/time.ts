import type { Rng } from '../../shared/rng.ts';
import { REFERENCE_MS } from './context.ts';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/**
 * ISO 8601 UTC with whole seconds (`2024-03-05T10:15:00Z`), the format the filter examples use. Served
 * timestamps are truncated to the second (stricter than millisecond precision: a delta watermark taken
 * mid-second must be compared with `gte`, not `gt`).
 */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** `YYYY-MM-DD` of an instant (UTC). */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Creation instant of record n out of `count`, spread evenly over [from, to): monotone in n, so ids
 * ascend with creation time as in a real database.
 */
export function spreadCreated(n: number, count: number, from: number, to: number, rng: Rng): number {
  const step = (to - from) / Math.max(1, count);
  return Math.floor(from + n * step + rng.next() * step * 0.9);
}

/** Last change of a record created at `created`: unchanged for most, edited later (before REFERENCE_MS) for some. */
export function lastUpdated(created: number, rng: Rng, editedShare = 0.4): number {
  const roll = rng.next();
  const span = REFERENCE_MS - MINUTE - created;
  if (roll >= editedShare || span <= 0) return created;
  const r = rng.next();
  return Math.floor(created + span * r * r);
}

/** Rounds an instant down to a 15-minute booking slot. */
export function toSlot(ms: number): number {
  return ms - (ms % (15 * MINUTE));
}
