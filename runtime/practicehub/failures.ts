import { PracticeHubAuthError, PracticeHubRequestError, type RequestErrorDetails } from './errors.ts';

/** The last transient failure of a call, kept to explain why it finally gave up. */
export interface Failure {
  readonly reason: 'server_error' | 'reset' | 'timeout';
  readonly details: RequestErrorDetails;
  /** The system error code when no answer came (ECONNRESET, EAI_AGAIN, ...). */
  readonly code?: string | undefined;
}

/** Why a call gave up, and on which URL. */
export interface GaveUp {
  readonly reason: Failure['reason'] | 'throttled';
  /** The system error code when no answer came. */
  readonly code?: string | undefined;
  /** The URL called (its host and port are named); details.url is its redacted text. */
  readonly url: URL;
  /** False for a download link, whose host PracticeHub chooses and no setting names. */
  readonly api: boolean;
}

const RUN_AGAIN = 'run again (an extraction resumes from its last page)';

/** The error for a call that failed for good without a usable answer, or stayed failing beyond its retries. */
export function failure(details: RequestErrorDetails, why: GaveUp): PracticeHubRequestError {
  const { what, todo } = explain(why);
  return new PracticeHubRequestError(details, what, todo);
}

/** What happened and what the user can change about it, in the names the CLI and the spec use. */
function explain({ reason, code, url, api }: GaveUp): { what: string; todo: string } {
  const name = url.hostname;
  const at = `${name}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
  const setting = api
    ? 'PRACTICEHUB_BASE_URL (when it is unset, source.account in spec/migration.yaml names the host)'
    : "the file's download link (PracticeHub chooses its host)";
  switch (code) {
    case 'ENOTFOUND':
      return {
        what: `the host name ${name} does not resolve (ENOTFOUND: the DNS knows no such host)`,
        todo: `Check the host name in ${setting}, and that this machine resolves names (network, VPN, proxy).`,
      };
    case 'EAI_AGAIN':
      return {
        what: `the host name ${name} could not be resolved (EAI_AGAIN: the DNS server did not answer)`,
        todo: `Check this machine's network (DNS, VPN, proxy) and the host name in ${setting}; then ${RUN_AGAIN}.`,
      };
    case 'ECONNREFUSED':
      return {
        what: `the connection to ${at} was refused (ECONNREFUSED: nothing listens there)`,
        todo:
          `Check the host and port in ${setting}, and that the service there is up ` +
          `(for the sandbox, that \`flitstack sandbox\` runs); then ${RUN_AGAIN}.`,
      };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return {
        what: `${at} cannot be reached from this machine (${code}: no route to it)`,
        todo: `Check this machine's network (VPN, proxy, firewall) and the host in ${setting}; then ${RUN_AGAIN}.`,
      };
    default:
      break;
  }
  const who = api ? 'PracticeHub' : name;
  const later = `${who} or the network may be down: run again later (an extraction resumes from its last page).`;
  switch (reason) {
    case 'server_error':
      return { what: `${who} kept answering with server errors`, todo: later };
    case 'reset':
      return {
        what: `the connection to ${at} kept dropping before the answer arrived whole${code ? ` (${code})` : ''}`,
        todo: later,
      };
    case 'timeout':
      return { what: `${who} kept taking longer than the timeout to answer`, todo: later };
    case 'throttled':
      return {
        what: 'PracticeHub kept answering 429 (rate limited) even after waiting its Retry-After',
        todo:
          'Another client may be using the same API key: stop it, or lower the request rate to the ' +
          "account's agreed limit (the --rate option, or source.rate_limit.requests_per_second in " +
          `spec/migration.yaml), and ${RUN_AGAIN}.`,
      };
  }
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
      const region = typeof body?.region === 'string' ? ` '${body.region}'` : '';
      // Regions on one host (the region in the path) are told apart by their base URLs.
      const sameHost = named !== null && hostOf(named) === url.host;
      const api = url.pathname.indexOf('/api');
      const here = sameHost ? `${url.origin}${api >= 0 ? url.pathname.slice(0, api + 4) : ''}` : url.host;
      const there = named ? (sameHost ? named : hostOf(named)) : 'another region';
      return new PracticeHubAuthError(
        details,
        `the API key (${maskedKey}) belongs to region${region} served at ${there}, not to ${here}`,
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
      'Check the resource name and id (a deleted record answers 404); when a whole list answers 404, the base ' +
        'URL does not lead to the API: check PRACTICEHUB_BASE_URL (it ends in /api).',
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
