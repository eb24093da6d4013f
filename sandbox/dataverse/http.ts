import type { DataverseError } from './errors.ts';

/** A Web API request, independent of node:http so `$batch` parts run through the same code. */
export interface ApiRequest {
  readonly method: string;
  /** Resource path after `/api/data/v9.2/`, URL-decoded. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The absolute request URL, for messages and `@odata.nextLink`. */
  readonly url: string;
}

/** A Web API response before it is written. */
export interface ApiResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body?: string;
  /** How long the work took on the server: the answer is sent after this many milliseconds. */
  readonly delayMs?: number;
}

/** Content type of Dataverse JSON responses. */
export const JSON_TYPE = 'application/json; odata.metadata=minimal';

/** A JSON response; OData-Version is added by the server for every response. */
export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): ApiResponse {
  return { status, headers: { 'Content-Type': JSON_TYPE, ...headers }, body: JSON.stringify(body) };
}

/** A response without a body (204, or 401 which Dataverse sends without one). */
export function emptyResponse(status: number, headers: Record<string, string> = {}): ApiResponse {
  return { status, headers };
}

/** Microsoft's error JSON for a DataverseError. */
export function errorResponse(e: DataverseError): ApiResponse {
  if (e.status === 401) return emptyResponse(401, { ...e.headers });
  return jsonResponse(e.status, e.body(), { ...e.headers });
}

/** The `Prefer` preferences Dataverse honours (compose-http-requests-handle-errors, Prefer headers). */
export interface Preferences {
  readonly returnRepresentation: boolean;
  readonly maxPageSize?: number;
  readonly includeAnnotations?: string;
  readonly continueOnError: boolean;
}

/** Parses one or more `Prefer` header values. */
export function parsePrefer(header: string | undefined): Preferences {
  let returnRepresentation = false;
  let maxPageSize: number | undefined;
  let includeAnnotations: string | undefined;
  let continueOnError = false;
  for (const raw of splitOutsideQuotes(header ?? '')) {
    const part = raw.trim();
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    const value = eq === -1 ? '' : part.slice(eq + 1).trim();
    if (name === 'return' && value === 'representation') returnRepresentation = true;
    else if (name === 'odata.maxpagesize' && /^\d+$/.test(value.replace(/"/g, '')))
      maxPageSize = Number(value.replace(/"/g, ''));
    else if (name === 'odata.include-annotations') includeAnnotations = value;
    else if (name === 'odata.continue-on-error') continueOnError = value === '' || value === 'true';
  }
  return {
    returnRepresentation,
    continueOnError,
    ...(maxPageSize !== undefined ? { maxPageSize } : {}),
    ...(includeAnnotations !== undefined ? { includeAnnotations } : {}),
  };
}

/** Splits on commas that are not inside double quotes. */
function splitOutsideQuotes(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}
