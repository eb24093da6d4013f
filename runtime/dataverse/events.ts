/** What a Web API request is, for the statistics: plain data, a bulk message, a $batch or metadata. */
export type RequestKind = 'data' | 'bulk' | 'batch' | 'metadata';

/** Which service protection limit a 429 reports (PA`api-limits`, reference §4.1). */
export type ThrottleLimit = 'requests' | 'executionTime' | 'concurrency' | 'unknown';

/** Why a request was sent again. */
export type RetryReason = 'throttled' | 'server_error' | 'network' | 'timeout' | 'unauthorized';

/**
 * Progress events (option `onEvent`). They carry kinds, methods, statuses, counts and timings, and paths
 * with key predicates replaced by `(…)`: never a token, a secret or a record's values.
 */
export type DataverseEvent =
  | {
      readonly type: 'request';
      readonly kind: RequestKind;
      readonly method: string;
      readonly path: string;
      /** 1 for the first try, then 2, 3, … */
      readonly attempt: number;
    }
  | {
      readonly type: 'response';
      readonly kind: RequestKind;
      readonly method: string;
      readonly path: string;
      readonly status: number;
      readonly attempt: number;
      readonly ms: number;
    }
  | {
      readonly type: 'throttled';
      readonly limit: ThrottleLimit;
      readonly path: string;
      readonly retryAfterMs: number;
    }
  | {
      readonly type: 'retry';
      readonly reason: RetryReason;
      readonly method: string;
      readonly path: string;
      readonly attempt: number;
      readonly delayMs: number;
    }
  | { readonly type: 'concurrency'; readonly from: number; readonly to: number; readonly reason: string }
  | { readonly type: 'token'; readonly expiresInSeconds: number; readonly forced: boolean }
  | { readonly type: 'written'; readonly kind: RequestKind; readonly records: number };

/** Receives events; a listener that throws is ignored rather than breaking the request. */
export type DataverseEventListener = (event: DataverseEvent) => void;

/** Replaces key predicates so a path in an event cannot carry a record's key values. */
export function redactPath(path: string): string {
  const noQuery = path.split('?')[0] ?? '';
  return noQuery.replace(/\((?:[^()']|'(?:[^']|'')*')*\)/g, '(…)');
}
