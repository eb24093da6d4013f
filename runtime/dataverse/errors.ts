import type { BatchPartResult } from './batch.ts';
import { hintFor } from './hints.ts';
import { maskValues } from './mask.ts';

/** The `innererror` of OData-layer errors (reference §8), without its stack trace. */
export interface InnerError {
  readonly message?: string;
  readonly type?: string;
}

/** What a failed request left to describe it. */
export interface DataverseErrorInit {
  /** HTTP status; 0 when no answer arrived (connection lost, timeout). */
  readonly status: number;
  /** Microsoft's `error.code` (e.g. `0x80060888`), `''` when empty, or a local code such as `network`. */
  readonly code: string;
  /** The service's own message, or a description of the local failure. */
  readonly serverMessage: string;
  readonly method: string;
  /** The request path below `/api/data/v9.2/` (or the token path), without query string or token. */
  readonly path: string;
  /** What the caller was doing, e.g. `upsert into contacts`. */
  readonly operation?: string;
  /** Seconds from Retry-After, when the answer had one. */
  readonly retryAfter?: number;
  readonly innererror?: InnerError;
  /** `@Microsoft.PowerApps.CDS.ErrorDetails.*` annotations, when the service sent them. */
  readonly details?: Readonly<Record<string, unknown>>;
  /** What to do about it; computed from status, code and message when not given. */
  readonly hint?: string;
  /**
   * The column values the request sent (sentValues), masked in the message wherever Dataverse repeats
   * them: a plug-in's words for a request that fails as a whole quote the row as it likes.
   */
  readonly sent?: readonly unknown[];
}

/** The code of a DataverseError for an answer that came but could not be read (its requests may have run). */
export const UNREADABLE = 'unreadable_answer';

/**
 * A Dataverse Web API (or token endpoint) failure. The message says what failed, on which request and
 * what to do; it never contains a token, a secret or a value Dataverse repeated (`serverMessage` keeps
 * the service's own words for the code that reads them).
 */
export class DataverseError extends Error {
  override readonly name: string = 'DataverseError';
  readonly status: number;
  readonly code: string;
  readonly serverMessage: string;
  readonly method: string;
  readonly path: string;
  readonly operation?: string;
  readonly retryAfter?: number;
  readonly innererror?: InnerError;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly hint?: string;
  /** DataverseErrorInit's `sent`; not enumerable, so that nothing that prints or serialises the error shows it. */
  declare readonly sent: readonly unknown[];

  constructor(init: DataverseErrorInit) {
    const hint = init.hint ?? hintFor(init);
    const what = init.operation ? `${init.operation} failed` : 'Dataverse request failed';
    const code = init.code === '' ? 'no code' : `code ${init.code}`;
    const status =
      init.status !== 0
        ? `HTTP ${init.status}`
        : init.code === UNREADABLE
          ? 'unreadable answer'
          : 'no response';
    super(
      `${what}: ${maskValues(init.serverMessage, init.sent)} (${status}, ${code}; ${init.method} ${init.path})${hint ? ` — ${hint}` : ''}`,
    );
    Object.defineProperty(this, 'sent', { value: init.sent ?? [], enumerable: false });
    this.status = init.status;
    this.code = init.code;
    this.serverMessage = init.serverMessage;
    this.method = init.method;
    this.path = init.path;
    if (init.operation !== undefined) this.operation = init.operation;
    if (init.retryAfter !== undefined) this.retryAfter = init.retryAfter;
    if (init.innererror !== undefined) this.innererror = init.innererror;
    if (init.details !== undefined) this.details = init.details;
    if (hint !== undefined) this.hint = hint;
  }
}

/** The error fields of Microsoft's error JSON (`{"error":{"code","message","innererror"}}`, reference §8). */
export interface ParsedError {
  readonly code: string;
  readonly message: string;
  readonly innererror?: InnerError;
  readonly details?: Record<string, unknown>;
}

const DETAILS_PREFIX = '@Microsoft.PowerApps.CDS.';

/**
 * Reads Microsoft's error JSON (PA`webapi/compose-http-requests-handle-errors`). The code is often a
 * hex SDK error number and "frequently empty"; with `Prefer: odata.include-annotations` the error object
 * also carries `@Microsoft.PowerApps.CDS.ErrorDetails.*` annotations, kept as details.
 */
export function parseErrorBody(status: number, text: string): ParsedError {
  let json: unknown;
  try {
    json = text.trim() === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  const error = (json as { error?: unknown } | undefined)?.error;
  if (!error || typeof error !== 'object') {
    const fallback = text.trim().slice(0, 300);
    return { code: '', message: fallback === '' ? `HTTP ${status} without an error body` : fallback };
  }
  const e = error as Record<string, unknown>;
  const inner = e.innererror as Record<string, unknown> | undefined;
  const details: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (k.startsWith(DETAILS_PREFIX)) details[k] = v;
  return {
    code: typeof e.code === 'string' ? e.code : '',
    message: typeof e.message === 'string' ? e.message : `HTTP ${status}`,
    ...(inner && typeof inner === 'object'
      ? {
          innererror: {
            ...(typeof inner.message === 'string' ? { message: inner.message } : {}),
            ...(typeof inner.type === 'string' ? { type: inner.type } : {}),
          },
        }
      : {}),
    ...(Object.keys(details).length > 0 ? { details } : {}),
  };
}

/** The codes of "record not found" answers (ObjectDoesNotExist and its alternate-key variant). */
export const NOT_FOUND_CODES: ReadonlySet<string> = new Set(['0x80040217', '0x80060891']);

/**
 * "SQL timeout expired" (-2147204783): "likely to occur if the batch size of your request is too large. To
 * avoid SQL time-outs, reduce the batch size of your request" (Troubleshoot Dataverse bulk operation
 * errors, learn.microsoft.com/troubleshoot/power-platform/power-apps/dataverse/bulk-operation-errors).
 */
export const SQL_TIMEOUT = '0x80044151';

/** Whether a failure is the database's timeout, which the same request meets again (see SQL_TIMEOUT). */
export function isSqlTimeout(e: DataverseError): boolean {
  return e.code === SQL_TIMEOUT;
}

/** Whether a request got no answer within the client's timeout (DataverseClient's `timeoutMs`). */
export function isClientTimeout(e: DataverseError): boolean {
  return e.status === 0 && e.code === 'timeout';
}

/** DuplicateRecord (reference §8): on a retried create with a client-supplied id, the first try won. */
export function isDuplicateRecord(e: DataverseError): boolean {
  return e.code === '0x80040237';
}

/**
 * A failure reduced to what the journal keeps of it: Dataverse's code (or the status) and message, the
 * values in the message masked (maskValues).
 */
export interface FailureSummary {
  readonly code: string;
  readonly message: string;
}

/**
 * The column values of a request body (not its binds and annotations, whose names hold `@` and whose
 * values address other rows): what a failure summary keeps out of its message.
 */
export function columnValues(body: unknown): unknown[] {
  if (body === null || typeof body !== 'object') return [];
  return Object.entries(body as Record<string, unknown>)
    .filter(([column]) => !column.includes('@'))
    .map(([, value]) => value);
}

/** A GUID: a row's id or a lookup's value, never patient data, and named in messages on purpose. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a value may be patient data: anything but a GUID (a row's id, which messages name on purpose). */
export function notAnId(value: unknown): boolean {
  return !(typeof value === 'string' && GUID.test(value));
}

/** The column values a request's JSON body sends, those of each target of a bulk request included, without ids. */
export function sentValues(json: unknown): unknown[] {
  const targets = (json as { Targets?: unknown } | null | undefined)?.Targets;
  const bodies = Array.isArray(targets) ? targets : [json];
  return bodies.flatMap(columnValues).filter(notAnId);
}

/**
 * What a thrown error leaves to journal: a DataverseError's own code and message, or the error text,
 * without the values of the row it was about (`values`, its payload) or that Dataverse repeated.
 */
export function summarizeError(error: unknown, values: Iterable<unknown> = []): FailureSummary {
  if (error instanceof DataverseError)
    return {
      code: error.code || String(error.status),
      message: maskValues(error.serverMessage || error.message, [...values, ...error.sent]),
    };
  return {
    code: 'error',
    message: maskValues(error instanceof Error ? error.message : String(error), values),
  };
}

/**
 * The row itself does not exist: 404 with ObjectDoesNotExist (not a wrong entity set), and a message
 * that names the row's own id ("contact With Id = <id> Does Not Exist", reference §8). A PATCH whose
 * lookup points at a missing row answers the same code naming that other row: that is a failure.
 */
export function rowMissing(result: BatchPartResult, id: string): boolean {
  const e = result.error;
  return (
    result.status === 404 &&
    e !== undefined &&
    NOT_FOUND_CODES.has(e.code) &&
    e.serverMessage.toLowerCase().includes(id.toLowerCase())
  );
}

/**
 * What a failed `$batch` part leaves to journal, without the values of the row (`values`) or that
 * Dataverse repeated; a part that was never answered says so.
 */
export function summarizePart(
  part: BatchPartResult | undefined,
  values: Iterable<unknown> = [],
): FailureSummary {
  if (!part) return { code: 'not_sent', message: 'the request was not sent' };
  if (part.error)
    return {
      code: part.error.code || String(part.status),
      message: maskValues(part.error.serverMessage || part.error.message, values),
    };
  return part.status >= 400
    ? { code: String(part.status), message: `Dataverse answered ${part.status} with no error` }
    : { code: String(part.status), message: `the request did not run (status ${part.status})` };
}
