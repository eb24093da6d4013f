/** `flitstack audit`: inventory of the source, model diff, run estimate, model and snapshot rewrites. */
export { isEmptyDiff, type ModelDiff, modelDiff } from './diff.ts';
export {
  attachmentsOf,
  downloadSeconds,
  estimateSource,
  PACE_MARGIN,
  type PlannedDownloads,
  type PlannedList,
  pacedSeconds,
  type SourceEstimate,
  type SourceFacts,
} from './estimate.ts';
export type { Attachment, BinaryVolume, DownloadTiming } from './files.ts';
export { compatible, type FieldSummary, type InferredType, resolveType } from './infer.ts';
export {
  DOCUMENTED_RESOURCES,
  type Inventory,
  type InventoryOptions,
  type ResourceAudit,
  takeInventory,
} from './inventory.ts';
export { estimateLoad, type LoadEstimate, type PassEstimate } from './load.ts';
export { auditMarkdown, duration, md } from './markdown.ts';
export { type Measurement, measureExtraction } from './measure.ts';
export { phiByName } from './phi.ts';
export { type AuditReport, buildReport, type ReportInput, type RunEstimate } from './report.ts';
export { type PlanCheck, readTarget, type TableCheck, type TargetAudit } from './target.ts';
export { type ColumnFacts, columnFacts, factChanges } from './target-facts.ts';
export { fieldDefinition, rewriteSourceModel, type Unnameable, unnameable } from './write-model.ts';
export { rewriteTargetSnapshot } from './write-target.ts';
