import type { Dispatcher } from 'undici';
import { redactSecrets } from '../shared/redact.ts';

/** A 2xx body that ended early or is not the JSON it claims to be: treated like a reset and retried. */
export class TruncatedBodyError extends Error {
  override name = 'TruncatedBodyError';
}

/** Reads a whole body, counting bytes as they arrive. */
async function readAll(
  body: Dispatcher.ResponseData['body'],
  count: (bytes: number) => void,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    count(buffer.length);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * A whole 2xx body that says it is not JSON (an HTML page, plain text): its status, type, size, and its
 * start when it is markup (a sign-in page, a proxy's page). Other text may be a record sent with another
 * type, so it is not quoted: messages carry no patient data.
 */
export class NotJsonBody {
  constructor(
    readonly status: number,
    readonly contentType: string,
    readonly bytes: number,
    readonly start: string | undefined,
  ) {}
}

/**
 * Parses a JSON body. A body shorter than its Content-Length, or one that claims JSON and does not
 * parse, is truncated (retried). A body whose Content-Type is not JSON came whole from something that
 * is not the API (the web app, a proxy's page: the base URL ends in /api, reference practicehub.md,
 * Documented: base URL), which no retry changes: it is returned as NotJsonBody for the caller to refuse.
 */
export async function readJson(
  res: Dispatcher.ResponseData,
  count: (bytes: number) => void,
): Promise<unknown> {
  const bytes = await readAll(res.body, count);
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && res.headers['content-length'] !== undefined && bytes.length !== declared) {
    throw new TruncatedBodyError(`received ${bytes.length} of ${declared} bytes`);
  }
  const text = bytes.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const header = res.headers['content-type'];
    const type = (Array.isArray(header) ? header[0] : header)?.split(';')[0]?.trim().toLowerCase() ?? '';
    if (type && !/[/+]json$/.test(type)) {
      const start = text.replace(/\s+/g, ' ').trim();
      const markup = start.startsWith('<')
        ? start.length > 120
          ? `${start.slice(0, 120)}…`
          : start
        : undefined;
      return new NotJsonBody(res.statusCode, type, bytes.length, markup);
    }
    // The parser's message quotes the text it stopped at, which may be patient data: it is left out.
    throw new TruncatedBodyError(`the body of ${bytes.length} bytes is not valid JSON`);
  }
}

/** An error body as data: the parsed JSON object (or null) and a short text for messages. */
export interface ErrorBody {
  readonly json: Readonly<Record<string, unknown>> | null;
  readonly text: string;
}

const MAX_ERROR_BYTES = 8 * 1024;

/**
 * Reads an error body (at most 8 KB, the rest discarded). PracticeHub does not document its error
 * body; the sandbox sends `{ error, message, ...details }`, so `message`, then `error`, then the raw
 * text is what a person gets to read. `secret` (in any encoding) and credential fields are masked, in
 * case a server echoes the request.
 */
export async function readErrorBody(
  res: Dispatcher.ResponseData,
  count: (bytes: number) => void,
  secret: string,
  mask: string,
): Promise<ErrorBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body) {
      const buffer = chunk as Buffer;
      count(buffer.length);
      if (size < MAX_ERROR_BYTES) chunks.push(buffer);
      size += buffer.length;
    }
  } catch {
    // An error body cut short still says what it managed to say.
  }
  // Masked before it is cut, so that a secret across the cut cannot leave its first characters.
  const clean = redactSecrets(Buffer.concat(chunks).toString('utf8'), [{ value: secret, mask }]).slice(
    0,
    MAX_ERROR_BYTES,
  );
  let json: Record<string, unknown> | null = null;
  try {
    const parsed = JSON.parse(clean) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      json = parsed as Record<string, unknown>;
  } catch {
    json = null;
  }
  const said = json && (typeof json.message === 'string' ? json.message : json.error);
  const text = typeof said === 'string' && said ? said : clean.replace(/\s+/g, ' ').trim();
  return { json, text: text.length > 300 ? `${text.slice(0, 300)}…` : text };
}
