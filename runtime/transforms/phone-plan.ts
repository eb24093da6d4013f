import { Metadata } from 'libphonenumber-js/min';
import { eitherSure, isSure, NOTHING_SURE, type Sure, surelyMatching } from './phone-sure.ts';
import { asciiDigits, extensionOf, notNumberText, plainDigits } from './phone-text.ts';

/*
 * A fast path for the common phone shapes ("020 7946 0123", "+44 20 7946 0123", "(555) 010-1234",
 * "020 7946 0123 ext. 123"). libphonenumber-js rebuilds large regular expressions from its metadata on
 * every call (helpers/matchesEntirely.js) and throws and catches an Error for text it cannot read, which
 * costs 5–40 µs per number. This file follows the same steps as its parse (parse.js → extractExtension
 * → extractCountryCallingCode → extractNationalNumber → getCountryByCallingCode → isPossible) with the
 * same metadata, regular expressions compiled once. It answers for text made of digits, spaces,
 * dashes, dots, slashes and brackets (plus a leading "+" and a trailing extension), and says "no
 * number" for text with characters no number has; other text, IDD prefixes, numbers that start with
 * the calling code, carrier codes and non-geographic codes go to the library.
 * test/transforms/phone.test.ts checks on generated numbers that both give the same answer.
 */

/** The parts of libphonenumber-js's Metadata runtime API used here (its typings declare fewer). */
interface TypeApi {
  pattern(): string;
  possibleLengths(): number[] | undefined;
}
interface PlanApi {
  callingCode(): string;
  possibleLengths(): number[] | undefined;
  leadingDigits(): string | undefined;
  nationalPrefixForParsing(): string | undefined;
  nationalNumberPattern(): string;
  IDDPrefix(): string;
  type(name: string): TypeApi | undefined;
}
interface MetadataApi {
  hasCountry(country: string): boolean;
  hasCallingCode(callingCode: string): boolean;
  getCountryCodesForCallingCode(callingCode: string): string[] | undefined;
  selectNumberingPlan(countryOrCallingCode: string): void;
  numberingPlan: PlanApi | undefined;
}

// getNumberType.js: fixed line first, then these, in this order.
const TYPES = [
  'FIXED_LINE',
  'MOBILE',
  'PREMIUM_RATE',
  'TOLL_FREE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
];

/** A country's numbering plan with its regular expressions compiled once. */
export interface Plan {
  readonly country: string;
  readonly callingCode: string;
  /** The calling code as a number, for PlanBook.group. */
  readonly code: number;
  readonly lengths: readonly number[] | undefined;
  /** "+" and the calling code, the start of the number in E.164. */
  readonly plus: string;
  readonly idd: RegExp;
  readonly iddDigits: readonly string[] | undefined;
  readonly nationalPrefix: RegExp | undefined;
  readonly nationalPrefixDigits: readonly string[] | undefined;
  readonly nationalPattern: string;
  readonly nationalNumber: RegExp;
  /** The numbers nationalNumber surely matches, known without running it. */
  readonly sure: Sure;
  readonly leadingDigits: RegExp | undefined;
  readonly types: readonly { readonly pattern: RegExp; readonly lengths: readonly number[] | undefined }[];
}

const whole = (pattern: string): RegExp => new RegExp(`^(?:${pattern})$`);

// A prefix pattern made only of digit alternatives: "00", "011", "0|180020" (most IDD and national
// prefixes). Matched at the start of the digits, `^(?:0|180020)` takes the first alternative they
// start with, so startsWith over the alternatives in order gives the same match without a regex run.
const DIGIT_ALTERNATIVES = /^[0-9]+(?:\|[0-9]+)*$/;
const alternatives = (pattern: string | undefined): readonly string[] | undefined =>
  pattern !== undefined && DIGIT_ALTERNATIVES.test(pattern) ? pattern.split('|') : undefined;

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

/**
 * The countries sharing a calling code (main country first), per national-number length the answer
 * lengthCheck gives for all of them when they agree (`undefined` where they differ), and their
 * national number patterns as one (matching when one of them does).
 */
interface Group {
  readonly plans: readonly Plan[];
  readonly agreed: readonly (LengthCheck | undefined)[];
  readonly shape: RegExp;
  /** The numbers shape surely matches, known without running it. */
  readonly sure: Sure;
}

// National numbers are at most 17 digits (parse.js MAX_LENGTH_FOR_NSN); longer ones are refused first.
const MAX_NATIONAL = 17;

function group(plans: readonly Plan[]): Group {
  const agreed: (LengthCheck | undefined)[] = [];
  const probe = '0'.repeat(MAX_NATIONAL);
  for (let n = 0; n <= MAX_NATIONAL; n += 1) {
    const answers = new Set(plans.map((p) => lengthCheck(probe.slice(0, n), p)));
    agreed.push(answers.size === 1 ? [...answers][0] : undefined);
  }
  // One regex run instead of one per country. The patterns hold no backreferences, which joining
  // them would renumber.
  const shape = whole(plans.map((p) => `(?:${p.nationalPattern})`).join('|'));
  const sure = plans.map((p) => p.sure).reduce(eitherSure, NOTHING_SURE);
  return { plans, agreed, shape, sure };
}

// Calling codes are one to three digits and never start with 0.
const CALLING_CODE = /^[1-9][0-9]{0,2}$/;

/** A default country's plan and the plans sharing its calling code. */
export interface Home {
  readonly plan: Plan;
  readonly sharing: Group;
}

/** Plans compiled from the library's metadata, each once. */
export class PlanBook {
  private readonly metadata = new Metadata() as unknown as MetadataApi;
  private readonly plans = new Map<string, Plan>();
  private readonly homes = new Map<string, Home>();
  /** Calling code as a number (1–999) → its group; null when no such calling code exists. */
  private readonly groups: (Group | null | undefined)[] = new Array(1000).fill(undefined);

  /**
   * The plan of an ISO 3166-1 alpha-2 country and the plans sharing its calling code; undefined when
   * libphonenumber-js has no metadata for the country.
   */
  home(country: string): Home | undefined {
    const found = this.homes.get(country);
    if (found !== undefined || !this.metadata.hasCountry(country)) return found;
    const plan = this.plan(country);
    const home = { plan, sharing: this.group(plan.code)! };
    this.homes.set(country, home);
    return home;
  }

  /** The plan of a country known to the metadata. */
  private plan(country: string): Plan {
    let plan = this.plans.get(country);
    if (!plan) {
      const m = this.metadata;
      m.selectNumberingPlan(country);
      const p = m.numberingPlan!;
      const prefix = p.nationalPrefixForParsing();
      const leading = p.leadingDigits();
      plan = {
        country,
        callingCode: p.callingCode(),
        code: Number(p.callingCode()),
        lengths: p.possibleLengths(),
        plus: `+${p.callingCode()}`,
        idd: new RegExp(`^(?:${p.IDDPrefix()})`),
        iddDigits: alternatives(p.IDDPrefix()),
        nationalPrefix: prefix ? new RegExp(`^(?:${prefix})`) : undefined,
        nationalPrefixDigits: prefix ? alternatives(prefix) : undefined,
        nationalPattern: p.nationalNumberPattern(),
        nationalNumber: whole(p.nationalNumberPattern()),
        sure: surelyMatching(p.nationalNumberPattern()),
        leadingDigits: leading ? new RegExp(`^(?:${leading})`) : undefined,
        types: TYPES.flatMap((name) => {
          const type = p.type(name);
          const pattern = type?.pattern();
          return type && pattern ? [{ pattern: whole(pattern), lengths: type.possibleLengths() }] : [];
        }),
      };
      this.plans.set(country, plan);
    }
    return plan;
  }

  /**
   * The countries sharing a calling code (a number, 1–999), main country first; no plans for a
   * non-geographic code (+800, +882, ...); undefined when no such calling code exists.
   */
  group(code: number): Group | undefined {
    let found = this.groups[code];
    if (found === undefined) {
      const text = String(code);
      found = this.metadata.hasCallingCode(text)
        ? group((this.metadata.getCountryCodesForCallingCode(text) ?? []).map((c) => this.plan(c)))
        : null;
      this.groups[code] = found;
    }
    return found ?? undefined;
  }

  /** The plans sharing a calling code written as text ("44"); see group(). */
  callingCode(code: string): readonly Plan[] | undefined {
    return CALLING_CODE.test(code) ? this.group(Number(code))?.plans : undefined;
  }

  /**
   * True when a national number has the general shape of a number under its calling code: it matches
   * the nationalNumberPattern of one of the countries sharing the code (the check libphonenumber-js's
   * legacy parse() applies). Rejects what length alone lets through, such as a kept trunk prefix
   * ("020 7946" read as +44 0207946).
   */
  fitsShape(callingCode: string, national: string): boolean {
    const found = CALLING_CODE.test(callingCode) ? this.group(Number(callingCode)) : undefined;
    if (found === undefined) return false;
    if (found.plans.length > 0) return found.shape.test(national);
    this.metadata.selectNumberingPlan(callingCode);
    return whole(this.metadata.numberingPlan!.nationalNumberPattern()).test(national);
  }
}

/** checkNumberLength.js for the plan's own lengths. */
function lengthCheck(national: string, plan: Plan): 'possible' | 'short' | 'long' | 'invalid' {
  const lengths = plan.lengths;
  if (!lengths) return 'possible';
  const n = national.length;
  if (lengths[0] === n) return 'possible';
  if (lengths[0]! > n) return 'short';
  if (lengths[lengths.length - 1]! < n) return 'long';
  return lengths.indexOf(n, 1) >= 0 ? 'possible' : 'invalid';
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

type LengthCheck = ReturnType<typeof lengthCheck>;

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

/** A number split as E.164 does ("+" callingCode national), and its extension if it had one. */
export interface PhoneParts {
  readonly callingCode: string;
  readonly national: string;
  readonly extension?: string;
}

// parse.js refuses inputs longer than this before looking at them.
const MAX_INPUT = 250;

/**
 * The parts of a possible number as libphonenumber-js would find them; null when the library would
 * find no possible number (or for a phone-context URI, see below); undefined when only the library can
 * tell. `s` is trimmed.
 */
export function fastParse(s: string, defaultCountry: string, book: PlanBook): PhoneParts | null | undefined {
  const read = readNumber(s, book.home(defaultCountry)!, book, false);
  if (!read) return read;
  const { plan, national, extension } = read;
  return extension === undefined
    ? { callingCode: plan.callingCode, national }
    : { callingCode: plan.callingCode, national, extension };
}

/** A number as readNumber finds it: the plan giving its calling code, the national number, the extension. */
export interface Reading {
  readonly plan: Plan;
  readonly national: string;
  readonly extension: string | undefined;
}

/**
 * fastParse with the default country's plans; with `shaped`, also null for a number that
 * PlanBook.fitsShape refuses, told from the patterns already run on the way.
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
