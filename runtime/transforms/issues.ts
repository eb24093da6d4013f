import type { DropPolicy, FlagCode, Issues, RejectionCode } from './types.ts';

/** Records a flag: the value was changed or dropped, the record still loads. */
export function flag(issues: Issues, column: string, code: FlagCode, detail: string): void {
  issues.flags.push({ column, code, detail });
}

/** Records a rejection: the record must not load. */
export function reject(issues: Issues, column: string, code: RejectionCode, reason: string): void {
  issues.rejections.push({ column, code, reason });
}

/**
 * Applies a drop policy to a value that cannot be written: a rejection, or a flag and no value.
 * Always returns null so that a step can `return refuse(...)`.
 */
export function refuse(
  issues: Issues,
  column: string,
  policy: DropPolicy,
  codes: { readonly rejection: RejectionCode; readonly flag: FlagCode },
  why: string,
): null {
  if (policy === 'reject') reject(issues, column, codes.rejection, why);
  else flag(issues, column, codes.flag, `${why}; value dropped`);
  return null;
}

/** Drops a value nobody can read (not a number, not a date, ...) with a flag; the record still loads. */
export function unreadable(issues: Issues, column: string, why: string): null {
  flag(issues, column, 'unreadable_value_dropped', why);
  return null;
}
