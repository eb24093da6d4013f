/**
 * Errors of the PracticeHub client. Every message says what failed, where (method and URL, never the
 * API key) and what to do. Keys appear only masked (maskKey).
 */

/** Base class: anything the PracticeHub client throws on purpose. */
export class PracticeHubError extends Error {
  override name = 'PracticeHubError';
}

/** The client cannot start: region, key, base URL or options do not fit together. */
export class PracticeHubConfigError extends PracticeHubError {
  override name = 'PracticeHubConfigError';
}

/** What a failed request was. */
export interface RequestErrorDetails {
  readonly method: string;
  /** Absolute URL without secrets (download signatures redacted; the key travels in a header). */
  readonly url: string;
  /** HTTP status of the last answer, or null when no answer came (reset, timeout). */
  readonly status: number | null;
  /** Requests sent for this call, the failed one included. */
  readonly attempts: number;
  /** The server's error text (its `message`, else `error`, else the raw body, shortened). */
  readonly serverText: string;
}

/** A request failed for good: a 4xx other than 429, or transient failures beyond maxRetries. */
export class PracticeHubRequestError extends PracticeHubError {
  override name = 'PracticeHubRequestError';
  readonly method: string;
  readonly url: string;
  readonly status: number | null;
  readonly attempts: number;
  readonly serverText: string;

  constructor(details: RequestErrorDetails, what: string, todo: string) {
    const status = details.status === null ? 'no answer' : `HTTP ${details.status}`;
    const server = details.serverText ? ` PracticeHub said: "${details.serverText}".` : '';
    const tries = details.attempts === 1 ? '1 attempt' : `${details.attempts} attempts`;
    super(`${details.method} ${details.url} failed (${status}, ${tries}): ${what}.${server} ${todo}`);
    this.method = details.method;
    this.url = details.url;
    this.status = details.status;
    this.attempts = details.attempts;
    this.serverText = details.serverText;
  }
}

/** 401/403: the key was refused (wrong key, wrong region, or no access). */
export class PracticeHubAuthError extends PracticeHubRequestError {
  override name = 'PracticeHubAuthError';
  /** The base URL the server says the key belongs to (wrong region), when it names one. */
  readonly suggestedBaseUrl: string | null;

  constructor(details: RequestErrorDetails, what: string, todo: string, suggestedBaseUrl: string | null) {
    super(details, what, todo);
    this.suggestedBaseUrl = suggestedBaseUrl;
  }
}

/**
 * The API silently ignored a filter (the reference, Documented "filters": "an unknown filter is
 * silently ignored (so a typo returns everything)"), and the client was told not to fall back to a scan.
 */
export class PracticeHubIgnoredFilterError extends PracticeHubError {
  override name = 'PracticeHubIgnoredFilterError';
  constructor(
    readonly resource: string,
    readonly filter: string,
    readonly url: string,
    readonly totalEntries: number,
  ) {
    super(
      `GET ${url} ignores the filter '${filter}' on ${resource}: a filter that matches nothing returned ` +
        `${totalEntries} records, so a filtered request would return everything. Run a full extraction ` +
        `instead (\`flitstack run\`: a delta cannot pick up changes of ${resource} from this API), or set ` +
        `onIgnoredFilter: 'scan' to read everything and filter on this side.`,
    );
  }
}

/**
 * A key safe for messages and logs: nothing of the secret, only the documented `phk_` prefix and the
 * region suffix (`-eu`), which say what kind of key was sent and where it belongs.
 */
export function maskKey(key: string): string {
  const prefix = key.startsWith('phk_') ? 'phk_' : '';
  const region = /-(eu|us|au)$/.exec(key)?.[0] ?? '';
  return `${prefix}…${region}`;
}

/**
 * Query parameters whose values grant access or sign a link (signed download links of the usual
 * storage services: S3's X-Amz-*, Google Cloud Storage's X-Goog-*, Azure's SAS `sig`).
 */
const SECRET_PARAMS = new Set([
  'signature',
  'sig',
  'token',
  'access_token',
  'key',
  'api_key',
  'x-amz-signature',
  'x-amz-security-token',
  'x-amz-credential',
  'x-goog-signature',
  'x-goog-credential',
]);

/** The URL with secret query values replaced by '…', for messages and events. */
export function redactUrl(url: string | URL): string {
  const parsed = new URL(String(url));
  let redacted = false;
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAMS.has(name.toLowerCase())) {
      parsed.searchParams.set(name, '…');
      redacted = true;
    }
  }
  return redacted ? parsed.toString().replaceAll('%E2%80%A6', '…') : String(url);
}
