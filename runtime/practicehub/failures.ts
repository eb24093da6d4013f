import { PracticeHubAuthError, PracticeHubRequestError, type RequestErrorDetails } from './errors.ts';

/** The last transient failure of a call, kept to explain why it finally gave up. */
export interface Failure {
  readonly reason: 'server_error' | 'reset' | 'timeout';
  readonly details: RequestErrorDetails;
}

const GAVE_UP: Readonly<Record<Failure['reason'] | 'throttled', string>> = {
  server_error: 'PracticeHub kept answering with server errors',
  reset: 'the connection kept dropping before the answer arrived whole',
  timeout: 'PracticeHub kept taking longer than the timeout to answer',
  throttled: 'PracticeHub kept answering 429 (rate limited) even after waiting its Retry-After',
};

/** The error for a call that stayed transiently failing beyond its retries. */
export function failure(
  details: RequestErrorDetails,
  reason: Failure['reason'] | 'throttled',
): PracticeHubRequestError {
  const todo =
    reason === 'throttled'
      ? 'Another client may be using the same API key: stop it, or lower requestsPerSecond, and run again.'
      : 'PracticeHub or the network may be down: run again later (an extraction resumes from its last page), ' +
        'or raise maxRetries / the timeouts.';
  return new PracticeHubRequestError(details, GAVE_UP[reason], todo);
}

/**
 * The error for a 4xx other than 429. A 401 naming another region's base URL is the sandbox's (and
 * Cliniko's) wrong-region answer (reference practicehub.md, sandbox model: Regions).
 */
export function refusal(
  details: RequestErrorDetails,
  body: Readonly<Record<string, unknown>> | null,
  url: URL,
  maskedKey: string,
): PracticeHubRequestError {
  const { status } = details;
  if (status === 401 || status === 403) {
    const named = typeof body?.base_url === 'string' ? body.base_url : null;
    if (named || body?.error === 'wrong_region') {
      const host = named ? hostOf(named) : 'another region';
      const region = typeof body?.region === 'string' ? ` '${body.region}'` : '';
      return new PracticeHubAuthError(
        details,
        `the API key (${maskedKey}) belongs to region${region} served at ${host}, not to ${url.host}`,
        `Set source.region in spec/migration.yaml to the key's region${named ? ` or PRACTICEHUB_BASE_URL to ${named}` : ''}, ` +
          `or use the key of the account at ${url.host}.`,
        named,
      );
    }
    if (status === 401) {
      return new PracticeHubAuthError(
        details,
        `PracticeHub refused the API key (${maskedKey}) at ${url.host}`,
        'Check PRACTICEHUB_API_KEY: copy the key again from PracticeHub settings (a mistyped or revoked key ' +
          'answers 401), and check that PRACTICEHUB_BASE_URL names the account the key belongs to.',
        null,
      );
    }
    return new PracticeHubAuthError(
      details,
      `the API key (${maskedKey}) may not read this at ${url.host}`,
      "Give the key's user access to this resource in PracticeHub, or leave the resource out of the migration.",
      null,
    );
  }
  if (status === 400) {
    return new PracticeHubRequestError(
      details,
      'PracticeHub refused the request as malformed',
      'Check the filter values and page parameters; if x-app-details was refused, set appDetails to ' +
        "'<app name>=<contact email>'.",
    );
  }
  if (status === 404) {
    return new PracticeHubRequestError(
      details,
      'not found',
      'Check the resource name and id; a deleted record answers 404.',
    );
  }
  return new PracticeHubRequestError(
    details,
    'PracticeHub refused the request',
    'This status is not retried; check the request and the account.',
  );
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
