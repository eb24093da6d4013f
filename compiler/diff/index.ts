/** The mapping diff stage: two IRs in, a structured diff out, and its Markdown and JSON renderings. */
export { cutMarkdown } from './cut.ts';
export { diffIr, diffSides, isEmptyDiff } from './diff.ts';
export { type DiffSummary, riskWords, summarize } from './explain.ts';
export { renderJson } from './render-json.ts';
export { type DiffLabels, renderMarkdown } from './render-md.ts';
export { type DiffSide, type OptionLabels, optionLabels, type SideResult, specSide } from './side.ts';
export type * from './types.ts';
