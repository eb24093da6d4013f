/** The three steps of a rollback, in the order they run. */
export type RollbackPhase = 'recreate' | 'restore' | 'delete';

/** Progress of a rollback, for the CLI's lines. Counts only: no row data. */
export type RollbackEvent =
  | {
      readonly type: 'start';
      readonly rollbackRunId: number;
      readonly targetRunId: number;
      readonly resumed: boolean;
      /** Rows the run created that the delete step still has to remove (fewer when resumed). */
      readonly toDelete: number;
    }
  | { readonly type: 'phase'; readonly phase: RollbackPhase }
  | {
      /** The check for rows not written by flitstack that point to rows to delete, before the delete step. */
      readonly type: 'references';
      /** Rows to delete that such a row points to, and tables that could not be read. */
      readonly found: number;
      readonly unchecked: number;
      /** Dataverse requests the check sent. */
      readonly requests: number;
    }
  | {
      readonly type: 'batch';
      readonly phase: RollbackPhase;
      /** Rows undone (or failed) in this batch; updates of rows the delete step removes are not counted. */
      readonly rows: number;
      /** Rows handled in this step so far (this attempt), and how many of them failed. */
      readonly done: number;
      readonly failed: number;
    }
  | { readonly type: 'done'; readonly rollbackRunId: number; readonly status: 'completed' | 'failed' };

export type RollbackEventSink = (event: RollbackEvent) => void;
