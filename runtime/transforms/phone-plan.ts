import { Metadata } from 'libphonenumber-js/min';

/*
 * A fast path for the common phone shapes ("020 7946 0123", "+44 20 7946 0123", "(555) 010-1234").
 * libphonenumber-js rebuilds large regular expressions from its metadata on every call and detects the
 * exact country among those sharing a calling code (+44: GB, GG, IM, JE), which costs 5–40 µs per
 * number. Neither matters for an E.164 string plus a length check, so this file follows the library's
 * parsing steps (parse.js → extractCountryCallingCode → extractNationalNumber → isPossible) with the
 * same metadata and regular expressions compiled once, and answers only when the answer cannot depend
 * on the detected country: the national number's length is possible for *every* country sharing the
 * calling code. Anything else (letters, extensions, IDD prefixes, carrier codes, numbers starting with
 * the calling code, lengths some sharing country does not allow) returns undefined and goes to the
 * library. test/transforms/phone.test.ts checks that both agree on generated numbers.
 */

/** The parts of libphonenumber-js's Metadata runtime API used here (its typings declare fewer). */
interface PlanApi {
  callingCode(): string;
  possibleLengths(): number[] | undefined;
  nationalPrefixForParsing(): string | undefined;
  nationalPrefixTransformRule(): string | undefined;
  nationalNumberPattern(): string;
  IDDPrefix(): string;
}
interface MetadataApi {
  hasCountry(country: string): boolean;
  hasCallingCode(callingCode: string): boolean;
  getCountryCodesForCallingCode(callingCode: string): string[] | undefined;
  selectNumberingPlan(countryOrCallingCode: string): void;
  numberingPlan: PlanApi | undefined;
}

/** What the fast path needs of a country's numbering plan, regular expressions compiled once. */
interface Plan {
  readonly callingCode: string;
  readonly idd: RegExp;
  readonly nationalPrefix: RegExp | undefined;
  readonly hasTransformRule: boolean;
  readonly nationalNumber: RegExp;
  /** Lengths possible for every country that shares this calling code. */
  readonly sharedLengths: ReadonlySet<number>;
}

/** Builds plans from the library's metadata, each once. */
export class PlanBook {
  private readonly metadata = new Metadata() as unknown as MetadataApi;
  private readonly byCountry = new Map<string, Plan>();
  private readonly shapes = new Map<string, readonly RegExp[]>();

  /** True when libphonenumber-js has metadata for this ISO 3166-1 alpha-2 country. */
  hasCountry(country: string): boolean {
    return this.metadata.hasCountry(country);
  }

  /** The plan of a country known to the metadata. */
  country(country: string): Plan {
    let plan = this.byCountry.get(country);
    if (!plan) {
      plan = this.build(country);
      this.byCountry.set(country, plan);
    }
    return plan;
  }

  /**
   * For a known calling code, the plan of its main country, or null when the code is non-geographic
   * (+800, +882, ...); undefined when no such calling code exists.
   */
  callingCode(code: string): Plan | null | undefined {
    if (!this.metadata.hasCallingCode(code)) return undefined;
    const main = this.metadata.getCountryCodesForCallingCode(code)?.[0];
    return main === undefined ? null : this.country(main);
  }

  /**
   * True when a national number has the general shape of a number under its calling code: it matches
   * the nationalNumberPattern of one of the countries sharing the code (the check libphonenumber-js's
   * legacy parse() applies). Rejects what length alone lets through, such as a kept trunk prefix
   * ("020 7946" read as +44 0207946).
   */
  fitsShape(callingCode: string, national: string): boolean {
    let shapes = this.shapes.get(callingCode);
    if (!shapes) {
      const countries = this.metadata.getCountryCodesForCallingCode(callingCode) ?? [callingCode];
      shapes = countries.map((c) => {
        this.metadata.selectNumberingPlan(c);
        return new RegExp(`^(?:${this.metadata.numberingPlan!.nationalNumberPattern()})$`);
      });
      this.shapes.set(callingCode, shapes);
    }
    return shapes.some((shape) => shape.test(national));
  }

  private lengths(country: string): readonly number[] {
    this.metadata.selectNumberingPlan(country);
    return this.metadata.numberingPlan?.possibleLengths() ?? [];
  }

  private build(country: string): Plan {
    const m = this.metadata;
    m.selectNumberingPlan(country);
    const p = m.numberingPlan!;
    const prefix = p.nationalPrefixForParsing();
    const base = {
      callingCode: p.callingCode(),
      idd: new RegExp(`^(?:${p.IDDPrefix()})`),
      nationalPrefix: prefix ? new RegExp(`^(?:${prefix})`) : undefined,
      hasTransformRule: Boolean(p.nationalPrefixTransformRule()),
      nationalNumber: new RegExp(`^(?:${p.nationalNumberPattern()})$`),
    };
    const sharing = m.getCountryCodesForCallingCode(base.callingCode) ?? [country];
    let shared = new Set(this.lengths(country));
    for (const other of sharing) {
      const theirs = new Set(this.lengths(other));
      shared = new Set([...shared].filter((n) => theirs.has(n)));
    }
    return { ...base, sharedLengths: shared };
  }
}

/** Digits of a number typed with spaces, dashes, dots and brackets; undefined for any other character. */
function plainDigits(s: string, from: number): string | undefined {
  let digits = '';
  for (let i = from; i < s.length; i += 1) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) digits += s[i];
    else if (c !== 0x20 && c !== 0x2d && c !== 0x2e && c !== 0x28 && c !== 0x29) return undefined;
  }
  return digits;
}

/** The library's national-prefix step (extractNationalNumber.js), or undefined when it needs the library. */
function nationalNumber(digits: string, plan: Plan): string | undefined {
  const match = plan.nationalPrefix?.exec(digits);
  let national = digits;
  if (match) {
    const groups = match.length - 1;
    if (groups > 0 && match[groups]) return undefined; // carrier codes and transform rules
    const stripped = digits.slice(match[0].length);
    const keep = plan.nationalNumber.test(digits) && !plan.nationalNumber.test(stripped);
    if (stripped !== digits && !keep) {
      if (!plan.sharedLengths.has(stripped.length)) return undefined;
      national = stripped;
    }
  }
  return plan.sharedLengths.has(national.length) ? national : undefined;
}

// parse.js refuses inputs longer than this before looking at them.
const MAX_INPUT = 250;

/** A number split as E.164 does: "+" callingCode national. */
export interface PhoneParts {
  readonly callingCode: string;
  readonly national: string;
}

/**
 * The parts of a possible number in a common shape, as libphonenumber-js would find them, or undefined
 * when only the library can tell (including every number that is not possible). `s` is trimmed.
 */
export function fastParse(s: string, defaultCountry: string, book: PlanBook): PhoneParts | undefined {
  if (s.length > MAX_INPUT) return undefined;
  if (s.charCodeAt(0) === 0x2b) {
    const digits = plainDigits(s, 1);
    if (!digits || digits.charCodeAt(0) === 0x30) return undefined;
    for (let size = 1; size <= 3 && size < digits.length; size += 1) {
      const plan = book.callingCode(digits.slice(0, size));
      if (plan === null) return undefined;
      if (plan) {
        const national = nationalNumber(digits.slice(size), plan);
        return national === undefined ? undefined : { callingCode: plan.callingCode, national };
      }
    }
    return undefined;
  }
  const digits = plainDigits(s, 0);
  if (!digits) return undefined;
  const plan = book.country(defaultCountry);
  // An IDD prefix ("00 44 ...") or a number that starts with the calling code may be international.
  if (plan.idd.test(digits) || digits.startsWith(plan.callingCode)) return undefined;
  const national = nationalNumber(digits, plan);
  return national === undefined ? undefined : { callingCode: plan.callingCode, national };
}
