/** Defensive accessors for YAML data that may not match its schema (the schema check reports it). */
export type Json = Readonly<Record<string, unknown>>;

export const obj = (v: unknown): Json | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
/**
 * A finite number, with YAML's `-0` read as 0: generated code writes numbers as JSON text, which has
 * no negative zero, so the interpreter must not hold one either.
 */
export const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v + 0 : undefined;
export const int = (v: unknown): number | undefined => (Number.isInteger(v) ? (v as number) + 0 : undefined);
export const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
export const list = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);
export const scalar = (v: unknown): string | number | boolean | undefined =>
  typeof v === 'number' ? num(v) : typeof v === 'string' || typeof v === 'boolean' ? v : undefined;

/** The value if it is one of `allowed`, else undefined. */
export function oneOf<T extends string>(v: unknown, allowed: readonly T[]): T | undefined {
  return typeof v === 'string' && (allowed as readonly string[]).includes(v) ? (v as T) : undefined;
}

/** Entries of a mapping whose keys are strings, in document order. */
export function entries(v: unknown): [string, unknown][] {
  const o = obj(v);
  return o ? Object.entries(o) : [];
}
