import { randomUUID } from 'node:crypto';
import { type ClientContext, recordWrites } from './context.ts';
import { DataverseError, isDuplicateRecord, parseErrorBody, SQL_TIMEOUT, UNREADABLE } from './errors.ts';
import { type HttpMethod, type PartAnswer, TRANSIENT_STATUS } from './http.ts';
import {
  type PartResponse,
  parseBatchResponse,
  type WireChangeSet,
  type WirePart,
  writeBatch,
} from './multipart.ts';
import { idFromEntityId } from './odata.ts';

/** One request inside a $batch. */
export interface BatchRequest {
  readonly method: HttpMethod;
  /** Path below `/api/data/v9.2/` (query string allowed), or `$n` to address what change-set part n created. */
  readonly path: string;
  /** A JSON body. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Content-ID, so later parts of the same change set can refer to this one as `$n`. */
  readonly contentId?: string;
  /** A POST that is safe to repeat (it carries its own primary key). */
  readonly idempotent?: boolean;
}

/** Requests that succeed or fail together; a change set may not contain GETs (reference §3.2). */
export interface BatchChangeSet {
  readonly changeSet: readonly BatchRequest[];
}

/** A top-level item of a $batch. */
export type BatchItem = BatchRequest | BatchChangeSet;

/** Options of `batch`. */
export interface BatchOptions {
  /** `Prefer: odata.continue-on-error`: keep going after a failed part (200 with every part's result). */
  readonly continueOnError?: boolean;
}

/** The result of one request of a $batch, in the order the requests were given (change sets flattened). */
export interface BatchPartResult {
  readonly method: HttpMethod;
  readonly path: string;
  /** HTTP status of the part; 0 when it never ran. */
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The parsed JSON body of a successful part, if any. */
  readonly body?: unknown;
  /** Why the part failed (or, in a failed change set, which sibling failed). */
  readonly error?: DataverseError;
  /** False when the batch stopped before this part, or its change set was rolled back. */
  readonly executed: boolean;
  /** The id of the record a successful POST created (from OData-EntityId). */
  readonly id?: string;
}

/** "Batch requests can contain up to 1000 individual requests" (execute-batch-operations-using-web-api). */
export const MAX_BATCH_PARTS = 1000;

const requestsOf = (item: BatchItem): readonly BatchRequest[] =>
  'changeSet' in item ? item.changeSet : [item];

/** A part's failure; one that a transient failure stayed after `retries` retries says so in its hint. */
function partError(r: BatchRequest, res: PartResponse, index: number, retries = 0): DataverseError {
  const parsed = parseErrorBody(res.status, res.body);
  const hint =
    retries === 0
      ? undefined
      : res.status === 429
        ? `service protection limit (after ${retries} retries): lower the concurrency or the batch size and run again`
        : `the service kept failing (after ${retries} retries): run again later; the run resumes where it stopped`;
  return new DataverseError({
    status: res.status,
    code: parsed.code,
    serverMessage: parsed.message,
    method: r.method,
    path: r.path.split('?')[0]!,
    operation: `$batch part ${index + 1} (${r.method} ${r.path.split('?')[0]})`,
    ...(parsed.innererror ? { innererror: parsed.innererror } : {}),
    ...(hint ? { hint } : {}),
  });
}

/**
 * Sends requests as one `POST $batch` (reference §3.2) and returns one result per request. Parts run in
 * order; without `continueOnError` the first failure stops the batch (400) and the rest is reported as not
 * executed. The batch is retried after failures without an answer only when every part is idempotent;
 * after such a retry, a DELETE answering 404 or an idempotent POST answering DuplicateRecord counts as
 * done, since the earlier attempt did it. With `continueOnError`, the requests (or change sets) that
 * failed on their own with a transient failure are sent again (see `resendTransient`).
 */
export async function batch(
  ctx: ClientContext,
  items: readonly BatchItem[],
  o: BatchOptions = {},
): Promise<BatchPartResult[]> {
  const requests = items.flatMap(requestsOf);
  if (requests.length === 0) return [];
  if (requests.length > MAX_BATCH_PARTS) {
    throw new RangeError(`a $batch holds at most ${MAX_BATCH_PARTS} requests; got ${requests.length}`);
  }
  for (const item of items) {
    if ('changeSet' in item && item.changeSet.some((r) => r.method === 'GET'))
      throw new TypeError(
        'a change set may not contain GET requests (execute-batch-operations-using-web-api)',
      );
  }
  const first = await sendBatch(ctx, items, o, 0);
  const results = o.continueOnError ? await resendTransient(ctx, items, first, o) : first;
  recordWrites(
    ctx,
    'batch',
    results.filter((r) => r.executed && r.status < 400 && r.method !== 'GET').length,
  );
  return results;
}

/** Sends items as one `POST $batch`; `resent` > 0 when they are parts sent again, which may have run. */
async function sendBatch(
  ctx: ClientContext,
  items: readonly BatchItem[],
  o: BatchOptions,
  resent: number,
): Promise<BatchPartResult[]> {
  const requests = items.flatMap(requestsOf);
  const base = ctx.transport.apiBasePath;
  const toWire = (r: BatchRequest): WirePart => ({
    method: r.method,
    url: r.path.startsWith('$') ? r.path : `${base}${r.path}`,
    headers: {
      ...(r.body !== undefined ? { 'Content-Type': 'application/json; type=entry' } : {}),
      ...r.headers,
    },
    ...(r.body !== undefined ? { body: JSON.stringify(r.body) } : {}),
    ...(r.contentId !== undefined ? { contentId: r.contentId } : {}),
  });
  const wire = items.map((item): WirePart | WireChangeSet =>
    'changeSet' in item
      ? {
          changeSet: item.changeSet.map((r, k) =>
            toWire(r.contentId === undefined ? { ...r, contentId: String(k + 1) } : r),
          ),
        }
      : toWire(item),
  );
  const boundary = `batch_${randomUUID()}`;
  const res = await ctx.transport.send({
    method: 'POST',
    path: '$batch',
    kind: 'batch',
    raw: {
      contentType: `multipart/mixed; boundary="${boundary}"`,
      text: writeBatch(boundary, wire, () => `changeset_${randomUUID()}`),
    },
    headers: o.continueOnError ? { Prefer: 'odata.continue-on-error' } : {},
    idempotent: requests.every(idempotent),
    operation: `$batch of ${requests.length} requests`,
    accept: (status, headers) => status === 400 && /^multipart\/mixed/i.test(headers['content-type'] ?? ''),
  });
  // Parts' error messages become row errors, journaled: masked as every error body is.
  let answered: ReturnType<typeof parseBatchResponse>;
  try {
    answered = parseBatchResponse(res.headers['content-type'], ctx.transport.redact(res.text));
  } catch (error) {
    // An answer that is not a $batch answer (a proxy's page, a cut-off body) says nothing of which
    // parts ran: as uncertain as no answer at all.
    throw new DataverseError({
      status: 0,
      code: UNREADABLE,
      serverMessage: `the answer could not be read as a $batch answer: ${(error as Error).message}`,
      method: 'POST',
      path: '$batch',
      operation: `$batch of ${requests.length} requests`,
      hint: 'some of its requests may have run: run the same command again, which looks at the rows before writing them again',
    });
  }
  return mapResults(items, answered, res.uncertain || resent > 0, resent);
}

const idempotent = (r: BatchRequest) => r.method !== 'POST' || r.idempotent === true;

/**
 * Codes of failures a part may get past when sent again: a deadlock ("Generic SQL error", -2147204784,
 * SQL number 1205, from "attempting to update the same record concurrently") and a SQL timeout
 * (-2147204783), both in "Troubleshoot Dataverse bulk operation errors"
 * (learn.microsoft.com/troubleshoot/power-platform/power-apps/dataverse/bulk-operation-errors). Each part
 * of a $batch runs in a database transaction of its own, as each request of an ExecuteMultiple does
 * (PA`org-service/execute-multiple-requests`), so one part meets them while the others go through.
 */
const TRANSIENT_PART_CODES: ReadonlySet<string> = new Set(['0x80044150', SQL_TIMEOUT]);

/** The failure of an item (a request, or a change set's failing request), if it failed. */
const failureOf = (results: readonly BatchPartResult[]) => results.find((r) => r.error !== undefined);

/** Whether a failure is transient: 429, a 5xx worth a retry, a deadlock or a SQL timeout. */
function transient(r: BatchPartResult): boolean {
  return (
    r.status === 429 ||
    TRANSIENT_STATUS.has(r.status) ||
    (r.error !== undefined && TRANSIENT_PART_CODES.has(r.error.code))
  );
}

/**
 * Sends again, as `$batch`es of their own, the items of a continue-on-error batch that failed with a
 * transient failure, until they go through or their retries are spent (Transport.retriesPart), waiting
 * between rounds as for a request (Transport.beforeResend); a refusal (400 and the like) is not sent
 * again. Service protection limits apply to a `$batch` request as a whole: it counts as one request, and
 * its execution time in full (PA`api-limits`: a batch "will avoid the number of requests limit. However,
 * you will need to be prepared for the execution time limit"), so their 429 answers the whole `$batch`,
 * which the transport waits out and sends again; a part answered 429 on its own is waited out the same way.
 * A change set failed whole (it is atomic, nothing of it was kept): it is sent again whole.
 */
async function resendTransient(
  ctx: ClientContext,
  items: readonly BatchItem[],
  first: readonly BatchPartResult[],
  o: BatchOptions,
): Promise<BatchPartResult[]> {
  const results = [...first];
  const at: number[] = [];
  let n = 0;
  for (const item of items) {
    at.push(n);
    n += requestsOf(item).length;
  }
  const spent = items.map(() => ({ transient: 0, throttles: 0 }));
  const slice = (i: number) => results.slice(at[i], at[i]! + requestsOf(items[i]!).length);
  for (;;) {
    const again: number[] = [];
    const answers: PartAnswer[] = [];
    items.forEach((item, i) => {
      const failure = failureOf(slice(i));
      if (!failure || !transient(failure)) return;
      const answer = { status: failure.status, headers: failure.headers, code: failure.error!.code };
      if (!ctx.transport.retriesPart(answer, requestsOf(item).every(idempotent), spent[i]!)) return;
      again.push(i);
      answers.push(answer);
    });
    if (again.length === 0) return results;
    const most = {
      transient: Math.max(...again.map((i) => spent[i]!.transient)),
      throttles: Math.max(...again.map((i) => spent[i]!.throttles)),
    };
    const operation = `${again.length} requests of a $batch sent again`;
    await ctx.transport.beforeResend(answers, most, operation);
    const resent = await sendBatch(
      ctx,
      again.map((i) => items[i]!),
      o,
      Math.max(most.transient, most.throttles),
    );
    let k = 0;
    for (const i of again) {
      const size = requestsOf(items[i]!).length;
      results.splice(at[i]!, size, ...resent.slice(k, k + size));
      k += size;
    }
  }
}

function mapResults(
  items: readonly BatchItem[],
  answered: ReturnType<typeof parseBatchResponse>,
  uncertain: boolean,
  retries: number,
) {
  const results: BatchPartResult[] = [];
  let index = 0;
  items.forEach((item, i) => {
    const requests = requestsOf(item);
    const got = answered[i];
    if (!got) {
      for (const r of requests)
        results.push({ method: r.method, path: r.path, status: 0, headers: {}, executed: false });
    } else if (got.kind === 'changeset') {
      requests.forEach((r, k) => {
        const res =
          got.responses.find(
            (x) => x.contentId !== undefined && x.contentId === (r.contentId ?? String(k + 1)),
          ) ?? got.responses[k];
        results.push(
          res
            ? single(r, res, index + k, uncertain, retries)
            : { method: r.method, path: r.path, status: 0, headers: {}, executed: false },
        );
      });
    } else if ('changeSet' in item) {
      // A failed change set answers with one error part for the request that failed; nothing was kept.
      const failing = requests.findIndex((r, k) => (r.contentId ?? String(k + 1)) === got.response.contentId);
      const at = failing === -1 ? 0 : failing;
      const error = partError(requests[at]!, got.response, index + at, retries);
      requests.forEach((r, k) => {
        results.push({
          method: r.method,
          path: r.path,
          status: got.response.status,
          headers: got.response.headers,
          error,
          executed: k === at,
        });
      });
    } else {
      results.push(single(item, got.response, index, uncertain, retries));
    }
    index += requests.length;
  });
  return results;
}

function single(
  r: BatchRequest,
  res: PartResponse,
  index: number,
  uncertain: boolean,
  retries: number,
): BatchPartResult {
  const base = { method: r.method, path: r.path, headers: res.headers, executed: true };
  if (res.status >= 400) {
    const error = partError(r, res, index, retries);
    const settled =
      uncertain &&
      ((r.method === 'DELETE' && res.status === 404) ||
        (r.method === 'POST' && r.idempotent === true && isDuplicateRecord(error)));
    if (!settled) return { ...base, status: res.status, error };
    return { ...base, status: r.method === 'DELETE' ? 204 : 201 };
  }
  const id = idFromEntityId(res.headers['odata-entityid']);
  const body = partBody(r, res);
  return { ...base, status: res.status, ...(body !== undefined ? { body } : {}), ...(id ? { id } : {}) };
}

/**
 * A successful part's JSON. One that does not parse leaves the whole answer unreadable, as an answer
 * that is not a $batch answer does, and the error says nothing of the body: the parser's message
 * quotes it, and it may hold a row's values.
 */
function partBody(r: BatchRequest, res: PartResponse): unknown {
  if (!/json/i.test(res.headers['content-type'] ?? '') || res.body.trim() === '') return undefined;
  try {
    return JSON.parse(res.body);
  } catch {
    throw new DataverseError({
      status: 0,
      code: UNREADABLE,
      serverMessage: `the answer to its part ${r.method} ${r.path.split('?')[0]} (HTTP ${res.status}) is not valid JSON`,
      method: 'POST',
      path: '$batch',
      hint: 'some of its requests may have run: run the same command again, which looks at the rows before writing them again',
    });
  }
}
