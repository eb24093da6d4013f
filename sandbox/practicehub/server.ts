import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultInjector, resetMidBody } from '../shared/faults.ts';
import { createRng, mixSeed, type Rng } from '../shared/rng.ts';
import { createContext } from './data/context.ts';
import { isResourceName } from './data/registry.ts';
import { LinkSigner } from './files/links.ts';
import { header, readBody, sendError, sendJson } from './http.ts';
import { isRegion, maskKey, type Region, regionOfKey } from './keys.ts';
import { applyMutation, type Mutation, MutationError } from './mutations.ts';
import type { ResolvedOptions } from './options.ts';
import { retryAfterSeconds, SlidingWindowLimiter } from './rate-limit.ts';
import { type ApiContext, handleDownload, handleGet, handleList } from './routes.ts';
import { StatsRecorder } from './stats.ts';
import { DataStore } from './store.ts';

/** `name=email`: the documented `x-app-details: appname=<contact email>` (reference, Documented: auth headers). */
const APP_DETAILS = /^[^=\s][^=]*=\s*[^@\s]+@[^@\s]+\s*$/;

/**
 * The PracticeHub sandbox's HTTP server: one account in one region, its data, its rate limit and its
 * faults. All state lives on the instance, so servers in one process share nothing.
 */
export class PracticeHubServer {
  readonly store: DataStore;
  readonly stats: StatsRecorder;
  private readonly limiter: SlidingWindowLimiter;
  private readonly faults: FaultInjector;
  private readonly signer: LinkSigner;
  private readonly mutationRng: Rng;
  private readonly http: Server;
  private readonly timers = new Set<NodeJS.Timeout>();
  private origin = '';

  constructor(readonly options: ResolvedOptions) {
    this.store = new DataStore(createContext(options.seed, options.scale));
    this.limiter = new SlidingWindowLimiter(options.rate, options.clock);
    this.faults = new FaultInjector(options.faults);
    this.stats = new StatsRecorder(this.faults, options.clock);
    this.signer = new LinkSigner(options.fileLinkTtlSeconds, options.clock);
    this.mutationRng = createRng(mixSeed(options.seed, 4242));
    this.http = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendError(res, 500, 'internal_error', String(error), (b) => this.stats.sent(b));
        else res.destroy();
      });
    });
  }

  /** Starts listening; resolves with the bound port. */
  async listen(): Promise<number> {
    const { host, port } = this.options;
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => resolve());
    });
    const bound = (this.http.address() as AddressInfo).port;
    this.origin = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
    return bound;
  }

  /** `http://host:port`. */
  get baseOrigin(): string {
    return this.origin;
  }

  /** The API base URL of a region. */
  baseUrl(region: Region): string {
    return `${this.origin}/${region}/api`;
  }

  /** The routes' view of this server. */
  get api(): ApiContext {
    return {
      store: this.store,
      signer: this.signer,
      origin: this.origin,
      projection: this.options.projection,
      count: (bytes) => this.stats.sent(bytes),
    };
  }

  /** Applies a mutation now (see mutations.ts). */
  mutate(mutation: Mutation): string[] {
    return applyMutation(this.store, mutation, this.options.clock(), this.mutationRng);
  }

  /** Stops accepting requests and drops open connections. */
  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeAllConnections();
    await closed;
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    const count = (bytes: number): void => this.stats.sent(bytes);
    const segments = path.split('/').slice(1);
    if (segments[0] === '_sandbox') return this.handleAdmin(req, res, segments.slice(1));
    const [region, area, resource, id, extra] = segments.map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    }) as (string | undefined)[];
    const isApi =
      area === 'api' && resource !== undefined && resource !== '' && extra === undefined && id !== '';
    const isDownload = area === 'files' && resource !== undefined && id === 'content' && extra === undefined;
    if (!region || !isRegion(region) || !(isApi || isDownload)) {
      return sendError(res, 404, 'not_found', `no route ${path}`, count);
    }
    const apiKey = this.authenticate(req, res, region);
    if (!apiKey) return;
    if (req.method !== 'GET') {
      return sendError(
        res,
        405,
        'method_not_allowed',
        `${req.method} is not served; the sandbox is read-only`,
        count,
        {
          headers: { Allow: 'GET' },
        },
      );
    }
    if (!(await this.admit(res, apiKey))) return;
    if (isDownload) return handleDownload(this.api, res, resource!, rawQuery, apiKey);
    if (!isResourceName(resource!))
      return sendError(res, 404, 'not_found', `unknown resource '${resource}'`, count);
    if (id === undefined) return handleList(this.api, res, region, resource, rawQuery, apiKey);
    return handleGet(this.api, res, region, resource, id, rawQuery, apiKey);
  }

  /**
   * Headers and key (reference, sandbox model: Headers, Regions): no key → 401; a key of another
   * region → 401 naming that region's base URL; an unknown key → 401; no valid x-app-details → 400.
   */
  private authenticate(req: IncomingMessage, res: ServerResponse, region: Region): string | undefined {
    const count = (bytes: number): void => this.stats.sent(bytes);
    const refuse = (
      status: number,
      code: string,
      message: string,
      details?: Record<string, unknown>,
    ): undefined => {
      this.stats.refused();
      sendError(res, status, code, message, count, details ? { details } : {});
      return undefined;
    };
    const key = header(req, 'x-practicehub-key')?.trim();
    if (!key) return refuse(401, 'missing_api_key', 'send your API key in the x-practicehub-key header');
    const keyRegion = regionOfKey(key);
    if (keyRegion && keyRegion !== region) {
      const baseUrl = this.baseUrl(keyRegion);
      return refuse(401, 'wrong_region', `this API key belongs to region '${keyRegion}': use ${baseUrl}`, {
        region: keyRegion,
        base_url: baseUrl,
      });
    }
    if (key !== this.options.apiKey) return refuse(401, 'invalid_api_key', 'the API key is not valid');
    // The documented form is `appname=<contact email>`; anything else is refused (the stricter reading).
    const details = header(req, 'x-app-details');
    if (!details || !APP_DETAILS.test(details)) {
      return refuse(400, 'missing_app_details', 'send x-app-details: <app name>=<contact email>');
    }
    return key;
  }

  /**
   * Rate limit, then faults. A 429 (limit or injected) consumes nothing from the window; every other
   * answer, injected errors included, counts as a request served.
   */
  private async admit(res: ServerResponse, apiKey: string): Promise<boolean> {
    const count = (bytes: number): void => this.stats.sent(bytes);
    const masked = maskKey(apiKey);
    const waitMs = this.limiter.check(apiKey);
    if (waitMs > 0) {
      this.stats.throttled(masked, false);
      const seconds = retryAfterSeconds(waitMs);
      sendError(res, 429, 'rate_limited', `rate limit exceeded: retry after ${seconds} s`, count, {
        headers: { 'Retry-After': String(seconds) },
      });
      return false;
    }
    const fault = this.faults.next();
    if (fault?.kind === 'throttle') {
      this.stats.throttled(masked, true);
      sendError(
        res,
        429,
        'rate_limited',
        `rate limit exceeded: retry after ${fault.retryAfterSeconds} s`,
        count,
        {
          headers: { 'Retry-After': String(fault.retryAfterSeconds) },
        },
      );
      return false;
    }
    this.limiter.consume(apiKey);
    this.stats.served(masked);
    if (fault?.kind === 'server-error') {
      sendError(res, fault.status, 'server_error', `injected ${fault.status}`, count);
      return false;
    }
    if (fault?.kind === 'reset') {
      resetMidBody(res);
      return false;
    }
    if (fault?.kind === 'slow') await this.delay(fault.delayMs);
    return true;
  }

  private async handleAdmin(req: IncomingMessage, res: ServerResponse, rest: string[]): Promise<void> {
    const count = (bytes: number): void => this.stats.sent(bytes);
    const route = `${req.method} ${rest.join('/')}`;
    if (route === 'GET stats') return sendJson(res, 200, this.stats.snapshot(), count);
    if (route !== 'POST mutations')
      return sendError(res, 404, 'not_found', `no sandbox route ${route}`, count);
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch (error) {
      return sendError(
        res,
        400,
        'invalid_json',
        `the body must be a JSON mutation: ${(error as Error).message}`,
        count,
      );
    }
    try {
      return sendJson(res, 200, { ids: this.mutate(body as Mutation) }, count);
    } catch (error) {
      if (error instanceof MutationError)
        return sendError(res, error.status, 'invalid_mutation', error.message, count);
      throw error;
    }
  }
}
