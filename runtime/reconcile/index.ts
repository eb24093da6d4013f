/**
 * `flitstack reconcile`: counts on both sides and field checksums of a run, held against the spec's
 * tolerance. See `reconcile`.
 */

export { beyond, unfinished } from './checks.ts';
export type { Unchecked } from './extra.ts';
export {
  type Difference,
  type MappingReconcile,
  type ReconcileDeps,
  type ReconcileOptions,
  type ReconcileResult,
  reconcile,
} from './reconcile.ts';
export { failureWords, reconcileJson, reconcileMarkdown } from './render.ts';
