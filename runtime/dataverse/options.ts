import type { Dispatcher } from 'undici';
import type { BackoffOptions } from '../shared/backoff.ts';
import { missingVariables } from '../shared/env.ts';
import type { Clock } from './clock.ts';
import type { DataverseEventListener } from './events.ts';

/** Settings of a DataverseClient. Only the connection settings are required. */
export interface DataverseClientOptions {
  /** DATAVERSE_URL, the environment URL, e.g. `https://contoso.crm4.dynamics.com`. */
  readonly url: string;
  /** AZURE_TENANT_ID. */
  readonly tenantId: string;
  /** AZURE_CLIENT_ID of the app registration behind the application user. */
  readonly clientId: string;
  /** AZURE_CLIENT_SECRET; kept out of logs, errors and events. */
  readonly clientSecret: string;
  /** AZURE_AUTHORITY_HOST; default `https://login.microsoftonline.com`. */
  readonly authorityHost?: string;
  /** Upper bound on requests in flight; x-ms-dop-hint sets the concurrency below it. */
  readonly maxConcurrency?: number;
  /** The service's concurrent-request limit per user; default 52 (PA`api-limits`). */
  readonly concurrencyLimit?: number;
  /** Successes after which a concurrency lowered by the concurrency limit grows back by one; default 100. */
  readonly concurrencyRecoveryAfter?: number;
  /** Per-request timeout for the status line and between body chunks; default 4 minutes (bulk-operations). */
  readonly timeoutMs?: number;
  /** Retries after 5xx, resets and timeouts; default 6. */
  readonly maxRetries?: number;
  /** Retries after 429; default 20. */
  readonly maxThrottleRetries?: number;
  /** Exponential backoff with full jitter; default 500 ms doubling up to 60 s. */
  readonly backoff?: BackoffOptions;
  /** Seed of the backoff jitter. */
  readonly seed?: number;
  /** Refresh tokens this long before expiry (half the lifetime for short-lived ones); default 5 minutes. */
  readonly refreshMarginMs?: number;
  /** Progress events; never carry secrets or record values. */
  readonly onEvent?: DataverseEventListener;
  readonly clock?: Clock;
  /**
   * undici dispatcher for the token and data requests (default: an Agent owned by the client, closed
   * by close()); one passed in stays open. Tests use it to resolve names without a DNS server.
   */
  readonly dispatcher?: Dispatcher;
}

/** The defaults of every optional setting. */
export const DEFAULTS = {
  authorityHost: 'https://login.microsoftonline.com',
  concurrencyLimit: 52,
  concurrencyRecoveryAfter: 100,
  timeoutMs: 240_000,
  maxRetries: 6,
  maxThrottleRetries: 20,
  backoff: { baseMs: 500, maxMs: 60_000 },
  seed: 1,
  refreshMarginMs: 300_000,
} as const;

/**
 * Connection settings from the environment: DATAVERSE_URL, AZURE_TENANT_ID, AZURE_CLIENT_ID,
 * AZURE_CLIENT_SECRET and (optional) AZURE_AUTHORITY_HOST. Throws naming the missing variables, never
 * their values, or naming a URL variable that is not an https URL (http only on loopback) or that
 * carries credentials, a query or a fragment.
 */
export function optionsFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): DataverseClientOptions {
  const names = ['DATAVERSE_URL', 'AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET'] as const;
  const { missing, renames } = missingVariables(names, env);
  if (missing) throw new Error(`set ${missing} to reach Dataverse${renames}`);
  return {
    url: checkedUrl(
      'DATAVERSE_URL',
      env.DATAVERSE_URL!,
      'the environment URL https://<org>.crm<n>.dynamics.com',
      'every request would carry the access token',
    ),
    tenantId: env.AZURE_TENANT_ID!,
    clientId: env.AZURE_CLIENT_ID!,
    clientSecret: env.AZURE_CLIENT_SECRET!,
    ...(env.AZURE_AUTHORITY_HOST
      ? {
          authorityHost: checkedUrl(
            'AZURE_AUTHORITY_HOST',
            env.AZURE_AUTHORITY_HOST,
            `the Entra ID authority ${DEFAULTS.authorityHost} (or unset it)`,
            'the token request would carry AZURE_CLIENT_SECRET',
          ),
        }
      : {}),
  };
}

/** Host names of this machine, where a request does not cross a network: the sandboxes serve there. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * `value` without surrounding blanks and trailing slashes when it is an https URL, or an http URL of a
 * loopback host (the sandbox serves both the organisation and the authority there). Elsewhere plain
 * http would send `carries` in clear text, so a typo such as `http://login.microsoftonline.com` stops
 * here rather than after the secret has crossed the network.
 */
function checkedUrl(name: string, value: string, expected: string, carries: string): string {
  const trimmed = value.trim();
  let url: URL | undefined;
  try {
    url = new URL(trimmed);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'https:' && url?.protocol !== 'http:') {
    const holds = trimmed ? `it holds ${glimpse(trimmed)}` : 'it is blank';
    throw new Error(`${name} is not an http(s) URL: ${holds}; set it to ${expected}`);
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new Error(
      `${name} is a plain http URL of ${url.hostname}: ${carries} across the network in clear text; ` +
        `set it to ${expected} (plain http is only for the sandbox on 127.0.0.1, ::1 or localhost)`,
    );
  }
  if (url.username || url.password || url.search || url.hash) {
    // Not echoed: whatever sits in the userinfo or the query may be a secret.
    throw new Error(
      `${name} must not carry credentials, a query or a fragment: the service authenticates with a token, ` +
        `and the URL appears in messages; set it to ${expected}`,
    );
  }
  if (!/^\/*$/.test(url.pathname)) {
    // A path would be sent twice (DATAVERSE_URL's /api/data/v9.2 pasted from the Web API endpoint) or
    // become the token scope, which Entra ID does not know.
    const path = url.pathname.length > 60 ? `${url.pathname.slice(0, 60)}…` : url.pathname;
    throw new Error(
      `${name} holds a path (${path}): set it to ${expected}, without a path (flitstack adds the path of each request)`,
    );
  }
  return trimmed.replace(/\/+$/, '');
}

/**
 * The start of a value that should have been a URL, and its length: enough to recognise a missing
 * scheme or a swapped variable, while a secret put there by mistake (a .env file with two values
 * swapped) never shows more than 8 characters or half of itself.
 */
function glimpse(value: string): string {
  const characters = [...value];
  const shown = characters.slice(0, Math.min(8, Math.floor(characters.length / 2))).join('');
  return `${JSON.stringify(`${shown}…`)} (${characters.length} characters)`;
}
