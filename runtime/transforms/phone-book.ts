import { Metadata } from 'libphonenumber-js/min';
import { eitherSure, MAX_NATIONAL, NOTHING_SURE, type Sure, surelyMatching } from './phone-sure.ts';

/*
 * Numbering plans for phone-plan.ts's fast path, compiled once per country from libphonenumber-js's
 * metadata (the same data its parse reads): regular expressions, prefixes, lengths, and what the
 * countries sharing a calling code agree on.
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

/**
 * The countries sharing a calling code (main country first), per national-number length the answer
 * lengthCheck gives for all of them when they agree (`undefined` where they differ), and their
 * national number patterns as one (matching when one of them does).
 */
export interface Group {
  readonly plans: readonly Plan[];
  readonly agreed: readonly (LengthCheck | undefined)[];
  readonly shape: RegExp;
  /** The numbers shape surely matches, known without running it. */
  readonly sure: Sure;
}

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
// An ISO 3166-1 alpha-2 code, as the metadata keys its countries.
const COUNTRY_CODE = /^[A-Z]{2}$/;

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
  /** The home asked for last: a migration asks for one default country on almost every call. */
  private last: Home | undefined;
  /** Calling code as a number (1–999) → its group; null when no such calling code exists. */
  private readonly groups: (Group | null | undefined)[] = new Array(1000).fill(undefined);

  /**
   * The plan of an ISO 3166-1 alpha-2 country and the plans sharing its calling code; undefined when
   * libphonenumber-js has no metadata for the country.
   */
  home(country: string): Home | undefined {
    if (this.last !== undefined && this.last.plan.country === country) return this.last;
    let home = this.homes.get(country);
    if (home === undefined) {
      // The metadata's countries are a plain object: "constructor" or "toString" would be found in it.
      if (!COUNTRY_CODE.test(country) || !this.metadata.hasCountry(country)) return undefined;
      const plan = this.plan(country);
      home = { plan, sharing: this.group(plan.code)! };
      this.homes.set(country, home);
    }
    this.last = home;
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
export function lengthCheck(national: string, plan: Plan): 'possible' | 'short' | 'long' | 'invalid' {
  const lengths = plan.lengths;
  if (!lengths) return 'possible';
  const n = national.length;
  if (lengths[0] === n) return 'possible';
  if (lengths[0]! > n) return 'short';
  if (lengths[lengths.length - 1]! < n) return 'long';
  return lengths.indexOf(n, 1) >= 0 ? 'possible' : 'invalid';
}

export type LengthCheck = ReturnType<typeof lengthCheck>;
