import type { Diagnostic } from './diagnostic.ts';

/**
 * What a secret written into a spec looks like, for the check that reports it (FS117) and for the
 * printer, which must not repeat it: a diagnostic prints its source line, and CI keeps the log.
 */

const KEY_WORDS =
  '(?:pass(?:word|wd)?|secret|api[_-]?key|access[_-]?key|token|credential|private[_-]?key|client[_-]?secret|connection[_-]?string)';
const SECRET_KEY = new RegExp(`${KEY_WORDS}$`, 'i');
// `password: value` on a source line: the value (quoted, or plain up to a comma, bracket or comment).
const SECRET_KEY_VALUE = new RegExp(
  `(?:^|[\\s{,])["']?[A-Za-z0-9_.-]*${KEY_WORDS}["']?[ \\t]*:[ \\t]+("[^"]*"?|'[^']*'?|[^\\s,#}\\]][^,#}\\]]*)`,
  'dgi',
);

// Secrets known by their form. Where a label comes before the secret (Bearer, password=), a
// lookbehind keeps it out of the match, so that masking hides the secret and keeps the label.
const SECRET_FORMS: readonly [RegExp, string][] = [
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, 'a JSON Web Token'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/g, 'a private key'],
  [/(?<=\bBearer\s+)[A-Za-z0-9._~+/-]{20,}/g, 'a bearer token'],
  [/\bAKIA[0-9A-Z]{16}\b/g, 'an access key id'],
  [/\b[A-Za-z0-9_~.-]{3}8Q~[A-Za-z0-9_~.-]{31,34}\b/g, 'an Entra ID client secret'],
  [/\bphk_[A-Za-z0-9]{16,}(-[a-z]{2,3})?\b/g, 'a PracticeHub API key'],
  [/(?<=\b(?:password|pwd|secret|apikey|api_key)=)[^\s;&]{4,}/gi, 'a password in a connection string'],
  // https://user:password@host: the user stays readable, the password is masked.
  [/(?<=\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:)[^\s/@]+(?=@)/gi, 'a password in a URL'],
];

/** A secret found in a text: where it is and what it looks like. */
export interface SecretSpan {
  readonly index: number;
  readonly length: number;
  readonly what: string;
}

/** Shannon entropy in bits per character. */
function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / text.length) * Math.log2(n / text.length);
  return bits;
}

/**
 * A file path rather than a key: absolute or relative (`/tmp/x-Yq3/a.yaml`, `../spec/x`), or several
 * segments ending in a file name with an extension. A random temporary folder name makes a path look
 * random, and a message that names the path must still show it.
 */
function isPath(word: string): boolean {
  return /^(?:\.{0,2}\/|~\/)[^/]/.test(word) || /[^/]\/[^/]+\/[^/]*\.[A-Za-z]{1,5}$/.test(word);
}

/** Every part of a text that looks like a secret: known forms first, then long random-looking words. */
export function findSecrets(text: string): SecretSpan[] {
  const found: SecretSpan[] = [];
  for (const [pattern, what] of SECRET_FORMS)
    for (const m of text.matchAll(pattern)) found.push({ index: m.index, length: m[0].length, what });
  for (const m of text.matchAll(/[^\s"'`,;()]+/g)) {
    const word = m[0];
    if (
      word.length >= 32 &&
      /^[A-Za-z0-9+/=_~.-]+$/.test(word) &&
      /[0-9]/.test(word) &&
      /[A-Za-z]/.test(word) &&
      !/^https?:/.test(word) &&
      !isPath(word) &&
      entropy(word) > 4.2
    )
      found.push({ index: m.index, length: word.length, what: 'a high-entropy key or token' });
  }
  return found;
}

/** What secret a text looks like, if any. */
export function looksSecret(text: string): string | undefined {
  return findSecrets(text)[0]?.what;
}

/** Whether a key's name says its value is a secret (password, api_key, client_secret, ...). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * The text with every secret-looking part, and the value of every key named like a secret, replaced
 * by asterisks of the same length: a caret printed under a masked source line still lines up.
 */
export function maskSecrets(text: string): string {
  const spans = findSecrets(text).map((s) => [s.index, s.index + s.length] as const);
  for (const m of text.matchAll(SECRET_KEY_VALUE)) {
    const at = m.indices?.[1];
    if (at) spans.push([at[0], at[0] + (m[1] ?? '').trimEnd().length]);
  }
  if (spans.length === 0) return text;
  const chars = [...text.split('')];
  for (const [from, to] of spans) for (let i = from; i < to; i++) chars[i] = '*';
  return chars.join('');
}

/**
 * A diagnostic whose message and hint repeat no secret (a message may quote the value it is about).
 * Applied where diagnostics leave the compiler (validateSpec, compileSpec), so that every output of
 * them, printed or JSON, is masked.
 */
export function maskDiagnostic(d: Diagnostic): Diagnostic {
  const message = maskSecrets(d.message);
  const hint = d.hint === undefined ? undefined : maskSecrets(d.hint);
  return message === d.message && hint === d.hint
    ? d
    : { ...d, message, ...(hint === undefined ? {} : { hint }) };
}
