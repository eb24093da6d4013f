/**
 * The transform step library: one pure function per catalog step (compiler/transforms/signatures.ts),
 * called once per step by the reference interpreter and by the generated transformer, which runs a
 * field's leading text steps as one `cleanText` call (text-chain.ts).
 */
export { dateOnly, dateTime, wallDateTime } from './dates.ts';
export { email } from './email.ts';
export { split, truncate } from './length.ts';
export { asList } from './lists.ts';
export type { NumberRange } from './numbers.ts';
export { toBigInteger, toBoolean, toDecimal, toInteger } from './numbers.ts';
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
export { cleanEmail, cleanText, type TextChain, type TextChainStep, textChain } from './text-chain.ts';
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
