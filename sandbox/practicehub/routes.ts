import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PhRecord, ResourceName } from './data/context.ts';
import { CONTENT_TYPES, type FileKind } from './data/files.ts';
import { fileBody } from './files/body.ts';
import type { LinkSigner } from './files/links.ts';
import { type ByteCounter, sendError, sendJson } from './http.ts';
import type { Region } from './keys.ts';
import { type ListQuery, pageUrl, parseListQuery, splitQuery } from './query.ts';
import type { DataStore } from './store.ts';

/** What the API routes need from their server. */
export interface ApiContext {
  readonly store: DataStore;
  readonly signer: LinkSigner;
  /** `http://host:port`. */
  readonly origin: string;
  readonly projection: boolean;
  readonly count: ByteCounter;
}

/** A record as served to `apiKey`: files get a fresh signed download_url; `fields` projects (id always kept). */
export function present(
  api: ApiContext,
  region: Region,
  resource: ResourceName,
  record: PhRecord,
  apiKey: string,
  fields: ReadonlySet<string> | null = null,
): PhRecord {
  let out = record;
  if (resource === 'files') {
    const url = `${api.origin}/${region}/files/${record.id}/content?${api.signer.issue(record.id, apiKey)}`;
    out = { ...record, download_url: url };
  }
  if (!fields) return out;
  return Object.fromEntries(Object.entries(out).filter(([k]) => fields.has(k))) as PhRecord;
}

/**
 * GET /{region}/api/{resource}: `{ total_entries, data, links: { previous, self, next } }` with
 * absolute links that keep the query (reference, Documented: list response, paging).
 */
export function handleList(
  api: ApiContext,
  res: ServerResponse,
  region: Region,
  resource: ResourceName,
  rawQuery: string,
  apiKey: string,
): void {
  const query = parseListQuery(rawQuery, resource, api.projection);
  if (typeof query === 'string') {
    sendError(res, 400, 'invalid_query', query, api.count);
    return;
  }
  const offset = (query.page - 1) * query.pageSize;
  const { total, indices } = api.store.select(
    resource,
    query.filters,
    query.includeDeleted,
    offset,
    query.pageSize,
  );
  const data = indices.map((n) =>
    present(api, region, resource, api.store.recordAt(resource, n), apiKey, query.fields),
  );
  const base = `${api.origin}/${region}/api/${resource}`;
  sendJson(res, 200, { total_entries: total, data, links: links(base, rawQuery, query, total) }, api.count);
}

function links(base: string, rawQuery: string, query: ListQuery, total: number) {
  return {
    previous: query.page > 1 ? pageUrl(base, rawQuery, query.page - 1) : null,
    self: pageUrl(base, rawQuery, query.page),
    next: query.page * query.pageSize < total ? pageUrl(base, rawQuery, query.page + 1) : null,
  };
}

/** GET /{region}/api/{resource}/{id}: the record itself; 404 for unknown or deleted ids. */
export function handleGet(
  api: ApiContext,
  res: ServerResponse,
  region: Region,
  resource: ResourceName,
  id: string,
  rawQuery: string,
  apiKey: string,
): void {
  const n = api.store.indexOfId(resource, id);
  if (n === undefined || api.store.isDeleted(resource, n)) {
    sendError(res, 404, 'not_found', `${resource} ${id} not found`, api.count);
    return;
  }
  const query = parseListQuery(rawQuery, resource, api.projection);
  const fields = typeof query === 'string' ? null : query.fields;
  sendJson(
    res,
    200,
    present(api, region, resource, api.store.recordAt(resource, n), apiKey, fields),
    api.count,
  );
}

const KIND_BY_TYPE: Readonly<Record<string, FileKind>> = Object.fromEntries(
  Object.entries(CONTENT_TYPES).map(([kind, type]) => [type, kind as FileKind]),
);

/**
 * GET /{region}/files/{id}/content?expires=&signature=: the body, streamed. 403 once the link expired
 * or when it was not issued to this key (reference, sandbox model: Files).
 */
export async function handleDownload(
  api: ApiContext,
  res: ServerResponse,
  fileId: string,
  rawQuery: string,
  apiKey: string,
): Promise<void> {
  const n = api.store.indexOfId('files', fileId);
  if (n === undefined || api.store.isDeleted('files', n)) {
    return sendError(res, 404, 'not_found', `file ${fileId} not found`, api.count);
  }
  const params = splitQuery(rawQuery);
  const get = (name: string): string | undefined =>
    typeof params === 'string' ? undefined : params.find(([k]) => k === name)?.[1];
  const check = api.signer.check(fileId, get('expires'), get('signature'), apiKey);
  if (check === 'expired')
    return sendError(
      res,
      403,
      'link_expired',
      'this download link has expired; list the file again for a fresh one',
      api.count,
    );
  if (check === 'invalid')
    return sendError(res, 403, 'invalid_link', 'this download link is not valid for this API key', api.count);
  const record = api.store.recordAt('files', n);
  const size = Number(record.size);
  const contentType = String(record.content_type);
  res.writeHead(200, {
    'Content-Type': contentType,
    'Content-Length': String(size),
    'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(String(record.filename))}`,
  });
  const chunks = fileBody(api.store.ctx.seed, n, KIND_BY_TYPE[contentType] ?? 'pdf', size);
  const counted = function* (): Generator<Buffer> {
    for (const chunk of chunks) {
      api.count(chunk.length);
      yield chunk;
    }
  };
  const body = Readable.from(counted(), { objectMode: false });
  // A client that hangs up mid-body ends the pipeline with an error; nothing is left to answer.
  await pipeline(body, res).catch(() => undefined);
}
