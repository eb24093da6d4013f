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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}${target.pathname}`,
    dropped,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
