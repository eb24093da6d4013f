/**
 * `flitstack sample`: a representative sample of the source, loaded as a journaled run, read back and
 * compared with what the spec says; rendered as sample.md and sample.html. See `takeSample`.
 */
export { CRITERIA, type Criterion, criteriaFor, type Facts } from './criteria.ts';
export { type ParentRef, parentResources, parentsOf, readOrder } from './parents.ts';
export { type Pick, Picker, Spread, spreadRank } from './pick.ts';
export { sampleHtml, sampleMarkdown } from './render.ts';
export { replaying } from './replay.ts';
export {
  interpreterOracle,
  type MappingTally,
  type SampleDeps,
  type SampleResult,
  takeSample,
} from './sample.ts';
export { type Chosen, type SelectDeps, type SelectEvent, type Selection, selectSample } from './select.ts';
export { type FieldView, type RecordView, type SampleView, sampleView, showValue } from './view.ts';
