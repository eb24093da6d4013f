import type { Flag } from '../transforms/types.ts';

/** What a compared value is: a column the mapping fills, a lookup, the owner, the state, or the row key. */
export type FieldKind = 'column' | 'lookup' | 'role' | 'owner' | 'state' | 'key';

/** A source field a value comes from, and its value in the record (data: may be patient data). */
export interface SourceValue {
  readonly path: string;
  readonly value: unknown;
}

/** One column of one row: source value → expected (by the spec) → actual (read back from Dataverse). */
export interface FieldComparison {
  /** The Dataverse column the mapping writes (`ownerid`, `statecode`, a lookup column, ...). */
  readonly column: string;
  readonly kind: FieldKind;
  /** The property read back: `_x_value` for a lookup, `createdon` for `overriddencreatedon`. */
  readonly read: string;
  readonly sources: readonly SourceValue[];
  readonly expected: unknown;
  readonly actual: unknown;
  readonly verdict: 'match' | 'mismatch';
  /** What made two different-looking values equal (a bind read back as `_x_value`, a date-only value). */
  readonly normalisation?: string;
  /** Why the expected value is what it is (a fallback owner, an unresolved lookup, a created date). */
  readonly note?: string;
}

/** How a row compares: every field matches, some differ, or the row is not in Dataverse. */
export type RowVerdict = 'match' | 'mismatch' | 'missing';

/** One Dataverse row the spec expects from a record. */
export interface RowComparison {
  readonly key: string;
  readonly table: string;
  readonly targetId: string;
  readonly verdict: RowVerdict;
  readonly fields: readonly FieldComparison[];
  /** For a missing row: what the journal says happened to it. */
  readonly reason?: string;
}

/**
 * How a source record compares. `not-loaded`: the spec itself writes no row for it (rejected, skipped
 * by a condition, superseded by another record, routed to another mapping); `unexpected`: Dataverse
 * holds rows the crosswalk ties to the record that the spec does not have it write, either none at all
 * or fewer than before (a fan-out item removed, a note split into fewer parts), while every row it
 * does write matches. A record with a missing or differing row is `missing` or `mismatch` whatever
 * else it left behind; its `strayRows` still name those rows.
 */
export type RecordVerdict = 'match' | 'mismatch' | 'missing' | 'not-loaded' | 'unexpected';

/** A Dataverse row the crosswalk ties to a record that the spec does not have the record write. */
export interface StrayRow {
  readonly key: string;
  readonly table: string;
  readonly targetId: string;
  /** What the row is and what to do about it. */
  readonly reason: string;
}

/** One source record of one mapping, compared. */
export interface RecordComparison {
  readonly mapping: string;
  readonly resource: string;
  readonly sourceId: string;
  readonly verdict: RecordVerdict;
  readonly rows: readonly RowComparison[];
  /** Why no row is expected, or what the journal says about a missing or unexpected one. */
  readonly reason?: string;
  /** Flags the spec raises for the record (value truncated, email dropped, ...). */
  readonly flags: readonly Flag[];
  /**
   * Dataverse rows the crosswalk ties to the record that the spec does not have it write (now): all of
   * them when it writes none, the ones beyond its rows when it writes some (upsert mappings without a
   * group), each with why it is there and what removes it. Set whatever the verdict.
   */
  readonly strayRows?: readonly StrayRow[];
}

/** Whether a record verdict is a difference between what the spec says and what Dataverse holds. */
export function isDifference(verdict: RecordVerdict): boolean {
  return verdict === 'mismatch' || verdict === 'missing' || verdict === 'unexpected';
}
