import { maskKey, PracticeHubConfigError } from './errors.ts';

/** The regions a PracticeHub account can live in (reference practicehub.md, sandbox model: Regions). */
export const PRACTICEHUB_REGIONS = ['eu', 'us', 'au'] as const;
export type PracticeHubRegion = (typeof PRACTICEHUB_REGIONS)[number];

/**
 * The documented base URL (reference practicehub.md, Documented: base URL). It names the account, not
 * the region: how PracticeHub routes regions beyond the key's suffix is undocumented, so the default
 * host is the same for every region and an operator whose tenant lives elsewhere sets
 * PRACTICEHUB_BASE_URL.
 */
export const DEFAULT_BASE_URL = 'https://{account}.neptune.practicehub.io/api';

/** What resolveBaseUrl needs: the spec's account and region, the key, and an optional override. */
export interface BaseUrlInput {
  readonly account: string;
  readonly region: string;
  readonly apiKey: string;
  /** PRACTICEHUB_BASE_URL; may hold `{region}` and `{account}` placeholders. */
  readonly override?: string | undefined;
}

/** The region a key names by its suffix (`<key>-eu`), or undefined when it names none. */
export function regionOfKey(apiKey: string): PracticeHubRegion | undefined {
  const dash = apiKey.lastIndexOf('-');
  if (dash < 0) return undefined;
  const suffix = apiKey.slice(dash + 1);
  return (PRACTICEHUB_REGIONS as readonly string[]).includes(suffix)
    ? (suffix as PracticeHubRegion)
    : undefined;
}

// A DNS label: the account becomes the first label of the host.
const ACCOUNT = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * The API base URL of an account (no trailing slash). A key's region suffix must equal the spec's region
 * (reference practicehub.md, sandbox model: Regions, "the region is the suffix of the API key"). A key
 * without a known suffix is taken with the spec's region: the suffix is the model's, not documented,
 * and public clients of the real API send keys without one.
 */
export function resolveBaseUrl(input: BaseUrlInput): string {
  const { account, region, apiKey, override } = input;
  if (!(PRACTICEHUB_REGIONS as readonly string[]).includes(region)) {
    throw new PracticeHubConfigError(
      `source.region is '${region}', which is not a PracticeHub region: set source.region in ` +
        `spec/migration.yaml to one of ${PRACTICEHUB_REGIONS.join(', ')}`,
    );
  }
  if (!apiKey) {
    throw new PracticeHubConfigError(
      'no PracticeHub API key: set PRACTICEHUB_API_KEY to the key from PracticeHub settings',
    );
  }
  const unsafe = /[^\x21-\x7e]/.exec(apiKey);
  if (unsafe) {
    // undici refuses such a header value with a stack trace; the key itself is not shown.
    throw new PracticeHubConfigError(
      `PRACTICEHUB_API_KEY holds ${characterName(unsafe[0])} at character ${unsafe.index + 1}, which an ` +
        'HTTP header cannot carry and no API key has: copy the key again from PracticeHub settings, ' +
        'without line breaks or spaces',
    );
  }
  const keyRegion = regionOfKey(apiKey);
  if (keyRegion !== undefined && keyRegion !== region) {
    throw new PracticeHubConfigError(
      `the PracticeHub API key (${maskKey(apiKey)}) belongs to region '${keyRegion}' but spec/migration.yaml ` +
        `says source.region: ${region}: use the key of the account in '${region}', or set ` +
        `source.region: ${keyRegion} if the account really lives there`,
    );
  }
  if (!ACCOUNT.test(account)) {
    throw new PracticeHubConfigError(
      `the PracticeHub account '${account}' is not a valid host name label: use the account part of ` +
        `https://<account>.neptune.practicehub.io (letters, digits and dashes)`,
    );
  }
  const template = override?.trim() || DEFAULT_BASE_URL;
  const text = template.replaceAll('{region}', region).replaceAll('{account}', account);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    const port = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*:(\d+)(?:[/?#]|$)/i.exec(text)?.[1];
    throw new PracticeHubConfigError(
      port !== undefined && Number(port) > 65535
        ? `PRACTICEHUB_BASE_URL '${template}' names port ${port}: ports go from 1 to 65535`
        : `PRACTICEHUB_BASE_URL '${template}' is not an absolute URL: write e.g. ` +
            `https://{account}.neptune.practicehub.io/api`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new PracticeHubConfigError(`PRACTICEHUB_BASE_URL '${template}' must be an http(s) URL`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new PracticeHubConfigError(
      // Not echoed: whatever sits in the query or userinfo may be a secret.
      'PRACTICEHUB_BASE_URL must not carry a query, fragment or credentials: the key travels in the ' +
        'x-practicehub-key header; set the URL up to /api only',
    );
  }
  return url.toString().replace(/\/+$/, '');
}

/** A character a header cannot carry, named for a message (the text around it is not shown). */
export function characterName(ch: string): string {
  if (ch === '\r') return 'a carriage return (a line end of a file saved on Windows)';
  if (ch === '\n') return 'a line break';
  if (ch === ' ' || ch === '\t') return 'a space';
  const code = `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  return ch.codePointAt(0)! < 0x20 || ch === '\u007f'
    ? `a control character (${code})`
    : `a character outside ASCII (${code})`;
}
