/** A value that must not reach a message, and what stands in its place. */
export interface Secret {
  readonly value: string;
  readonly mask: string;
}

/** What stands in for the value of a credential field that names no known secret. */
export const REDACTED = '[redacted]';

// Fields whose value is a credential whoever sent it: a server that echoes a form body or a JSON request
// shows them as `client_secret=…` or `"access_token": "…"`. A quoted value runs to its closing quote
// that is not escaped (a secret may hold spaces and `\"`); a bare value (a form field, a header) runs
// to the next `&`, line end or unescaped `"`, the last being where a form body echoed inside a JSON
// string ends, whose closing quote the JSON around it needs.
const CREDENTIAL_FIELD = new RegExp(
  String.raw`\b(client_secret|client_assertion|access_token|refresh_token|id_token|x-practicehub-key)` +
    String.raw`(["']?\s*[=:]\s*)` +
    String.raw`(?:"((?:[^"\\]|\\[\s\S])*)("?)|'((?:[^'\\]|\\[\s\S])*)('?)|((?:[^&"\\\r\n]|\\[^rn])+))`,
  'gi',
);

/**
 * The spellings a secret takes when a server echoes it, each with whether it is percent-encoded: as
 * sent, percent-encoded (a URL), form-encoded (URLSearchParams encodes `~`, `!`, `'`, `(`, `)` and
 * spaces unlike encodeURIComponent), and escaped inside a JSON string.
 */
function spellings(value: string): [string, boolean][] {
  const form = new URLSearchParams({ v: value }).toString().slice(2);
  return [
    [value, false],
    [encodeURIComponent(value), true],
    [form, true],
    [JSON.stringify(value).slice(1, -1), false],
  ];
}

/** `text` as a regular expression that matches it literally. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A pattern for `spelling`. In an encoded spelling each %XX escape matches in either letter case, as
 * servers write them differently (.NET's HttpUtility writes `%7e` and `%2b`, JavaScript `%7E` and
 * `%2B`); the secret's own letters still match only as they are.
 */
function spellingPattern([spelling, encoded]: [string, boolean]): string {
  if (!encoded) return escapeRegExp(spelling);
  return spelling
    .split(/(%[0-9A-F]{2})/)
    .map((part, i) =>
      i % 2 === 0 ? escapeRegExp(part) : part.replace(/[A-F]/g, (c) => `[${c}${c.toLowerCase()}]`),
    )
    .join('');
}

/** Every spelling of `value` as one pattern, longest first so that no spelling stops inside another. */
function secretPattern(value: string): RegExp {
  const longestFirst = spellings(value).sort(([a], [b]) => b.length - a.length);
  return new RegExp([...new Set(longestFirst.map(spellingPattern))].join('|'), 'g');
}

// A bearer credential wherever it is written ("Authorization: Bearer eyJ…", "[Bearer eyJ…]"): the
// token68 characters of RFC 6750 §2.1. It catches a token the caller no longer holds (one refreshed
// since the request), which the list of known secrets does not.
const BEARER = /\b(Bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi;

/**
 * `text` from a server (an error body, a description) with every secret replaced by its mask, every
 * bearer token by REDACTED, and the value of every credential field replaced by REDACTED, so that an answer echoing the request cannot
 * carry a key, a client secret or a token into a message, a log or the journal. A field whose value is
 * already a mask keeps it, since the mask says which secret stood there.
 */
export function redactSecrets(text: string, secrets: readonly Secret[]): string {
  let clean = text;
  const masks = new Set<string>();
  for (const { value, mask } of secrets) {
    if (!value) continue;
    masks.add(mask);
    clean = clean.replace(secretPattern(value), () => mask);
  }
  // A token masked above reads "Bearer [redacted] (access token)", which this no longer matches.
  clean = clean.replace(BEARER, (_bearer, word: string) => `${word}${REDACTED}`);
  return clean.replace(
    CREDENTIAL_FIELD,
    (field, name: string, separator: string, ...groups: (string | undefined)[]) => {
      const [double, doubleEnd, single, singleEnd, bare] = groups;
      const value = double ?? single ?? bare ?? '';
      if (masks.has(value)) return field;
      if (double !== undefined) return `${name}${separator}"${REDACTED}${doubleEnd}`;
      if (single !== undefined) return `${name}${separator}'${REDACTED}${singleEnd}`;
      return `${name}${separator}${REDACTED}`;
    },
  );
}

// Names of fields that hold secrets, in options and settings (a run's options, as journaled).
const SECRET_KEY =
  /secret|password|passwd|token|api[-_]?key|private[-_]?key|authorization|credential|cookie|certificate/i;

/** A copy of `value` with every value under a secret-looking key replaced by REDACTED, at any depth. */
export function redactSecretFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecretFields);
  if (value === null || typeof value !== 'object') return value;
  // Object.fromEntries defines each field, so a `__proto__` key (JSON.parse makes one) stays a field of
  // its own, where `out[key] = …` would drop it or set the copy's prototype.
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      SECRET_KEY.test(key) ? REDACTED : redactSecretFields(inner),
    ]),
  );
}
