import type { IncomingMessage, ServerResponse } from 'node:http';

/** Counts bytes written to responses (one per server: stats are per instance). */
export type ByteCounter = (bytes: number) => void;

/** Sends a JSON body with Content-Type and Content-Length. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  count: ByteCounter,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  const length = Buffer.byteLength(text);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(length),
    ...headers,
  });
  res.end(text);
  count(length);
}

/**
 * Sends an error. PracticeHub does not document its error body; the sandbox answers
 * `{ "error": <code>, "message": <text>, ...details }`, always JSON, so clients can log it.
 */
export function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  count: ByteCounter,
  extra: { headers?: Record<string, string>; details?: Record<string, unknown> } = {},
): void {
  sendJson(res, status, { error: code, message, ...extra.details }, count, extra.headers);
}

/** Reads a request body up to `limit` bytes; rejects with a message when it is larger. */
export function readBody(req: IncomingMessage, limit = 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error(`request body larger than ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The first value of a request header. */
export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
