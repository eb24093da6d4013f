/**
 * The transform step library: one pure function per catalog step (compiler/transforms/signatures.ts),
 * called once per step by the generated transformer and by the reference interpreter.
 */
export { dateOnly, dateTime } from './dates.ts';
export { email } from './email.ts';
export { split, truncate } from './length.ts';
export { asList } from './lists.ts';
export type { NumberRange } from './numbers.ts';
export { toBoolean, toDecimal, toInteger } from './numbers.ts';
export { phone } from './phone.ts';
export {
  collapseWhitespace,
  isEmpty,
  lowercase,
  nullIfEmpty,
  stripControl,
  textOf,
  titlecase,
  trim,
  uppercase,
} from './text.ts';
export type {
  DropPolicy,
  Flag,
  FlagCode,
  Issues,
  PhonePolicy,
  Rejection,
  RejectionCode,
} from './types.ts';
export { newIssues } from './types.ts';
export { mapValue, multiMap, type ValueMap } from './value-map.ts';
export { coalesce, join, templateValue, toText, withDefault } from './values.ts';
