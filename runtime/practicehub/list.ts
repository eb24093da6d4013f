import { LONE_SURROGATE } from '../transforms/text.ts';
import { NotJsonBody, readJson } from './body.ts';
import { PracticeHubError, redactUrl } from './errors.ts';
import type { Transport } from './transport.ts';
import type { JsonValue, ListBody, PracticeHubRecord } from './types.ts';

/** Largest page the API serves; a larger page_size is silently capped (reference practicehub.md, Documented: paging). */
export const MAX_PAGE_SIZE = 100;

const RESOURCE = /^[a-z][a-z0-9_]*$/;

/** The list URL of a resource with its query parameters in a fixed order. */
export function listUrl(baseUrl: string, resource: string, params: Readonly<Record<string, string>>): URL {
  if (!RESOURCE.test(resource)) {
    throw new PracticeHubError(
      `'${resource}' is not a PracticeHub resource name (lower case letters, digits and _, e.g. patients)`,
    );
  }
  const url = new URL(`${baseUrl}/${resource}`);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url;
}

/** The URL of one record. */
export function recordUrl(baseUrl: string, resource: string, id: string): URL {
  const url = listUrl(baseUrl, resource, {});
  url.pathname = `${url.pathname}/${encodeURIComponent(id)}`;
  return url;
}

/** GETs one list page and checks its documented shape. */
export async function fetchList(
  transport: Transport,
  url: URL,
  options: { probe?: boolean; signal?: AbortSignal | undefined } = {},
): Promise<ListBody> {
  const body = await transport.send({ url, probe: options.probe, signal: options.signal }, readJson);
  return asListBody(json(body, url), url);
}

/** GETs one record. */
export async function fetchRecord(transport: Transport, url: URL): Promise<PracticeHubRecord> {
  const body = await transport.send({ url }, readJson);
  return asRecord(json(body, url), url, 'the answer');
}

/** The parsed body, or the error for a whole answer that is not JSON (see readJson). */
function json(body: unknown, url: URL): unknown {
  if (!(body instanceof NotJsonBody)) return body;
  throw new PracticeHubError(
    `GET ${redactUrl(url)} answered ${body.status} with ${body.contentType}, not JSON (${body.start === undefined ? `${body.bytes} bytes` : `"${body.start}"`}): the URL ` +
      'does not lead to the PracticeHub API; check that PRACTICEHUB_BASE_URL ends with /api',
  );
}

function asListBody(body: unknown, url: URL): ListBody {
  const b = body as { total_entries?: unknown; data?: unknown; links?: { next?: unknown } | null } | null;
  if (!b || typeof b !== 'object' || !Number.isInteger(b.total_entries) || !Array.isArray(b.data)) {
    throw new PracticeHubError(
      `GET ${redactUrl(url)} answered 200 without the documented list shape ` +
        '{ total_entries, data, links }: check that PRACTICEHUB_BASE_URL ends with /api',
    );
  }
  const next = typeof b.links?.next === 'string' ? b.links.next : null;
  const data = b.data.map((r, i) => asRecord(r, url, `data[${i}]`));
  return { totalEntries: b.total_entries as number, data, next };
}

function asRecord(value: unknown, url: URL, where: string): PracticeHubRecord {
  const r = value as { id?: unknown } | null;
  if (!r || typeof r !== 'object' || Array.isArray(r)) {
    throw new PracticeHubError(`GET ${redactUrl(url)}: ${where} is not a record object`);
  }
  // An id beyond 2^53 sent as a JSON number has already lost digits in JSON.parse; refuse rather than
  // join records on wrong ids.
  if (typeof r.id === 'number' && !Number.isSafeInteger(r.id)) {
    throw new PracticeHubError(
      `GET ${redactUrl(url)}: ${where} has a numeric id beyond 2^53, which JSON numbers cannot hold exactly`,
    );
  }
  // An id of no characters but spaces names no record either: the journal could not say which one
  // it loaded, and the run would stop at its first operation instead of here, where the page is named.
  if (
    (typeof r.id !== 'string' && typeof r.id !== 'number') ||
    (typeof r.id === 'string' && r.id.trim() === '')
  ) {
    throw new PracticeHubError(
      `GET ${redactUrl(url)}: ${where} has no id, so nothing could name it in the journal: ` +
        'report the record to PracticeHub (this URL and position find it), then run again',
    );
  }
  // Ids go into request URLs and the journal, which cannot carry text that is not valid UTF-16.
  if (typeof r.id === 'string' && LONE_SURROGATE.test(r.id)) {
    throw new PracticeHubError(
      `GET ${redactUrl(url)}: ${where} has an id that is not valid text (an unpaired surrogate), so ` +
        'nothing could name it: report the record to PracticeHub (this URL and position find it), then run again',
    );
  }
  return (typeof r.id === 'number' ? { ...r, id: String(r.id) } : r) as { id: string } & Record<
    string,
    JsonValue
  >;
}
