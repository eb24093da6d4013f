import { randomUUID } from 'node:crypto';
import { assertNever } from '../../compiler/assert.ts';
import type { PartFault } from '../shared/faults.ts';
import { type Ctx, restoreWrites, saveWrites } from './context.ts';
import { DataverseError, Errors } from './errors.ts';
import { type ApiRequest, type ApiResponse, errorResponse, parsePrefer } from './http.ts';
import {
  boundaryOf,
  type InnerRequest,
  parseInnerRequest,
  parseMultipart,
  type ResponsePart,
  writeResponsePart,
} from './multipart.ts';
import { resourcePath } from './odata/path.ts';

/** Executes one Web API request (the same pipeline as top-level requests, without auth and limits). */
export type Executor = (ctx: Ctx, req: ApiRequest) => ApiResponse;

/** "Batch requests can contain up to 1000 individual requests" ($batch doc). */
export const MAX_BATCH_REQUESTS = 1000;

type Item =
  | { readonly kind: 'request'; readonly request: InnerRequest }
  | {
      readonly kind: 'changeset';
      readonly requests: readonly { request: InnerRequest; contentId?: string }[];
    };

function readItems(req: ApiRequest): Item[] {
  const boundary = boundaryOf(req.headers['content-type']);
  if (!req.headers['content-type']?.startsWith('multipart/mixed') || !boundary) {
    throw Errors.invalidArgument(
      'The batch request must have a "Content-Type" header of multipart/mixed with a boundary.',
    );
  }
  const parts = parseMultipart(req.body, boundary);
  if (!parts) throw Errors.invalidArgument(`The batch body is not terminated by '--${boundary}--'.`);
  const inner = (text: string): InnerRequest => {
    const r = parseInnerRequest(text);
    if (!r) throw Errors.invalidArgument('A batch part does not contain a valid HTTP request line.');
    if (/\$batch(\?|$)/.test(r.url)) throw Errors.invalidArgument('Batch requests cannot be nested.');
    return r;
  };
  return parts.map((part): Item => {
    const type = part.headers['content-type'] ?? '';
    if (type.startsWith('multipart/mixed')) {
      const csBoundary = boundaryOf(type);
      const sub = csBoundary ? parseMultipart(part.body, csBoundary) : undefined;
      if (!sub) throw Errors.invalidArgument('A change set is not a valid multipart/mixed part.');
      return {
        kind: 'changeset',
        requests: sub.map((p) => {
          const cid = p.headers['content-id'];
          return { request: inner(p.body), ...(cid !== undefined ? { contentId: cid } : {}) };
        }),
      };
    }
    return { kind: 'request', request: inner(part.body) };
  });
}

/** The answer of an injected part fault: the part did not run. */
function faultResponse(fault: PartFault): ApiResponse {
  switch (fault.kind) {
    case 'deadlock':
      return errorResponse(Errors.sqlDeadlock());
    case 'sql-timeout':
      return errorResponse(Errors.sqlTimeout());
    case 'unavailable':
      return errorResponse(Errors.unavailable(fault.status));
    default:
      return assertNever(fault);
  }
}

function run(ctx: Ctx, exec: Executor, r: InnerRequest, contentIds: Map<string, string>): ApiResponse {
  const fault = r.method === 'GET' ? null : (ctx.partFault?.() ?? null);
  if (fault) return faultResponse(fault);
  let url = r.url;
  const ref = /^\$(\w+)(.*)$/.exec(url);
  if (ref) {
    const target = contentIds.get(ref[1]!);
    if (target === undefined) return errorResponse(Errors.contentIdMissing(`$${ref[1]}`));
    url = target + ref[2];
  }
  const path = resourcePath(url.replace(/^https?:\/\/[^/]+/, ''));
  const q = path.indexOf('?');
  let decoded: string;
  try {
    decoded = decodeURIComponent(q === -1 ? path : path.slice(0, q));
  } catch {
    return errorResponse(Errors.resourceNotFound(path));
  }
  const request: ApiRequest = {
    method: r.method,
    path: decoded,
    query: new URLSearchParams(q === -1 ? '' : path.slice(q + 1)),
    headers: r.headers,
    body: r.body,
    url: `${ctx.apiUrl}${path}`,
  };
  return exec({ ...ctx, contentIds }, request);
}

const toPart = (res: ApiResponse, contentId?: string): ResponsePart => ({
  status: res.status,
  headers: { 'OData-Version': '4.0', ...res.headers },
  ...(res.body !== undefined ? { body: res.body } : {}),
  ...(contentId !== undefined ? { contentId } : {}),
});

/**
 * `POST $batch` (reference §3.2): parts run sequentially; change sets are atomic and may reference
 * records they created as `$n`; the first failure stops the batch (400) unless
 * `Prefer: odata.continue-on-error`, which returns 200 with every part's result. With the fault
 * `part=p`, a share of the writes fail with a transient failure of their own (PartFault) without running.
 */
export function handleBatch(ctx: Ctx, req: ApiRequest, exec: Executor): ApiResponse {
  if (req.method !== 'POST') throw Errors.noHttpResource(req.url);
  const items = readItems(req);
  const total = items.reduce((n, i) => n + (i.kind === 'request' ? 1 : i.requests.length), 0);
  if (total > MAX_BATCH_REQUESTS) {
    throw Errors.invalidArgument(
      `The number of requests in the batch, ${total}, exceeds the limit of ${MAX_BATCH_REQUESTS}.`,
    );
  }
  const continueOnError = parsePrefer(req.headers.prefer).continueOnError;
  const boundary = `batchresponse_${randomUUID()}`;
  const out: string[] = [];
  let failed = false;
  for (const item of items) {
    if (item.kind === 'request') {
      const res = run(ctx, exec, item.request, new Map());
      out.push(writeResponsePart(boundary, toPart(res)));
      failed = res.status >= 400;
    } else {
      const result = runChangeSet(ctx, exec, item.requests);
      if (result.error) {
        out.push(writeResponsePart(boundary, result.error));
        failed = true;
      } else {
        const cs = `changesetresponse_${randomUUID()}`;
        const inner = result.parts.map((p) => writeResponsePart(cs, p)).join('');
        out.push(
          `--${boundary}\r\nContent-Type: multipart/mixed; boundary=${cs}\r\n\r\n${inner}--${cs}--\r\n`,
        );
        failed = false;
      }
    }
    if (failed && !continueOnError) break;
  }
  return {
    status: failed && !continueOnError ? 400 : 200,
    headers: { 'Content-Type': `multipart/mixed; boundary=${boundary}` },
    body: `${out.join('')}--${boundary}--\r\n`,
  };
}

function runChangeSet(
  ctx: Ctx,
  exec: Executor,
  requests: readonly { request: InnerRequest; contentId?: string }[],
): { parts: ResponsePart[]; error?: undefined } | { error: ResponsePart } {
  if (requests.some((r) => r.request.method === 'GET')) {
    return {
      error: toPart(errorResponse(Errors.invalidArgument('GET requests are not allowed in a change set.'))),
    };
  }
  const store = ctx.state.store;
  const savepoint = store.savepoint();
  const counts = saveWrites(ctx.counters);
  const contentIds = new Map<string, string>();
  const parts: ResponsePart[] = [];
  try {
    for (const { request, contentId } of requests) {
      const res = run(ctx, exec, request, contentIds);
      if (res.status >= 400) {
        store.rollback(savepoint);
        restoreWrites(ctx.counters, counts);
        return { error: toPart(res, contentId) };
      }
      const entityId = res.headers['OData-EntityId'];
      if (contentId !== undefined && entityId) contentIds.set(contentId, resourcePath(entityId));
      parts.push(toPart(res, contentId));
    }
  } catch (e) {
    store.rollback(savepoint);
    restoreWrites(ctx.counters, counts);
    if (e instanceof DataverseError) return { error: toPart(errorResponse(e)) };
    throw e;
  }
  store.release();
  return { parts };
}
