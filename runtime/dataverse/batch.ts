import { randomUUID } from 'node:crypto';
import { type ClientContext, recordWrites } from './context.ts';
import { DataverseError, isDuplicateRecord, parseErrorBody, UNREADABLE } from './errors.ts';
import type { HttpMethod } from './http.ts';
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

function partError(r: BatchRequest, res: PartResponse, index: number): DataverseError {
  const parsed = parseErrorBody(res.status, res.body);
  return new DataverseError({
    status: res.status,
    code: parsed.code,
    serverMessage: parsed.message,
    method: r.method,
    path: r.path.split('?')[0]!,
    operation: `$batch part ${index + 1} (${r.method} ${r.path.split('?')[0]})`,
    ...(parsed.innererror ? { innererror: parsed.innererror } : {}),
  });
}

/**
 * Sends requests as one `POST $batch` (reference §3.2) and returns one result per request. Parts run in
 * order; without `continueOnError` the first failure stops the batch (400) and the rest is reported as not
 * executed. The batch is retried after failures without an answer only when every part is idempotent;
 * after such a retry, a DELETE answering 404 or an idempotent POST answering DuplicateRecord counts as
 * done, since the earlier attempt did it.
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
    idempotent: requests.every((r) => r.method !== 'POST' || r.idempotent === true),
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
  const results = mapResults(items, answered, res.uncertain);
  recordWrites(
    ctx,
    'batch',
    results.filter((r) => r.executed && r.status < 400 && r.method !== 'GET').length,
  );
  return results;
}

function mapResults(
  items: readonly BatchItem[],
  answered: ReturnType<typeof parseBatchResponse>,
  uncertain: boolean,
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
            ? single(r, res, index + k, uncertain)
            : { method: r.method, path: r.path, status: 0, headers: {}, executed: false },
        );
      });
    } else if ('changeSet' in item) {
      // A failed change set answers with one error part for the request that failed; nothing was kept.
      const failing = requests.findIndex((r, k) => (r.contentId ?? String(k + 1)) === got.response.contentId);
      const at = failing === -1 ? 0 : failing;
      const error = partError(requests[at]!, got.response, index + at);
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
      results.push(single(item, got.response, index, uncertain));
    }
    index += requests.length;
  });
  return results;
}

function single(r: BatchRequest, res: PartResponse, index: number, uncertain: boolean): BatchPartResult {
  const base = { method: r.method, path: r.path, headers: res.headers, executed: true };
  if (res.status >= 400) {
    const error = partError(r, res, index);
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
