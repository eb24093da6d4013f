import { mixSeed } from '../../shared/rng.ts';
import { type GenContext, RESOURCE_CODES, type ResourceName } from './context.ts';

/*
 * Ids are 18-digit strings: two digits of resource code, twelve of sequence, four of seeded noise.
 * The source model types ids as "text of digits"; 18 digits exceed Number.MAX_SAFE_INTEGER on purpose
 * (the reference is silent on id width: the stricter choice), so a client that parses ids as numbers
 * merges distinct records. Within a resource the width is fixed, so string order equals numeric order
 * and records sort by id ascending; the noise keeps ids non-contiguous, as real ids are.
 */
const SEQ_DIGITS = 12;

const noise = (ctx: GenContext, code: number, n: number): number => mixSeed(ctx.seed, code, n, 77) % 10000;

/** The id of record `n` of `resource`. */
export function idOf(ctx: GenContext, resource: ResourceName, n: number): string {
  const code = RESOURCE_CODES[resource];
  return `${code}${String(n).padStart(SEQ_DIGITS, '0')}${String(noise(ctx, code, n)).padStart(4, '0')}`;
}

/** The record index behind `id`, or undefined when `id` is not an id this dataset could have issued. */
export function indexOf(ctx: GenContext, resource: ResourceName, id: string): number | undefined {
  const code = RESOURCE_CODES[resource];
  if (!/^\d{18}$/.test(id) || !id.startsWith(String(code))) return undefined;
  const n = Number(id.slice(2, 2 + SEQ_DIGITS));
  return idOf(ctx, resource, n) === id ? n : undefined;
}

/** Compares two digit-string ids numerically (ids of different widths compare by length first). */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
