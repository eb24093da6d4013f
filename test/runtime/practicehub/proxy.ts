import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running forwarding server. */
export interface IgnoringProxy {
  /** The proxied API base URL (same region path as the target). */
  readonly baseUrl: string;
  /** Query parameter names dropped so far, counted. */
  readonly dropped: Map<string, number>;
  close(): Promise<void>;
}

/**
 * A tiny server in front of a PracticeHub base URL that forwards everything but drops the named query
 * parameters: an API that silently ignores those filters, as the reference warns real ones do.
 */
export async function startIgnoringProxy(
  targetBaseUrl: string,
  ignore: readonly string[],
): Promise<IgnoringProxy> {
  const target = new URL(targetBaseUrl);
  const dropped = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', target.origin);
    for (const name of ignore) {
      if (url.searchParams.has(name)) dropped.set(name, (dropped.get(name) ?? 0) + 1);
      url.searchParams.delete(name);
    }
    const forward = request(
      url,
      { method: req.method, headers: { ...req.headers, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  const { port, close } = await listening(server);
  return {
    baseUrl: `http://127.0.0.1:${port}${target.pathname}`,
    dropped,
    close,
  };
}

/** A running rewriting server. */
export interface RewritingProxy {
  /** PRACTICEHUB_BASE_URL for the proxy: `http://127.0.0.1:PORT/{region}/api`. */
  readonly baseUrlTemplate: string;
  close(): Promise<void>;
}

/**
 * A tiny server in front of a PracticeHub base URL that forwards everything and passes each JSON body
 * of a 200 answer through `rewrite` (with the request's path): an API that serves what the sandbox
 * never would, such as a record without a usable id.
 */
export async function startRewritingProxy(
  targetBaseUrl: string,
  rewrite: (path: string, body: Record<string, unknown>) => unknown,
): Promise<RewritingProxy> {
  const target = new URL(targetBaseUrl);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', target.origin);
    const { 'accept-encoding': _encoding, ...headers } = req.headers;
    const forward = request(
      url,
      { method: req.method, headers: { ...headers, host: target.host } },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          let text = Buffer.concat(chunks).toString('utf8');
          if (answer.statusCode === 200 && String(answer.headers['content-type']).includes('json'))
            text = JSON.stringify(rewrite(url.pathname, JSON.parse(text)));
          const { 'content-length': _length, ...rest } = answer.headers;
          res.writeHead(answer.statusCode ?? 502, rest);
          res.end(text);
        });
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  const { port, close } = await listening(server);
  return {
    baseUrlTemplate: `http://127.0.0.1:${port}/{region}/api`,
    close,
  };
}

/** Starts `server` on a free loopback port; `close` stops it and drops its open connections. */
async function listening(server: Server): Promise<{ port: number; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
