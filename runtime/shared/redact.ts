/** A value that must not reach a message, and what stands in its place. */
export interface Secret {
  readonly value: string;
  readonly mask: string;
}

/** What stands in for the value of a credential field that names no known secret. */
export const REDACTED = '[redacted]';

// Fields whose value is a credential whoever sent it: a server that echoes a form body or a JSON request
// shows them as `client_secret=…` or `"access_token": "…"`.
const CREDENTIAL_FIELD =
  /\b(client_secret|client_assertion|access_token|refresh_token|id_token|x-practicehub-key)(["']?\s*[=:]\s*["']?)[^\s&"',;}]+/gi;

/**
 * The spellings a secret takes when a server echoes it: as sent, percent-encoded (a URL), form-encoded
 * (URLSearchParams encodes `~`, `!`, `'`, `(`, `)` and spaces unlike encodeURIComponent), and escaped
 * inside a JSON string.
 */
function spellings(value: string): string[] {
  const form = new URLSearchParams({ v: value }).toString().slice(2);
  return [...new Set([value, encodeURIComponent(value), form, JSON.stringify(value).slice(1, -1)])];
}

/**
 * `text` from a server (an error body, a description) with every secret replaced by its mask and the
 * value of every credential field replaced by REDACTED, so that an answer echoing the request cannot
 * carry a key, a client secret or a token into a message, a log or the journal.
 */
export function redactSecrets(text: string, secrets: readonly Secret[]): string {
  let clean = text;
  for (const { value, mask } of secrets) {
    if (!value) continue;
    for (const spelling of spellings(value)) clean = clean.replaceAll(spelling, mask);
  }
  return clean.replace(CREDENTIAL_FIELD, `$1$2${REDACTED}`);
}
