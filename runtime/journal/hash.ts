import { createHash } from 'node:crypto';
import { byText } from '../shared/order.ts';

/** JSON with object keys sorted at every level, so equal payloads give equal text whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return canonicalJson((value as { toJSON(): unknown }).toJSON());
  }
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && typeof v !== 'function')
    .sort(([a], [b]) => byText(a, b));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * The hash the crosswalk keeps of a written payload (SHA-256 of its canonical JSON, hex): a record
 * whose new payload hashes the same is `unchanged` and not written again. The hash is one-way, but
 * a low-entropy payload could be guessed from it: it is as sensitive as the journal file it sits in.
 */
export function hashPayload(payload: unknown): string {
  return createHash('sha256').update(canonicalJson(payload)).digest('hex');
}
