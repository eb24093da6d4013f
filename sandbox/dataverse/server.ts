import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { FaultInjector, resetMidBody } from '../shared/faults.ts';
import { execute, requestKind } from './api.ts';
import { TokenService } from './auth.ts';
import { type Counters, type Ctx, newCounters } from './context.ts';
import { type ApiRequest, type ApiResponse, JSON_TYPE } from './http.ts';
import { applyTamper, type Snapshot, type Stats, statsOf, type Tamper, takeSnapshot } from './inspect.ts';
import { ServiceProtection } from './limits.ts';
import type { SandboxConfig } from './options.ts';
import { SandboxState } from './state.ts';

const TOKEN_PATH = /^\/([^/]+)\/oauth2\/v2\.0\/token$/;
const API_PATH = /^\/api\/data\/v9\.[0-2](?:\/(.*))?$/;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body?: string): void {
  res.writeHead(status, headers);
  res.end(body);
}

/**
 * The Dataverse Web API sandbox: a node:http server on loopback with a client-credentials token
 * endpoint, the `/api/data/v9.2/` Web API and the sandbox-only `/_sandbox/` inspection endpoints.
 */
export class DataverseServer {
  private readonly server: Server;
  private readonly tokens: TokenService;
  private readonly limits: ServiceProtection;
  private state: SandboxState;
  private counters: Counters = newCounters();
  private faults: FaultInjector;
  private baseUrl = '';

  constructor(readonly config: SandboxConfig) {
    this.state = new SandboxState(config);
    this.faults = new FaultInjector(config.faults);
    this.limits = new ServiceProtection(config.limits);
    this.tokens = new TokenService(
      config,
      () => this.baseUrl,
      () => this.state.ids.appUserId,
    );
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent)
          send(
            res,
            500,
            { 'Content-Type': JSON_TYPE },
            JSON.stringify({ error: { code: '0x80040216', message: String(e) } }),
          );
        else res.destroy();
      });
    });
  }

  /** Starts listening; resolves with the base URL (`http://127.0.0.1:PORT`). */
  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.config.port, this.config.host, () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    const host = this.config.host.includes(':') ? `[${this.config.host}]` : this.config.host;
    this.baseUrl = `http://${host}:${port}`;
    return this.baseUrl;
  }

  /** Stops the server and its timers. */
  async close(): Promise<void> {
    this.state.dispose();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Every row of every table (or of the named tables). */
  snapshot(tables?: readonly string[]): Snapshot {
    return takeSnapshot(this.state, tables);
  }

  /** Request, throttle and write counters. */
  stats(): Stats {
    return statsOf(this.counters);
  }

  /** Back to the seeded state: custom tables, rows, counters, limit windows and faults start over. */
  reset(): void {
    this.state.dispose();
    this.state = new SandboxState(this.config);
    this.counters = newCounters();
    this.limits.reset();
    this.faults = new FaultInjector(this.config.faults);
  }

  /** Changes a row behind the API's back. */
  tamper(change: Tamper): void {
    applyTamper(this.state, change);
  }

  /** The current seeded ids (application user, business unit, team, currency). */
  seedIds() {
    return this.state.ids;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const body = await readBody(req);
    const token = TOKEN_PATH.exec(url.pathname);
    if (token && req.method === 'POST') {
      this.counters.requests.token += 1;
      const result = this.tokens.issue(decodeURIComponent(token[1]!), req.headers['content-type'], body);
      send(
        res,
        result.status,
        {
          'Content-Type': 'application/json; charset=utf-8',
          'Cache-Control': 'no-store',
          Pragma: 'no-cache',
        },
        JSON.stringify(result.body),
      );
      return;
    }
    if (url.pathname.startsWith('/_sandbox/')) {
      this.counters.requests.inspect += 1;
      this.inspect(req.method ?? 'GET', url, body, res);
      return;
    }
    const api = API_PATH.exec(url.pathname);
    if (!api) {
      send(res, 404, { 'Content-Type': 'text/plain; charset=utf-8' }, 'Not Found');
      return;
    }
    await this.handleApi(req, res, url, api[1] ?? '', body);
  }

  private async handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    rawPath: string,
    body: string,
  ): Promise<void> {
    const userId = this.tokens.authenticate(req.headers.authorization);
    const common = {
      'OData-Version': '4.0',
      REQ_ID: randomUUID(),
      'x-ms-dop-hint': String(this.config.dopHint),
    };
    if (!userId) {
      this.counters.unauthorized += 1;
      send(res, 401, { ...common, 'WWW-Authenticate': this.tokens.challenge(this.baseUrl) });
      return;
    }
    this.counters.requests[requestKind(rawPath)] += 1;
    const refused = this.limits.admit(userId);
    if (refused) {
      this.counters.throttled += 1;
      send(
        res,
        429,
        { ...common, 'Content-Type': JSON_TYPE, 'Retry-After': String(refused.retryAfterSeconds) },
        JSON.stringify({ error: { code: refused.code, message: refused.message } }),
      );
      return;
    }
    const started = performance.now();
    try {
      const fault = this.faults.next();
      if (fault) this.counters.faultsInjected += 1;
      if (fault?.kind === 'throttle') {
        this.counters.throttled += 1;
        const message = `Number of requests exceeded the limit of ${this.config.limits.requestsPerWindow} over time window of ${this.config.limits.windowSeconds} seconds.`;
        send(
          res,
          429,
          { ...common, 'Content-Type': JSON_TYPE, 'Retry-After': String(fault.retryAfterSeconds) },
          JSON.stringify({ error: { code: '0x80072322', message } }),
        );
        return;
      }
      if (fault?.kind === 'server-error') {
        const message =
          fault.status === 500
            ? 'An unexpected error occurred.'
            : 'The service is temporarily unavailable. Please try again later.';
        // A gateway's 502 or 503 carries no Dataverse code; 0x80044151 would be a SQL timeout, which
        // a client answers by shrinking its request rather than by sending it again.
        send(
          res,
          fault.status,
          { ...common, 'Content-Type': JSON_TYPE },
          JSON.stringify({ error: { code: fault.status === 500 ? '0x80040216' : '', message } }),
        );
        return;
      }
      if (fault?.kind === 'reset') {
        resetMidBody(res);
        return;
      }
      if (fault?.kind === 'slow') await delay(fault.delayMs);
      const response = this.runApi(req, url, rawPath, body, userId);
      if (response.delayMs !== undefined) await delay(response.delayMs);
      send(
        res,
        response.status,
        { ...common, ...this.limits.headers(userId), ...response.headers },
        response.body,
      );
    } finally {
      this.limits.complete(userId, performance.now() - started);
    }
  }

  private runApi(req: IncomingMessage, url: URL, rawPath: string, body: string, userId: string): ApiResponse {
    const apiUrl = `${this.baseUrl}/api/data/v9.2/`;
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      path = rawPath;
    }
    const request: ApiRequest = {
      method: req.method ?? 'GET',
      path,
      query: url.searchParams,
      headers: flatHeaders(req),
      body,
      url: url.toString(),
    };
    const ctx: Ctx = {
      config: this.config,
      state: this.state,
      counters: this.counters,
      apiUrl,
      caller: { id: userId, table: 'systemuser' },
      now: Date.now,
      partFault: () => {
        const fault = this.faults.nextPart();
        if (fault) this.counters.faultsInjected += 1;
        return fault;
      },
    };
    return execute(ctx, request);
  }

  private inspect(method: string, url: URL, body: string, res: ServerResponse): void {
    const json = (status: number, value: unknown) =>
      send(res, status, { 'Content-Type': 'application/json; charset=utf-8' }, JSON.stringify(value));
    try {
      const route = `${method} ${url.pathname}`;
      if (route === 'GET /_sandbox/snapshot') {
        const only = url.searchParams.get('tables');
        json(
          200,
          this.snapshot(
            only
              ? only
                  .split(',')
                  .map((s) => s.trim())
                  .filter(Boolean)
              : undefined,
          ),
        );
      } else if (route === 'GET /_sandbox/stats') {
        json(200, this.stats());
      } else if (route === 'POST /_sandbox/reset') {
        this.reset();
        send(res, 204, {});
      } else if (route === 'POST /_sandbox/tamper') {
        this.tamper(JSON.parse(body) as Tamper);
        send(res, 204, {});
      } else {
        json(404, { error: `no sandbox route '${route}'` });
      }
    } catch (e) {
      json(400, { error: e instanceof Error ? e.message : String(e) });
    }
  }
}
