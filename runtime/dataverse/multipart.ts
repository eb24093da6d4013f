/** One request of a $batch, as written on the wire. */
export interface WirePart {
  readonly method: string;
  /** Absolute path (`/api/data/v9.2/contacts`) or a Content-ID reference (`$1`). */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly contentId?: string;
}

/** A change set: parts that succeed or fail together. */
export interface WireChangeSet {
  readonly changeSet: readonly WirePart[];
}

/** One HTTP response inside a $batch response. */
export interface PartResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly contentId?: string;
}

/** A top-level item of a $batch response: one response, or the responses of a change set. */
export type BatchResponseItem =
  | { readonly kind: 'response'; readonly response: PartResponse }
  | { readonly kind: 'changeset'; readonly responses: readonly PartResponse[] };

const CRLF = '\r\n';

function writePart(boundary: string, part: WirePart): string {
  const lines = [`--${boundary}`, 'Content-Type: application/http', 'Content-Transfer-Encoding: binary'];
  if (part.contentId !== undefined) lines.push(`Content-ID: ${part.contentId}`);
  lines.push('', `${part.method} ${part.url} HTTP/1.1`);
  for (const [k, v] of Object.entries(part.headers)) lines.push(`${k}: ${v}`);
  lines.push('', part.body ?? '');
  return lines.join(CRLF) + CRLF;
}

/**
 * The multipart/mixed body of a $batch (PA`webapi/execute-batch-operations-using-web-api`, reference
 * §3.2): `application/http` parts with `Content-Transfer-Encoding: binary`, change sets as nested
 * `multipart/mixed` parts, each closed by its `--boundary--` line.
 */
export function writeBatch(
  boundary: string,
  items: readonly (WirePart | WireChangeSet)[],
  changeSetBoundary: (i: number) => string,
): string {
  let out = '';
  items.forEach((item, i) => {
    if ('changeSet' in item) {
      const cs = changeSetBoundary(i);
      out += `--${boundary}${CRLF}Content-Type: multipart/mixed; boundary=${cs}${CRLF}${CRLF}`;
      for (const part of item.changeSet) out += writePart(cs, part);
      out += `--${cs}--${CRLF}`;
    } else {
      out += writePart(boundary, item);
    }
  });
  return `${out}--${boundary}--${CRLF}`;
}

/** The boundary of a multipart content type, quoted or not. */
export function boundaryOf(contentType: string | undefined): string | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return m ? (m[1] ?? m[2]) : undefined;
}

function splitHead(text: string): { head: string[]; body: string } {
  const m = /\r?\n\r?\n/.exec(text);
  if (!m) return { head: text.split(/\r?\n/).filter(Boolean), body: '' };
  return { head: text.slice(0, m.index).split(/\r?\n/), body: text.slice(m.index + m[0].length) };
}

function headerMap(lines: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return headers;
}

/** Splits a multipart body into parts (headers and raw body); throws when the closing line is missing. */
export function splitMultipart(
  text: string,
  boundary: string,
): { headers: Record<string, string>; body: string }[] {
  const escaped = boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const delimiter = new RegExp(`(?:^|\\r?\\n)--${escaped}(--)?[ \\t]*(?:\\r?\\n|$)`, 'g');
  const parts: { headers: Record<string, string>; body: string }[] = [];
  let last: number | undefined;
  for (let m = delimiter.exec(text); m !== null; m = delimiter.exec(text)) {
    if (last !== undefined) {
      const { head, body } = splitHead(text.slice(last, m.index));
      parts.push({ headers: headerMap(head), body });
    }
    last = m.index + m[0].length;
    if (m[1] === '--') return parts;
  }
  throw new Error(`the multipart body is not closed by '--${boundary}--'`);
}

function readResponse(part: { headers: Record<string, string>; body: string }): PartResponse {
  const { head, body } = splitHead(part.body.replace(/^(\r?\n)+/, ''));
  const m = /^HTTP\/1\.[01]\s+(\d{3})/.exec(head[0] ?? '');
  if (!m) throw new Error(`a $batch response part has no status line: '${(head[0] ?? '').slice(0, 60)}'`);
  const contentId = part.headers['content-id'];
  return {
    status: Number(m[1]),
    headers: headerMap(head.slice(1)),
    body: body.replace(/\r?\n$/, ''),
    ...(contentId !== undefined ? { contentId } : {}),
  };
}

/** Parses a $batch response into its top-level items, change sets unpacked. */
export function parseBatchResponse(contentType: string | undefined, text: string): BatchResponseItem[] {
  const boundary = boundaryOf(contentType);
  if (!boundary)
    throw new Error(`the $batch response is not multipart (Content-Type '${contentType ?? ''}')`);
  return splitMultipart(text, boundary).map((part): BatchResponseItem => {
    const type = part.headers['content-type'] ?? '';
    if (/^multipart\/mixed/i.test(type)) {
      const inner = boundaryOf(type);
      if (!inner) throw new Error('a change set response has no boundary');
      return { kind: 'changeset', responses: splitMultipart(part.body, inner).map(readResponse) };
    }
    return { kind: 'response', response: readResponse(part) };
  });
}
