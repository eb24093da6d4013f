import { randomBytes } from 'node:crypto';

/** The regions PracticeHub accounts live in (reference: "The sandbox model", Regions). */
export const REGIONS = ['eu', 'us', 'au'] as const;
export type Region = (typeof REGIONS)[number];

/** True for a served region path segment. */
export function isRegion(value: string): value is Region {
  return (REGIONS as readonly string[]).includes(value);
}

/**
 * A fresh API key for `region`. The region is the key's suffix (`phk_<hex>-eu`), as Cliniko keys end
 * with their shard (reference: "The sandbox model", Regions).
 */
export function newApiKey(region: Region): string {
  return `phk_${randomBytes(20).toString('hex')}-${region}`;
}

/** The region a key belongs to (its suffix), or undefined for a key without one. */
export function regionOfKey(key: string): Region | undefined {
  const suffix = key.slice(key.lastIndexOf('-') + 1);
  return key.includes('-') && isRegion(suffix) ? suffix : undefined;
}

/** A key safe to show in stats and logs: the prefix and the region only. */
export function maskKey(key: string): string {
  const region = regionOfKey(key);
  return `${key.slice(0, 8)}…${region ? `-${region}` : ''}`;
}
