import { Metadata } from 'libphonenumber-js/min';

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
interface Plan {
  readonly country: string;
  readonly callingCode: string;
  /** The calling code as a number, for PlanBook.group. */
  readonly code: number;
  readonly lengths: readonly number[] | undefined;
  readonly idd: RegExp;
  readonly nationalPrefix: RegExp | undefined;
  readonly nationalNumber: RegExp;
  readonly leadingDigits: RegExp | undefined;
  readonly types: readonly { readonly pattern: RegExp; readonly lengths: readonly number[] | undefined }[];
}

const whole = (pattern: string): RegExp => new RegExp(`^(?:${pattern})$`);

/**
 * The countries sharing a calling code (main country first), and per national-number length the
 * answer lengthCheck gives for all of them when they agree (`undefined` where they differ).
 */
interface Group {
  readonly plans: readonly Plan[];
  readonly agreed: readonly (LengthCheck | undefined)[];
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
  return { plans, agreed };
}

// Calling codes are one to three digits and never start with 0.
const CALLING_CODE = /^[1-9][0-9]{0,2}$/;

/** Plans compiled from the library's metadata, each once. */
export class PlanBook {
  private readonly metadata = new Metadata() as unknown as MetadataApi;
  private readonly plans = new Map<string, Plan>();
  /** Calling code as a number (1–999) → its group; null when no such calling code exists. */
  private readonly groups: (Group | null | undefined)[] = new Array(1000).fill(undefined);

  /** True when libphonenumber-js has metadata for this ISO 3166-1 alpha-2 country. */
  hasCountry(country: string): boolean {
    return this.plans.has(country) || this.metadata.hasCountry(country);
  }

  /** The plan of a country known to the metadata. */
  plan(country: string): Plan {
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
        idd: new RegExp(`^(?:${p.IDDPrefix()})`),
        nationalPrefix: prefix ? new RegExp(`^(?:${prefix})`) : undefined,
        nationalNumber: whole(p.nationalNumberPattern()),
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
    const plans = this.callingCode(callingCode);
    if (plans === undefined) return false;
    if (plans.length > 0) return plans.some((p) => p.nationalNumber.test(national));
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

/** getNumberType.js: does the number match one of the plan's number types? */
function hasType(national: string, plan: Plan): boolean {
  if (!plan.nationalNumber.test(national)) return false;
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

/**
 * extractNationalNumber.js with `selected` as the selected plan: the national number, and its length
 * check when it was already made (so the caller does not repeat it); undefined when it needs the library.
 */
function nationalNumber(
  digits: string,
  selected: Plan,
  sharing: Group,
): { readonly national: string; readonly check?: LengthCheck } | undefined {
  const match = selected.nationalPrefix?.exec(digits);
  if (!match) return { national: digits };
  const groups = match.length - 1;
  if (groups > 0 && match[groups]) return undefined; // carrier codes and transform rules
  const stripped = digits.slice(match[0].length);
  if (stripped === digits) return { national: digits };
  if (selected.nationalNumber.test(digits) && !selected.nationalNumber.test(stripped))
    return { national: digits };
  const check = checkFor(stripped, sharing, selected);
  return check === 'short' || check === 'invalid' ? { national: digits } : { national: stripped, check };
}

/** Digits of text made of digits, spaces, dashes, dots, slashes and brackets; undefined for any other character. */
function plainDigits(s: string, from: number): string | undefined {
  let digits = '';
  let last = from; // digits from `last` to the current character are not yet in `digits`
  for (let i = from; i < s.length; i += 1) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) continue;
    if (c !== 0x20 && c !== 0x2d && c !== 0x2e && c !== 0x2f && c !== 0x28 && c !== 0x29) return undefined;
    if (i > last) digits += s.slice(last, i);
    last = i + 1;
  }
  if (last === from) return from === 0 ? s : s.slice(from);
  return last < s.length ? digits + s.slice(last) : digits;
}

// A character that is neither a digit, punctuation nor plus as libphonenumber-js defines them
// (constants.js VALID_DIGITS, VALID_PUNCTUATION, PLUS_CHARS). Outside an extension, such a character
// makes the text not a viable number (helpers/isViablePhoneNumber.js).
const NOT_NUMBER_TEXT =
  /[^0-9\uFF10-\uFF19\u0660-\u0669\u06F0-\u06F9\-\u2010-\u2015\u2212\u30FC\uFF0D\uFF0F/\uFF0E. \u00A0\u00AD\u200B\u2060\u3000()\uFF08\uFF09\uFF3B\uFF3D[\]~\u2053\u223C\uFF5E+\uFF0B]/;

// The extension grammar of libphonenumber-js (helpers/extension/createExtensionPattern.js), rebuilt
// here because the library does not export it: ";ext=123", "ext. 123", "x12", "#45", "123#", ",,12".
const DIGITS = '0-9\uFF10-\uFF19\u0660-\u0669\u06F0-\u06F9';
const extDigits = (max: number): string => `([${DIGITS}]{1,${max}})`;
const AFTER_LABEL = '[:\\.\uFF0E]?[ \u00A0\\t,-]*';
const EXTENSION = new RegExp(
  `(?:${[
    `;ext=${extDigits(20)}`,
    `[ \u00A0\\t,]*(?:e?xt(?:ensi(?:o\u0301?|\u00F3))?n?|\uFF45?\uFF58\uFF54\uFF4E?|\u0434\u043E\u0431|anexo)${AFTER_LABEL}${extDigits(20)}#?`,
    `[ \u00A0\\t,]*(?:[x\uFF58#\uFF03~\uFF5E]|int|\uFF49\uFF4E\uFF54)${AFTER_LABEL}${extDigits(9)}#?`,
    `[- ]+${extDigits(6)}#`,
    `[ \u00A0\\t]*(?:,{2}|;)${AFTER_LABEL}${extDigits(15)}#?`,
    `[ \u00A0\\t]*(?:,)+${AFTER_LABEL}${extDigits(9)}#?`,
  ].join('|')})$`,
  'i',
);

/** True when the last character is a digit EXTENSION reads, or "#". */
function endsLikeExtension(s: string): boolean {
  const c = s.charCodeAt(s.length - 1);
  return (
    (c >= 0x30 && c <= 0x39) ||
    c === 0x23 ||
    (c >= 0xff10 && c <= 0xff19) ||
    (c >= 0x0660 && c <= 0x0669) ||
    (c >= 0x06f0 && c <= 0x06f9)
  );
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
  if (s.length > MAX_INPUT) return undefined;
  const plus = s.charCodeAt(0) === 0x2b;
  let digits = plainDigits(s, plus ? 1 : 0);
  let extension: string | undefined;
  if (digits === undefined) {
    // RFC 3966 URIs with a phone-context ("tel:863-1234;phone-context=+1-914-555") are refused: the
    // library checks the context with a module-level RegExp that has the g flag
    // (helpers/extractPhoneContext.js), so test() keeps lastIndex between calls and the same text is
    // accepted and refused in turn. Front desks do not type such URIs.
    if (s.includes(';phone-context=')) return null;
    // Every form of EXTENSION ends with a digit or "#": other text need not be searched for one.
    const m = endsLikeExtension(s) ? EXTENSION.exec(s) : null;
    // Not an extension: a letter or other stray character means no number ("07700 900123 (mum)").
    if (!m) return NOT_NUMBER_TEXT.test(s) ? null : undefined;
    extension = m.slice(1).find(Boolean);
    digits = plainDigits(s.slice(0, m.index), plus ? 1 : 0);
    if (digits === undefined || extension === undefined || !/^[0-9]+$/.test(extension)) return undefined;
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
    selected = book.plan(defaultCountry);
    // An IDD prefix ("00 44 ...") or a number that starts with the calling code may be international.
    if (selected.idd.test(digits) || digits.startsWith(selected.callingCode)) return undefined;
    sharing = book.group(selected.code)!;
    national = digits;
  }
  const result = nationalNumber(national, selected, sharing);
  if (result === undefined) return undefined;
  const extracted = result.national;
  if (extracted.length < 2 || extracted.length > 17) return null; // parse.js MIN/MAX_LENGTH_FOR_NSN
  // In both paths the fallback plan is `selected` (for "+", the main country of the calling code).
  if ((result.check ?? checkFor(extracted, sharing, selected)) !== 'possible') return null;
  return extension === undefined
    ? { callingCode: selected.callingCode, national: extracted }
    : { callingCode: selected.callingCode, national: extracted, extension };
}
