import type { Dispatcher } from 'undici';
import { type Backoff, parseRetryAfter } from '../shared/backoff.ts';
import { REDACTED, redactSecrets, type Secret } from '../shared/redact.ts';
import type { Clock } from './clock.ts';
import { DataverseError } from './errors.ts';
import type { DataverseEventListener } from './events.ts';
import { DEFAULTS } from './options.ts';
import type { StatsRecorder } from './stats.ts';
import { describeFailure, failureCode, isPermanentFailure, sendOnce, unreachableHint } from './wire.ts';

/*
 * Why a small client instead of @azure/msal-node or @azure/identity: both refuse an authority that is
 * not https. msal-common's Authority constructor calls UrlString.validateAsUri(), which throws
 * `authority_uri_insecure` ("Authority URIs must use https.") for any other scheme
 * (AzureAD/microsoft-authentication-library-for-js, lib/msal-common/src/url/UrlString.ts and
 * src/authority/Authority.ts), and @azure/identity's IdentityClient throws "The authorityHost address must
 * use the 'https' protocol." (Azure/azure-sdk-for-js, sdk/identity/identity/src/client/identityClient.ts).
 * msal also discovers endpoints through `<authority>/v2.0/.well-known/openid-configuration` first. The
 * sandbox's token endpoint is plain http on loopback, and the same code must serve both, so this module
 * speaks the client-credentials grant itself (v2-oauth2-client-creds-grant-flow, reference §7): one form
 * POST, no refresh tokens, a cached bearer token refreshed before it expires.
 */

/** Settings of the token client. */
export interface TokenClientOptions {
  /** `https://login.microsoftonline.com` or AZURE_AUTHORITY_HOST. */
  readonly authorityHost: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** `${DATAVERSE_URL}/.default` for confidential clients (PA`authenticate-oauth`). */
  readonly scope: string;
  /** Refresh this long before expiry; short-lived tokens refresh at half their life instead. */
  readonly refreshMarginMs: number;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly backoff: Backoff;
  readonly clock: Clock;
  readonly dispatcher: Dispatcher;
  readonly stats: StatsRecorder;
  readonly emit: DataverseEventListener;
}

interface Cached {
  readonly token: string;
  readonly expiresAt: number;
  readonly refreshAt: number;
}

/** The setting that names the authority, as a hint names it. */
const AUTHORITY = `AZURE_AUTHORITY_HOST (unset: ${DEFAULTS.authorityHost}, the Entra ID authority)`;

/** Entra ID hints by AADSTS code (reference-error-codes as the sandbox answers them). */
function entraHint(aadsts: number | undefined, error: string): string {
  switch (aadsts) {
    case 7000215:
    case 7000218:
      return 'check AZURE_CLIENT_SECRET: it must be the secret value (not its id) and not expired';
    case 700016:
      return 'check AZURE_CLIENT_ID and AZURE_TENANT_ID: the app registration was not found in this tenant';
    case 90002:
      return 'check AZURE_TENANT_ID and AZURE_AUTHORITY_HOST: the tenant was not found';
    case 500011:
    case 1002012:
      return 'check DATAVERSE_URL: the scope is `<environment url>/.default`';
    default:
      return `check AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET and AZURE_AUTHORITY_HOST (${error || 'token error'})`;
  }
}

/**
 * Client-credentials tokens for one app registration and one environment: cached, refreshed before
 * expiry, one refresh in flight shared by every caller, and dropped when the API answers 401 with it.
 * The secret and the tokens live in private fields, so logging the client shows neither.
 */
export class TokenClient {
  readonly #secret: string;
  #cached: Cached | undefined;
  #inflight: Promise<string> | undefined;
  #forced = false;

  private readonly options: Omit<TokenClientOptions, 'clientSecret'>;

  constructor(options: TokenClientOptions) {
    const { clientSecret, ...rest } = options;
    this.#secret = clientSecret;
    this.options = rest;
  }

  /** A valid access token, from the cache or freshly issued. */
  async get(): Promise<string> {
    const cached = this.#cached;
    const now = this.options.clock.now();
    if (cached && now < cached.refreshAt) return cached.token;
    if (!this.#inflight) {
      this.#inflight = this.fetchToken().finally(() => {
        this.#inflight = undefined;
      });
    }
    try {
      return await this.#inflight;
    } catch (e) {
      // A failed early refresh is not fatal while the old token is still valid.
      if (cached && this.options.clock.now() < cached.expiresAt && this.#cached === cached)
        return cached.token;
      throw e;
    }
  }

  /** Forgets `token` after the API refused it, so the next `get` fetches a new one (once for all callers). */
  invalidate(token: string): void {
    if (this.#cached?.token === token) {
      this.#cached = undefined;
      this.#forced = true;
    }
  }

  /** When the cached token expires (ms since epoch), if there is one. */
  expiresAt(): number | undefined {
    return this.#cached?.expiresAt;
  }

  private async fetchToken(): Promise<string> {
    const o = this.options;
    const url = new URL(
      `${o.authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(o.tenantId)}/oauth2/v2.0/token`,
    );
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: o.clientId,
      client_secret: this.#secret,
      scope: o.scope,
    }).toString();
    for (let attempt = 1; ; attempt += 1) {
      o.stats.requests.token += 1;
      let status = 0;
      let text = '';
      let retryAfter: string | undefined;
      let failure: string | undefined;
      let code: string | undefined;
      let permanent = false;
      try {
        const res = await sendOnce(o.dispatcher, {
          origin: url.origin,
          path: url.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body,
          timeoutMs: o.timeoutMs,
        });
        ({ status, text } = res);
        retryAfter = res.headers['retry-after'];
      } catch (e) {
        failure = describeFailure(e);
        code = failureCode(e);
        permanent = isPermanentFailure(e);
      }
      if (status === 200) return this.accept(text, url.pathname);
      const transient = (failure !== undefined && !permanent) || status === 429 || status >= 500;
      if (transient && attempt <= o.maxRetries) {
        const wait = parseRetryAfter(retryAfter, o.clock.now()) ?? o.backoff.delayMs(attempt);
        o.stats.retries += 1;
        o.stats.waitMs.backoff += wait;
        await o.clock.sleep(wait);
        continue;
      }
      throw this.failure(status, text, failure, url, code);
    }
  }

  private accept(text: string, path: string): string {
    const o = this.options;
    let json: { access_token?: unknown; expires_in?: unknown } = {};
    try {
      json = (JSON.parse(text) ?? {}) as typeof json;
    } catch {
      // The parser's message quotes the body, which may hold the token: say only what was wrong.
      json = {};
    }
    const lifetimeS = Number(json.expires_in);
    if (typeof json.access_token !== 'string' || !Number.isFinite(lifetimeS) || lifetimeS <= 0) {
      throw new DataverseError({
        status: 200,
        code: 'invalid_token_response',
        serverMessage: 'the token endpoint answered 200 without a JSON access_token and expires_in',
        method: 'POST',
        path,
        operation: 'token request',
        hint: 'check AZURE_AUTHORITY_HOST: it must be the Microsoft Entra ID authority',
      });
    }
    const now = o.clock.now();
    const lifetimeMs = lifetimeS * 1000;
    const margin = Math.min(o.refreshMarginMs, lifetimeMs / 2);
    this.#cached = {
      token: json.access_token,
      expiresAt: now + lifetimeMs,
      refreshAt: now + lifetimeMs - margin,
    };
    o.emit({ type: 'token', expiresInSeconds: lifetimeS, forced: this.#forced });
    this.#forced = false;
    return json.access_token;
  }

  private failure(
    status: number,
    text: string,
    failure: string | undefined,
    url: URL,
    code: string | undefined,
  ): DataverseError {
    const path = url.pathname;
    if (failure !== undefined) {
      return new DataverseError({
        status: 0,
        code: 'network',
        serverMessage: failure,
        method: 'POST',
        path,
        operation: 'token request',
        hint: unreachableHint(url.origin, code, AUTHORITY) ?? `check ${AUTHORITY} and the network path to it`,
      });
    }
    // An authority (or a proxy in front of it) may echo the request, secret included: nothing of the
    // answer reaches the error unmasked.
    const clean = redactSecrets(text, this.secrets());
    let json: { error?: unknown; error_description?: unknown; error_codes?: unknown } = {};
    try {
      json = (JSON.parse(clean) ?? {}) as typeof json;
    } catch {
      json = {};
    }
    const error = typeof json.error === 'string' ? json.error : '';
    // error_description ends with trace and correlation ids on separate lines; the first line says it all.
    const description =
      typeof json.error_description === 'string' ? json.error_description.split(/\r?\n/)[0]! : '';
    const codes = Array.isArray(json.error_codes) ? (json.error_codes as unknown[]) : [];
    const aadsts = typeof codes[0] === 'number' ? codes[0] : undefined;
    return new DataverseError({
      status,
      code: error || String(status),
      serverMessage: description || `the token endpoint answered HTTP ${status}`,
      method: 'POST',
      path,
      operation: 'token request',
      hint: entraHint(aadsts, error),
    });
  }

  /** The client secret and the current token, as they must never appear in an error. */
  secrets(): Secret[] {
    return [
      { value: this.#secret, mask: `${REDACTED} (AZURE_CLIENT_SECRET)` },
      { value: this.#cached?.token ?? '', mask: `${REDACTED} (access token)` },
    ];
  }
}
