/**
 * Expected against actual: what the spec makes of source records, compared column by column with the
 * rows read back from Dataverse, with the normalisation that made two values equal. Shared by
 * `flitstack sample` and `flitstack reconcile`.
 */
export { type CompareEntry, type CompareOptions, compareRecords } from './compare.ts';
export { entriesOf, generatedOracle, type Oracle, precisionFromPlan } from './entries.ts';
export {
  type Claimant,
  type Expectation,
  type ExpectContext,
  type ExpectedField,
  type ExpectedRow,
  expectRecord,
  expectsOpen,
  SINCE_DISABLED,
} from './expected.ts';
export { countReferring, IDS_PER_QUERY, type RowOrigin, readRows, rowName, tableOfRow } from './read.ts';
export { REWRITE_HINT, type RunReasons, runReasons } from './reasons.ts';
export { type CompareRunDeps, type CompareRunOptions, compareRun } from './run.ts';
export { type SourceMap, sourceMap, sourceValues, valueAt } from './sources.ts';
export {
  type FieldComparison,
  type FieldKind,
  isDifference,
  type RecordComparison,
  type RecordVerdict,
  type RowComparison,
  type RowVerdict,
  type SourceValue,
} from './types.ts';
export { compareValue, type ValueOptions, type ValueVerdict } from './values.ts';
