import { STATUS_CODES } from 'node:http';

/** One MIME part: lower-case headers and the raw body text. */
export interface MimePart {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** An HTTP request embedded in an `application/http` part. */
export interface InnerRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The boundary of a `multipart/mixed` content type, quoted or not. */
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

/**
 * Splits a multipart body on `--boundary` lines (OData 4.0 §11.7, as the $batch doc shows); returns
 * undefined when the closing delimiter is missing. CRLF and bare LF line ends are both accepted.
 */
export function parseMultipart(text: string, boundary: string): MimePart[] | undefined {
  const delimiter = new RegExp(
    `(?:^|\\r?\\n)--${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(--)?[ \\t]*(?:\\r?\\n|$)`,
    'g',
  );
  const parts: MimePart[] = [];
  let last: number | undefined;
  let closed = false;
  for (let m = delimiter.exec(text); m !== null; m = delimiter.exec(text)) {
    if (last !== undefined) {
      const { head, body } = splitHead(text.slice(last, m.index));
      parts.push({ headers: headerMap(head), body });
    }
    last = m.index + m[0].length;
    if (m[1] === '--') {
      closed = true;
      break;
    }
  }
  return closed ? parts : undefined;
}

/** Parses the request line, headers and body of an `application/http` part. */
export function parseInnerRequest(text: string): InnerRequest | undefined {
  const { head, body } = splitHead(text.replace(/^(\r?\n)+/, ''));
  const m = /^([A-Z]+)\s+(\S+)(?:\s+HTTP\/1\.[01])?$/.exec(head[0] ?? '');
  if (!m) return undefined;
  return { method: m[1]!, url: m[2]!, headers: headerMap(head.slice(1)), body: body.replace(/\r?\n$/, '') };
}

/** One response part of a batch response. */
export interface ResponsePart {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly contentId?: string;
}

/** Writes an `application/http` response part (see the $batch doc's response examples). */
export function writeResponsePart(boundary: string, part: ResponsePart): string {
  const lines = [`--${boundary}`, 'Content-Type: application/http', 'Content-Transfer-Encoding: binary'];
  if (part.contentId !== undefined) lines.push(`Content-ID: ${part.contentId}`);
  lines.push('', `HTTP/1.1 ${part.status} ${STATUS_CODES[part.status] ?? ''}`.trimEnd());
  for (const [k, v] of Object.entries(part.headers)) lines.push(`${k}: ${v}`);
  lines.push('', part.body ?? '');
  return `${lines.join('\r\n')}\r\n`;
}
