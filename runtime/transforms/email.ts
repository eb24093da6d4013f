import { MAX_ADDRESS, MAX_DOMAIN, MAX_LABEL, MAX_LOCAL_OCTETS, plainAddress } from './email-plain.ts';
import { refuse } from './issues.ts';
import { asText, isEmpty, LONE_SURROGATE } from './text.ts';
import type { DropPolicy, Issues } from './types.ts';

/*
 * A practical address check, not the full RFC 5322 grammar: what a CRM can mail and match.
 * - exactly one `@`; no whitespace or control characters anywhere;
 * - local part: a dot-atom (RFC 5322 §3.2.3 atext plus `.`, no leading, trailing or double dot), with
 *   UTF-8 characters allowed as in RFC 6532 §3.2; at most 64 octets (RFC 5321 §4.5.3.1.1). Quoted local
 *   parts ("john doe"@x) are refused: RFC 5321 §4.1.2 says hosts SHOULD avoid them, and front desks never
 *   type them on purpose;
 * - domain: at least two labels separated by dots, each 1–63 characters of letters, digits and hyphens
 *   (not at either end), letters and digits from any script so that IDNs written in Unicode pass; the
 *   last label not all digits (no bare IP addresses); at most 253 characters (RFC 1035 §2.3.4); no
 *   domain literals ([192.0.2.1]);
 * - the whole address at most 254 characters (RFC 5321 §4.5.3.1.3 path limit of 256 minus the angle
 *   brackets), and at most the column's MaxLength.
 * The domain is lower-cased (RFC 5321 §2.4: "Mailbox domains are not case sensitive"). The local part is
 * kept as typed: the same section says it "MUST BE treated as case sensitive"; an analyst who wants it
 * lower-cased adds `lowercase` before `email`.
 */

/** Characters that never belong in an address, outside ASCII: C1 controls and Unicode whitespace. */
const NON_ASCII_FORBIDDEN = /[\u0080-\u00A0\u1680\u2000-\u200B\u2028\u2029\u202F\u205F\u3000\uFEFF]/;
const NON_ASCII_LABEL_CHAR = /^[\p{L}\p{M}\p{N}-]+$/u;

/** RFC 5322 atext in ASCII: letters, digits and !#$%&'*+-/=?^_`{|}~ */
function isAtext(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x21 ||
    (c >= 0x23 && c <= 0x27) ||
    c === 0x2a ||
    c === 0x2b ||
    c === 0x2d ||
    c === 0x2f ||
    c === 0x3d ||
    c === 0x3f ||
    (c >= 0x5e && c <= 0x60) ||
    (c >= 0x7b && c <= 0x7e)
  );
}

/** The local-part rules for any text (exported for the test that holds scanAscii to them). */
export function validLocal(local: string): boolean {
  if (local.length === 0 || local.length > MAX_LOCAL_OCTETS * 4) return false;
  let ascii = true;
  let previousDot = true; // a leading dot counts as a dot after "nothing"
  for (let i = 0; i < local.length; i += 1) {
    const c = local.charCodeAt(i);
    if (c === 0x2e) {
      if (previousDot) return false;
      previousDot = true;
      continue;
    }
    previousDot = false;
    if (c >= 0x80) ascii = false;
    else if (!isAtext(c)) return false;
  }
  if (previousDot) return false;
  if (ascii) return local.length <= MAX_LOCAL_OCTETS;
  if (NON_ASCII_FORBIDDEN.test(local) || LONE_SURROGATE.test(local)) return false;
  return Buffer.byteLength(local, 'utf8') <= MAX_LOCAL_OCTETS;
}

function validLabel(label: string): boolean {
  const n = label.length;
  if (n === 0 || n > MAX_LABEL) return false;
  if (label.charCodeAt(0) === 0x2d || label.charCodeAt(n - 1) === 0x2d) return false;
  for (let i = 0; i < n; i += 1) {
    const c = label.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d) continue;
    if (c < 0x80) return false;
    return NON_ASCII_LABEL_CHAR.test(label);
  }
  return true;
}

/** The domain rules for any (lower-cased) text (exported for the same test). */
export function validDomain(domain: string): boolean {
  if (domain.length === 0 || domain.length > MAX_DOMAIN) return false;
  let start = 0;
  let labels = 0;
  let last = '';
  while (start <= domain.length) {
    let end = domain.indexOf('.', start);
    if (end < 0) end = domain.length;
    last = domain.slice(start, end);
    if (!validLabel(last)) return false;
    labels += 1;
    start = end + 1;
  }
  return labels >= 2 && !/^[0-9]+$/.test(last);
}

/** What scanAscii found: valid (with or without upper-case letters in the domain), invalid, or text
 * beyond ASCII, for validLocal and validDomain to decide. */
type Scan = 'valid' | 'valid-upper' | 'invalid' | 'not-ascii';

/**
 * validLocal and validDomain in one pass over `s` from `at` (the @ position), without slicing, for
 * ASCII addresses (almost all of them): the same rules, the checks in the same order.
 */
export function scanAscii(s: string, at: number): Scan {
  // UTF-8 has at least one octet per UTF-16 unit, so a local part longer than 64 units is too long.
  if (at === 0 || at > MAX_LOCAL_OCTETS) return 'invalid';
  let previousDot = true;
  for (let i = 0; i < at; i += 1) {
    const c = s.charCodeAt(i);
    if (c === 0x2e) {
      if (previousDot) return 'invalid';
      previousDot = true;
      continue;
    }
    previousDot = false;
    if (c >= 0x80) return 'not-ascii';
    if (!isAtext(c)) return 'invalid';
  }
  if (previousDot) return 'invalid';
  const n = s.length;
  // Lower-casing can change the length of text beyond ASCII: only an ASCII domain is measured here.
  if (n - at - 1 === 0 || n - at - 1 > MAX_DOMAIN) return notAsciiOr(s, at + 1, 'invalid');
  let upper = false;
  let labels = 0;
  let start = at + 1;
  let digitsOnly = true;
  for (let i = at + 1; i <= n; i += 1) {
    const c = i === n ? 0x2e : s.charCodeAt(i);
    if (c === 0x2e) {
      const length = i - start;
      if (length === 0 || length > MAX_LABEL) return 'invalid';
      if (s.charCodeAt(start) === 0x2d || s.charCodeAt(i - 1) === 0x2d) return 'invalid';
      labels += 1;
      if (i === n) break;
      start = i + 1;
      digitsOnly = true;
    } else if (c >= 0x30 && c <= 0x39) {
      // a digit keeps digitsOnly as it is
    } else if ((c >= 0x61 && c <= 0x7a) || c === 0x2d) {
      digitsOnly = false;
    } else if (c >= 0x41 && c <= 0x5a) {
      digitsOnly = false;
      upper = true;
    } else if (c >= 0x80) {
      return 'not-ascii';
    } else {
      return 'invalid';
    }
  }
  if (labels < 2 || digitsOnly) return 'invalid';
  return upper ? 'valid-upper' : 'valid';
}

/** `answer`, unless `s` has a character beyond ASCII from `from` on (then the general rules decide). */
function notAsciiOr(s: string, from: number, answer: Scan): Scan {
  for (let i = from; i < s.length; i += 1) if (s.charCodeAt(i) >= 0x80) return 'not-ascii';
  return answer;
}

const CODES = { rejection: 'invalid_email', flag: 'invalid_email_dropped' } as const;

/**
 * Normalises and checks an email address: trimmed, domain lower-cased. Empty → null. Invalid, or longer
 * than `maxLength` → `policy` (a rejection, or null with a flag).
 */
export function email(
  v: unknown,
  policy: DropPolicy,
  maxLength: number | undefined,
  issues: Issues,
  column: string,
): string | null {
  if (typeof v === 'string' && plainAddress(v, limitOf(maxLength))) return v;
  return checkAddress(v, policy, maxLength, issues, column);
}

/** The longest address a column of `maxLength` takes. */
export function limitOf(maxLength: number | undefined): number {
  return maxLength === undefined ? MAX_ADDRESS : Math.min(MAX_ADDRESS, maxLength);
}

/** email for any value, without plainAddress (exported for the test that holds plainAddress to it). */
export function checkAddress(
  v: unknown,
  policy: DropPolicy,
  maxLength: number | undefined,
  issues: Issues,
  column: string,
): string | null {
  if (v === null || v === undefined) return null;
  const text = asText(v);
  if (text === null) return refuse(issues, column, policy, CODES, 'not an email address');
  if (isEmpty(text)) return null;
  const s = text.trim();
  const at = s.indexOf('@');
  if (at < 0 || s.indexOf('@', at + 1) >= 0) {
    return refuse(issues, column, policy, CODES, 'not an email address (needs exactly one @)');
  }
  const scan = scanAscii(s, at);
  let address = s;
  if (scan === 'invalid') return refuse(issues, column, policy, CODES, 'not a valid email address');
  if (scan !== 'valid') {
    const local = s.slice(0, at);
    const domain = s.slice(at + 1).toLowerCase();
    if (scan === 'not-ascii' && (!validLocal(local) || !validDomain(domain))) {
      return refuse(issues, column, policy, CODES, 'not a valid email address');
    }
    address = `${local}@${domain}`;
  }
  const limit = limitOf(maxLength);
  if (address.length > limit) {
    return refuse(
      issues,
      column,
      policy,
      CODES,
      `email address of ${address.length} characters is longer than the limit of ${limit}`,
    );
  }
  return address;
}
