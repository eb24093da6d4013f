import type { AwaitedRow, Journal, OperationInput } from '../journal/index.ts';
import type { MappingDefinition, TableDefinition } from '../mapping/index.ts';
import type { Flag } from '../transforms/types.ts';

/**
 * What the current unjournaled pages have produced so far. Rows are written before their pages are
 * journaled (one transaction per flush), so lookups, routing and owners must see both the journal and
 * this state.
 */
export class PendingState {
  /** Rows written (or about to be) in this flush: mapping → key → Dataverse id and the record writing it. */
  readonly rows = new Map<string, Map<string, { readonly id: string; readonly sourceId: string }>>();
  /** Update-by-match results: mapping → source id → matched row id. */
  readonly matches = new Map<string, Map<string, string>>();
  /** Staff emails seen in this flush. */
  readonly staff = new Map<string, string | null>();

  addRow(mapping: string, key: string, id: string, sourceId: string): void {
    const keys =
      this.rows.get(mapping) ?? new Map<string, { readonly id: string; readonly sourceId: string }>();
    this.rows.set(mapping, keys);
    keys.set(key, { id, sourceId });
  }

  addMatch(mapping: string, sourceId: string, id: string): void {
    const ids = this.matches.get(mapping) ?? new Map<string, string>();
    this.matches.set(mapping, ids);
    ids.set(sourceId, id);
  }

  clear(): void {
    this.rows.clear();
    this.matches.clear();
    this.staff.clear();
  }
}

/** Reads of rows, matches and staff that see the journal and the pending state together. */
export class Known {
  constructor(
    private readonly journal: Journal,
    private readonly pending: PendingState,
    private readonly runId: number,
  ) {}

  /** The Dataverse id of a row a mapping loaded (or is loading in this flush). */
  row(mapping: string, key: string): string | undefined {
    return this.pending.rows.get(mapping)?.get(key)?.id ?? this.journal.crosswalk.get(mapping, key)?.targetId;
  }

  /** The source record that already writes this row in this run, if any (the first one wins). */
  claimedBy(mapping: string, key: string): string | undefined {
    return (
      this.pending.rows.get(mapping)?.get(key)?.sourceId ?? this.journal.claimedBy(this.runId, mapping, key)
    );
  }

  matched(mapping: string, sourceId: string): boolean {
    return (
      this.pending.matches.get(mapping)?.has(sourceId) === true ||
      this.journal.matches.get(mapping, sourceId) !== undefined
    );
  }

  staffEmail(staffId: string): string | null | undefined {
    return this.pending.staff.has(staffId)
      ? this.pending.staff.get(staffId)
      : this.journal.staff.get(staffId);
  }
}

/** A row ready to write: its body for the Web API, and what the journal records of it. */
export interface PreparedRow {
  readonly mapping: MappingDefinition;
  readonly table: TableDefinition;
  readonly sourceId: string;
  readonly key: string;
  readonly targetId: string;
  /** Create: no row known for the key; update: a known row (pre-image read first). */
  readonly create: boolean;
  readonly body: Record<string, unknown>;
  readonly state: { readonly state: number; readonly status: number } | undefined;
  /** A file to attach (annotation rows of a mapping with `document`). */
  readonly document: { readonly fileId: string } | undefined;
  readonly hash: string;
  readonly unchanged: boolean;
  /**
   * The row of a record PracticeHub deleted and lists again (restored): the deletion policy closed it
   * and its write opens it again (statecode 0, the open state of every table).
   */
  readonly reopen?: boolean;
  /**
   * A row written again by `run --rewrite all` of a mapping that sets no state: its state is read with
   * its pre-image (where its table has one), and it is reopened when found closed.
   */
  readonly reopenIfClosed?: boolean;
  readonly flags: Flag[];
  /** The parent rows of the lookups left empty (flagged lookup_unresolved), journaled with its write. */
  readonly awaits: readonly AwaitedRow[];
  readonly page: number | null;
  readonly sourceUpdatedAt: string | null;
  /**
   * An unchanged row whose record PracticeHub saved again since the crosswalk noted it (another
   * updated_at): the crosswalk notes the new one, so reconcile does not take the record for changed.
   */
  readonly savedAgain?: boolean;
}

/** An operation together with the page it belongs to (null: after extraction, e.g. groups, binds). */
export interface PagedOperation {
  readonly page: number | null;
  readonly op: OperationInput;
}
