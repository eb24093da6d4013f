import {
  type Group,
  type Home,
  type LengthCheck,
  lengthCheck,
  type Plan,
  type PlanBook,
} from './phone-book.ts';
import { isSure, MAX_NATIONAL } from './phone-sure.ts';
import { asciiDigits, extensionOf, notNumberText, plainDigits } from './phone-text.ts';

/*
 * A fast path for the common phone shapes ("020 7946 0123", "+44 20 7946 0123", "(555) 010-1234",
 * "020 7946 0123 ext. 123"). libphonenumber-js rebuilds large regular expressions from its metadata on
 * every call (helpers/matchesEntirely.js) and throws and catches an Error for text it cannot read, which
 * costs 5–40 µs per number. This file follows the same steps as its parse (parse.js → extractExtension
 * → extractCountryCallingCode → extractNationalNumber → getCountryByCallingCode → isPossible) with the
 * same metadata, regular expressions compiled once (phone-book.ts). It answers for text made of
 * digits, spaces, dashes, dots, slashes and brackets (plus a leading "+" and a trailing extension),
 * and says "no number" for text with characters no number has; other text, IDD prefixes, numbers that
 * start with the calling code, carrier codes and non-geographic codes go to the library.
 * test/transforms/phone.test.ts checks on generated numbers that both give the same answer.
 */

/** The length of the first of `prefixes` that `digits` start with; -1 when they start with none. */
function prefixLength(digits: string, prefixes: readonly string[]): number {
  const first = digits.charCodeAt(0);
  for (let k = 0; k < prefixes.length; k += 1) {
    const prefix = prefixes[k]!;
    // The first digit settles most prefixes ("0", "00") without a call to startsWith.
    if (prefix.charCodeAt(0) === first && (prefix.length === 1 || digits.startsWith(prefix)))
      return prefix.length;
  }
  return -1;
}

/** True when the national number (ASCII digits) matches the plan's national number pattern. */
function fitsPlan(plan: Plan, national: string): boolean {
  return isSure(plan.sure, national) || plan.nationalNumber.test(national);
}

/** True when the national number (ASCII digits) has the shape of the group (see group()). */
function hasShape(group: Group, national: string): boolean {
  return isSure(group.sure, national) || group.shape.test(national);
}

/** getNumberType.js: does the number match one of the plan's number types? */
function hasType(national: string, plan: Plan): boolean {
  if (!fitsPlan(plan, national)) return false;
  return plan.types.some(
    (t) => (t.lengths === undefined || t.lengths.includes(national.length)) && t.pattern.test(national),
  );
}

/** getCountryByCallingCode.js: the country among those sharing the calling code, if one fits. */
function countryOf(national: string, plans: readonly Plan[]): Plan | undefined {
  if (plans.length === 1) return plans[0];
  for (const plan of plans) {
    if (plan.leadingDigits) {
      if (national && plan.leadingDigits.test(national)) return plan;
    } else if (hasType(national, plan)) return plan;
  }
  return undefined;
}

/**
 * lengthCheck against the country getCountryByCallingCode would pick, or `fallback` when none fits.
 * When every candidate gives the same answer for this length, which country it is cannot matter, and
 * its number-type patterns (thousands of characters for +44) are not run.
 */
function checkFor(national: string, sharing: Group, fallback: Plan): LengthCheck {
  const agreed = sharing.agreed[national.length];
  if (agreed !== undefined) return agreed;
  return lengthCheck(national, countryOf(national, sharing.plans) ?? fallback);
}

// parse.js refuses inputs longer than this before looking at them.
const MAX_INPUT = 250;

/** A number as readNumber finds it: the plan giving its calling code, the national number, the extension. */
export interface Reading {
  readonly plan: Plan;
  readonly national: string;
  readonly extension: string | undefined;
}

/**
 * A possible number as libphonenumber-js would read it with `home` as the default country: its plan
 * (calling code), national number and extension; null when the library would find no possible number
 * (or for a phone-context URI, see below); undefined when only the library can tell. `s` is trimmed.
 * With `shaped`, also null for a number that PlanBook.fitsShape refuses, told from the patterns
 * already run on the way.
 */
export function readNumber(
  s: string,
  home: Home,
  book: PlanBook,
  shaped: boolean,
): Reading | null | undefined {
  if (s.length > MAX_INPUT) return undefined;
  const plus = s.charCodeAt(0) === 0x2b;
  const from = plus ? 1 : 0;
  const plain = plainDigits(s, from, s.length);
  let digits: string;
  let extension: string | undefined;
  if (typeof plain === 'string') digits = plain;
  else {
    const stop = plain.stop;
    const found = extensionOf(s, stop);
    // Not an extension: a letter or other stray character means no number ("07700 900123 (mum)").
    if (found === null) return notNumberText(s, stop) ? null : undefined;
    extension = found.digits;
    // Typed the usual way: only spaces come between the number and the extension, so the digits
    // before `stop` are the number's.
    if (found.usual) digits = plain.digits;
    else {
      // RFC 3966 URIs with a phone-context ("tel:863-1234;phone-context=+1-914-555") are refused: the
      // library checks the context with a module-level RegExp that has the g flag
      // (helpers/extractPhoneContext.js), so test() keeps lastIndex between calls and the same text is
      // accepted and refused in turn. Front desks do not type such URIs. (Without an extension such
      // text is refused above: its letters make it no number.)
      if (s.includes(';phone-context=')) return null;
      // Text other than plain before the extension, or an extension in other digits: the library's.
      if (found.index > stop || !asciiDigits(extension)) return undefined;
      digits = plainDigits(s, from, found.index) as string;
    }
  }
  if (digits.length < 3) return null; // isViablePhoneNumber.js: fewer than three digits is no number
  let selected: Plan;
  let sharing: Group;
  let national: string;
  if (plus) {
    if (digits.charCodeAt(0) === 0x30) return null;
    let found: Group | undefined;
    let size = 1;
    // The calling code is the shortest prefix of one to three digits that is one.
    for (let code = 0; size <= 3 && size <= digits.length; size += 1) {
      code = code * 10 + (digits.charCodeAt(size - 1) - 0x30);
      found = book.group(code);
      if (found) break;
    }
    if (!found) return null;
    if (found.plans.length === 0) return undefined; // non-geographic
    sharing = found;
    selected = found.plans[0]!;
    national = digits.slice(size);
  } else {
    selected = home.plan;
    // An IDD prefix ("00 44 ...") or a number that starts with the calling code may be international.
    const idd = selected.iddDigits
      ? prefixLength(digits, selected.iddDigits) >= 0
      : selected.idd.test(digits);
    const code = selected.callingCode;
    if (idd || (digits.charCodeAt(0) === code.charCodeAt(0) && digits.startsWith(code))) return undefined;
    sharing = home.sharing;
    national = digits;
  }
  // extractNationalNumber.js with `selected` as the selected plan. `fits` is true when `national` is
  // known on the way to match selected's national number pattern, so to have the shape.
  let check: LengthCheck | undefined;
  let fits = false;
  let cut = 0; // the length of the national prefix
  if (selected.nationalPrefixDigits) cut = prefixLength(national, selected.nationalPrefixDigits);
  else {
    const match = selected.nationalPrefix?.exec(national);
    if (match) {
      const groups = match.length - 1;
      if (groups > 0 && match[groups]) return undefined; // carrier codes and transform rules
      cut = match[0].length;
    }
  }
  if (cut > 0) {
    const stripped = national.slice(cut);
    // Too long with the prefix or without it (parse.js MAX_LENGTH_FOR_NSN): no need to choose.
    if (stripped.length > MAX_NATIONAL) return null;
    // The prefix stays when the digits fit the pattern with it and not without it, or when without it
    // they are too short or of a length the country never has. Testing `stripped` first spares the
    // second test when it fits.
    const strippedFits = fitsPlan(selected, stripped);
    if (!strippedFits && fitsPlan(selected, national)) fits = true;
    else {
      // When neither reading has the shape, the number is refused whichever is read, and the length
      // check need not run the number-type patterns of every country sharing the code (checkFor).
      if (shaped && !strippedFits && sharing.agreed[stripped.length] === undefined) {
        if (!hasShape(sharing, stripped) && !hasShape(sharing, national)) return null;
      }
      const strippedCheck = checkFor(stripped, sharing, selected);
      if (strippedCheck !== 'short' && strippedCheck !== 'invalid') {
        national = stripped;
        check = strippedCheck;
        fits = strippedFits;
      }
    }
  }
  if (national.length < 2 || national.length > MAX_NATIONAL) return null; // parse.js MIN/MAX_LENGTH_FOR_NSN
  // Each refusal is final, so the cheap ones go first: the length where the countries sharing the
  // code agree on it, then the shape, then the length that may run the number-type patterns of each
  // country (checkFor). In both paths the fallback plan is `selected` (for "+", the main country of
  // the calling code).
  const length = check ?? sharing.agreed[national.length];
  if (length !== undefined && length !== 'possible') return null;
  if (shaped && !fits && !hasShape(sharing, national)) return null;
  if (length === undefined && checkFor(national, sharing, selected) !== 'possible') return null;
  return { plan: selected, national, extension };
}
