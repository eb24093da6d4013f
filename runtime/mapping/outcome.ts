import type { Flag, Rejection } from '../transforms/types.ts';

/**
 * What a mapping function makes of one source record: rows to write (one, or several for fan-out and
 * split notes), a rejection with every reason, or a skip with its reason. Mapping functions are pure:
 * lookups, owners and files are returned as pending references that the runtime resolves.
 */
export type Outcome<P> =
  | {
      readonly kind: 'rows';
      readonly sourceId: string;
      readonly rows: readonly Row<P>[];
      readonly flags: readonly Flag[];
    }
  | {
      readonly kind: 'rejected';
      readonly sourceId: string;
      readonly rejections: readonly Rejection[];
      readonly flags: readonly Flag[];
    }
  | {
      readonly kind: 'skipped';
      readonly sourceId: string;
      readonly reason: string;
      /**
       * A fan-out's list has no element: the record produces no rows, and rows it produced before are
       * no longer its. Any other skip (a condition, no key) says nothing about its earlier rows.
       */
      readonly empty?: true;
    };

/** One row to write to Dataverse. */
export interface Row<P> {
  /** The key value (alternate key column value, or the seed of the derived id). */
  readonly key: string;
  readonly payload: P;
  /** Source ids per lookup column, in the order of the mapping's lookup table (LOOKUPS). */
  readonly lookups: readonly PendingLookup[];
  readonly owner: PendingOwner | undefined;
  /** statecode/statuscode to set after the row exists (statecode is not valid on create). */
  readonly state: { readonly state: number; readonly status: number } | undefined;
  /** A file to attach (annotation). */
  readonly document: { readonly fileId: string } | undefined;
}

/** A lookup to bind: one source id per candidate (null where the record has none). */
export interface PendingLookup {
  readonly column: string;
  readonly values: readonly (string | null)[];
}

/** Who should own the row: a staff id (email looked up in the staff directory) or an email. */
export interface PendingOwner {
  readonly kind: 'staff' | 'email';
  readonly value: string | null;
}
