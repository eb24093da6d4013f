/**
 * Progress events of the PracticeHub client (option onEvent). They carry counts, statuses, timings and
 * URLs with secrets redacted; never the API key, never record data (records may hold patient data).
 */
export type PracticeHubEvent =
  | {
      readonly type: 'request';
      /** Clock time the request left, ms. */
      readonly at: number;
      readonly method: 'GET';
      readonly url: string;
      /** 1 for the first try of a call, then 2, 3, ... */
      readonly attempt: number;
      readonly probe: boolean;
    }
  | {
      readonly type: 'response';
      readonly url: string;
      readonly status: number;
      readonly attempt: number;
      /** Milliseconds from sending to the status line. */
      readonly ms: number;
    }
  | { readonly type: 'throttled'; readonly url: string; readonly retryAfterMs: number }
  | {
      readonly type: 'retry';
      readonly url: string;
      readonly reason: 'server_error' | 'reset' | 'timeout';
      /** The status when there was one (5xx). */
      readonly status: number | null;
      /** The attempt that failed. */
      readonly attempt: number;
      readonly delayMs: number;
    }
  | {
      readonly type: 'page';
      readonly resource: string;
      readonly page: number;
      readonly records: number;
      readonly totalEntries: number;
      readonly hasNext: boolean;
    }
  | {
      readonly type: 'probe';
      readonly resource: string;
      readonly kind: 'filter' | 'projection';
      readonly result: 'applied' | 'ignored' | 'supported' | 'unsupported';
    }
  | { readonly type: 'link-refreshed'; readonly fileId: string }
  | { readonly type: 'downloaded'; readonly fileId: string; readonly bytes: number };

/** Receives events; must not throw. */
export type PracticeHubEventListener = (event: PracticeHubEvent) => void;
