import { byText } from '../../runtime/shared/order.ts';
import { isEmptyDiff } from './diff.ts';
import { PLAIN, riskWords, summarize } from './explain.ts';
import type { DiffLabels } from './render-md.ts';
import type { MappingDiff } from './types.ts';

/** A copy of `value` with every object's keys sorted, so the JSON text does not depend on build order. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => byText(a, b))
        .map(([k, v]) => [k, sortedKeys(v)]),
    );
  return value;
}

/**
 * The mapping diff as JSON: the same content as the Markdown (summary, risk notes with their words,
 * mappings, schema plan, load order, settings), keys sorted at every level. Absent values are left out.
 */
export function renderJson(diff: MappingDiff, labels: DiffLabels): string {
  const document = {
    base: labels.base,
    head: labels.head,
    changed: !isEmptyDiff(diff),
    summary: summarize(diff),
    risks: diff.risks.map((r) => ({ ...r, words: riskWords(r, PLAIN) })),
    mappings: diff.mappings,
    schema: diff.schema,
    loadOrder: diff.loadOrder,
    settings: diff.settings,
  };
  return `${JSON.stringify(sortedKeys(document), null, 2)}\n`;
}
