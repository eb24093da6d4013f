/*
 * The one-look checks for addresses that the email step returns as they are (see email.ts for the
 * rules): one regular expression, with the lengths measured around it.
 */

export const MAX_ADDRESS = 254;
export const MAX_LOCAL_OCTETS = 64;
export const MAX_DOMAIN = 253;
export const MAX_LABEL = 63;

// What plainAddress accepts, as one expression: a dot-atom of ASCII atext, an @, then at least two
// labels of a–z, 0–9 and inner hyphens, the last not all digits. The lengths are measured around it:
// the local part's 64, the domain's 253, and for a domain longer than one label can be, each label's 63.
// A character class runs faster than a loop over charCodeAt here, and an address is checked on nearly
// every patient record; a label written as runs of letters and digits joined by hyphens backtracks
// less than one with a bounded middle.
const PLAIN_LABEL = '[a-z0-9]+(?:-+[a-z0-9]+)*';
const address = (atext: string): RegExp =>
  new RegExp(`^${atext}+(?:\\.${atext}+)*@(?:${PLAIN_LABEL}\\.)+(?![0-9]+$)${PLAIN_LABEL}$`);
const PLAIN_ADDRESS = address("[a-zA-Z0-9!#$%&'*+\\-/=?^_`{|}~]");
// The same with a lower-case local part: text no step of a text chain but uppercase changes.
const LOWER_CASE_ADDRESS = address("[a-z0-9!#$%&'*+\\-/=?^_`{|}~]");

/**
 * True when `s` is an address that email returns as it is, with nothing recorded: ASCII, nothing to
 * trim, a lower-case domain, at most `limit` (≤ 254) long, and valid by the rules of email.ts. Most
 * addresses are, and this tells in one look; false says only that checkAddress must decide.
 */
export function plainAddress(s: string, limit: number): boolean {
  return fits(PLAIN_ADDRESS, s, limit);
}

/**
 * plainAddress for an address written all in lower case: also text that strip_control, trim,
 * collapse_whitespace and lowercase return as it is.
 */
export function lowerCaseAddress(s: string, limit: number): boolean {
  return fits(LOWER_CASE_ADDRESS, s, limit);
}

function fits(pattern: RegExp, s: string, limit: number): boolean {
  // Written so that a limit of NaN (no number to compare with) leaves the address to checkAddress.
  if (!(s.length <= limit)) return false;
  const at = s.indexOf('@');
  const domain = s.length - at - 1;
  if (!(at > 0 && at <= MAX_LOCAL_OCTETS && domain <= MAX_DOMAIN && pattern.test(s))) return false;
  return domain <= MAX_LABEL || labelsFit(s, at + 1);
}

/** True when no label of the domain starting at `from` (to the end of `s`) is longer than 63. */
function labelsFit(s: string, from: number): boolean {
  let start = from;
  for (let i = from; i <= s.length; i += 1) {
    if (i < s.length && s.charCodeAt(i) !== 0x2e) continue;
    if (i - start > MAX_LABEL) return false;
    start = i + 1;
  }
  return true;
}
