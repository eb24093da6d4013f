import type { IrCondition } from '../../compiler/ir/types.ts';
import { at } from '../mapping/records.ts';
import type { JsonValue } from '../practicehub/index.ts';

/** The value at a dotted path of a record (undefined when a step is missing or not an object; see `at`). */
export function valueAt(record: JsonValue | undefined, path: readonly string[]): JsonValue | undefined {
  return at(record, path) as JsonValue | undefined;
}

function same(a: JsonValue | undefined, b: string | number | boolean): boolean {
  return a === b || (typeof a === 'string' && typeof b !== 'string' && a === String(b));
}

/**
 * Whether a sampled record meets a mapping's condition. `not_matched_by` depends on the target
 * organisation, not on the record: it counts as met, which over-counts rows (the safe side for an
 * estimate of requests).
 */
export function meets(record: JsonValue, condition: IrCondition): boolean {
  switch (condition.kind) {
    case 'in':
      return condition.values.some((v) => same(valueAt(record, condition.path), v));
    case 'not_in':
      return !condition.values.some((v) => same(valueAt(record, condition.path), v));
    case 'present': {
      const v = valueAt(record, condition.path);
      const filled = v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0);
      return filled === condition.present;
    }
    case 'not_matched_by':
      return true;
  }
}
