/** The three steps of a rollback, in the order they run. */
export type RollbackPhase = 'recreate' | 'restore' | 'delete';

/** Progress of a rollback, for the CLI's lines. Counts only: no row data. */
export type RollbackEvent =
  | {
      readonly type: 'start';
      readonly rollbackRunId: number;
      readonly targetRunId: number;
      readonly resumed: boolean;
      /** Rows the run created, which the delete step removes (some may be done already when resumed). */
      readonly created: number;
    }
  | { readonly type: 'phase'; readonly phase: RollbackPhase }
  | {
      readonly type: 'batch';
      readonly phase: RollbackPhase;
      /** Rows in this batch. */
      readonly rows: number;
      /** Rows handled in this step so far (this attempt), and how many of them failed. */
      readonly done: number;
      readonly failed: number;
    }
  | { readonly type: 'done'; readonly rollbackRunId: number; readonly status: 'completed' | 'failed' };

export type RollbackEventSink = (event: RollbackEvent) => void;
