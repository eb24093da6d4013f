/**
 * The elements of a list, or a single value as a list of one. Whether a field holds a list (a
 * multi-choice property) or a single value is known only at run time, and `join` takes either.
 */
export function asList(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [v];
}
