import type { RunRecord } from '../journal/index.ts';

/** Progress of a run, for the CLI's bars and lines. No record data, no secrets. */
export type RunEvent =
  | {
      readonly type: 'run';
      readonly runId: number;
      readonly resumed: boolean;
      readonly passes: number;
      /**
       * The latest run of this kind, stopped (interrupted or failed) under another spec or generated
       * code, that this run did not continue though asked to: no later run continues it.
       */
      readonly leftStopped?: RunRecord;
    }
  | {
      readonly type: 'pass';
      readonly resource: string;
      readonly mappings: readonly string[];
      readonly fromPage: number;
    }
  | {
      readonly type: 'page';
      readonly resource: string;
      readonly page: number;
      readonly records: number;
      readonly extracted: number;
      readonly total: number;
    }
  | {
      readonly type: 'flush';
      readonly resource: string;
      readonly rows: number;
      readonly written: number;
      readonly rejected: number;
    }
  | { readonly type: 'groups'; readonly mapping: string; readonly groups: number }
  | {
      readonly type: 'deferred';
      readonly bound: number;
      readonly unresolved: number;
      readonly failed: number;
    }
  | {
      /** Rows of a mapping already in Dataverse that the journal did not know (ExistingRows): no values. */
      readonly type: 'existing';
      readonly runId: number;
      readonly mapping: string;
      readonly table: string;
      readonly rows: number;
    }
  | { readonly type: 'done'; readonly runId: number };

export type RunEventSink = (event: RunEvent) => void;
