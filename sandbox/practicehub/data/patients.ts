import type { Rng } from '../../shared/rng.ts';
import { address, email, INVALID_EMAILS, phone } from './contact.ts';
import {
  type GenContext,
  HISTORY_START_MS,
  type Json,
  type PhRecord,
  REFERENCE_MS,
  rngFor,
} from './context.ts';
import { idOf } from './ids.ts';
import { CONTROL_CHAR_NAMES, EMOJI_NAMES, LONG_FIRST_NAME, MESS } from './mess.ts';
import { FIRST_NAMES, LAST_NAMES, NICKNAMES, OCCUPATIONS } from './names.ts';
import { referralTypeOf } from './referral-sources.ts';
import type { ResourceDef, Stamps } from './resource.ts';
import { shortNote } from './text.ts';
import { DAY, isoDate, isoSeconds, lastUpdated, spreadCreated } from './time.ts';

const FIRST_PATIENT_MS = HISTORY_START_MS + 7 * DAY;
const M = MESS.patients;

/** The cheap facts of patient n that other resources derive from. */
export interface PatientCore extends Stamps {
  /** Clinic indices with the instant each assignment last changed; the latest is the primary clinic. */
  readonly clinics: readonly { readonly clinic: number; readonly updated: number }[];
}

/** Core facts of patient n: creation, clinic assignments (2–3 clinics for some, per MESS), last change. */
export function patientCore(ctx: GenContext, n: number): PatientCore {
  const rng = rngFor(ctx, 'patients', n, 0);
  const created = spreadCreated(n, ctx.counts.patients, FIRST_PATIENT_MS, REFERENCE_MS - DAY, rng);
  const edited = lastUpdated(created, rng);
  const wanted = M.threeClinics(n) ? 3 : M.twoClinics(n) ? 2 : 1;
  const count = Math.min(wanted, ctx.locations);
  const first = rng.int(1, ctx.locations);
  const clinics = [{ clinic: first, updated: created }];
  let last = created;
  for (let i = 1; i < count; i += 1) {
    // Each later clinic was assigned after the previous one (the patient moved or also visits there).
    last = Math.min(REFERENCE_MS - 1000, last + Math.floor((REFERENCE_MS - last) * (0.1 + rng.next() * 0.5)));
    clinics.push({ clinic: 1 + ((first - 1 + i) % ctx.locations), updated: last });
  }
  return { created, updated: Math.max(edited, last), clinics };
}

/**
 * A patient who already existed at `at`, biased towards recent ones (most activity belongs to
 * patients in active care). Relies on patients' creation being spread evenly (spreadCreated).
 */
export function patientBefore(ctx: GenContext, at: number, rng: Rng): number {
  const count = ctx.counts.patients;
  const step = (REFERENCE_MS - DAY - FIRST_PATIENT_MS) / count;
  const max = Math.max(0, Math.min(count - 1, Math.floor((at - FIRST_PATIENT_MS) / step) - 1));
  const r = rng.next();
  return Math.max(0, max - Math.floor(max * r * r));
}

function names(n: number, rng: Rng): { first: string | null; last: string | null } {
  let first: string | null = rng.pick(FIRST_NAMES);
  let last: string | null = rng.pick(LAST_NAMES);
  if (M.emojiName(n)) first = rng.pick(EMOJI_NAMES);
  if (M.controlCharName(n)) first = rng.pick(CONTROL_CHAR_NAMES);
  if (M.longFirstName(n)) first = LONG_FIRST_NAME;
  if (M.missingFirstName(n)) first = null;
  if (M.missingLastName(n)) last = null;
  if (M.emptyLastName(n)) last = '';
  return { first, last };
}

/** Email of patient n as the generator types it (before the duplicate rule, which copies n-1's). */
function ownEmail(ctx: GenContext, n: number): string | null {
  const rng = rngFor(ctx, 'patients', n, 2);
  const { first, last } = names(n, rngFor(ctx, 'patients', n));
  if (M.invalidEmail(n)) return rng.pick(INVALID_EMAILS);
  if (M.longEmail(n))
    return `${'very.long.address.from.an.old.booking.form.'.repeat(3)}patient${n}@example.com`;
  if (M.duplicateEmail(n + 1)) return email(first, last, rng); // its successor shares it: never null
  return rng.chance(0.12) ? null : email(first, last, rng);
}

function dateOfBirth(n: number, created: number, rng: Rng): string | null {
  if (M.dobBefore1753(n)) return n % 2000 === 1001 ? '1685-03-21' : '1752-06-15';
  if (M.dobBefore1900(n))
    return `18${rng.int(50, 99)}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
  if (rng.chance(0.07)) return null;
  return isoDate(created - rng.int(2 * 365, 92 * 365) * DAY);
}

const TITLES: Record<string, readonly (string | null)[]> = {
  female: ['Mrs', 'Ms', 'Miss', 'Dr', null],
  male: ['Mr', 'Mr', 'Dr', null],
  other: ['Mx', null],
  unknown: [null],
};

const ALERTS = [
  'Latex allergy',
  'Pacemaker - no electrotherapy',
  'Osteoporosis: no HVLA',
  'On warfarin',
  'Pregnant',
  'Hip replacement (L) 2019',
];

function customProperties(rng: Rng): Record<string, Json> {
  const maybe = <T extends Json>(value: () => T, nullShare: number): T | null =>
    rng.chance(nullShare) ? null : value();
  const methods = ['phone', 'sms', 'email', 'post'].filter(() => rng.chance(0.4));
  return {
    allergy_flag: maybe(() => rng.chance(0.15), 0.3),
    care_plan_status: maybe(() => rng.pick(['none', 'active', 'paused', 'completed']), 0.25),
    preferred_contact_method: maybe(() => methods, 0.35),
    last_xray_date: maybe(() => isoDate(REFERENCE_MS - rng.int(30, 3000) * DAY), 0.7),
    pain_score: maybe(() => rng.int(0, 20) / 2, 0.4),
    medical_alerts: maybe(() => rng.pick(ALERTS), 0.8),
  };
}

function record(ctx: GenContext, n: number): PhRecord {
  const core = patientCore(ctx, n);
  const rng = rngFor(ctx, 'patients', n);
  const { first, last } = names(n, rng);
  const sex = rng.chance(0.05)
    ? null
    : rng.pick(['female', 'female', 'male', 'male', 'other', 'unknown'] as const);
  const where = rng.chance(0.1) ? null : address(rng);
  const referral = rng.chance(0.55) ? rng.int(0, ctx.counts.referral_sources - 1) : null;
  const detail = rngFor(ctx, 'patients', n, 2);
  return {
    id: idOf(ctx, 'patients', n),
    title: sex ? rng.pick(TITLES[sex]!) : null,
    first_name: first,
    last_name: last,
    preferred_name: rng.chance(0.1) ? rng.pick(NICKNAMES) : null,
    date_of_birth: dateOfBirth(n, core.created, rng),
    sex,
    email: M.duplicateEmail(n) ? ownEmail(ctx, n - 1) : ownEmail(ctx, n),
    phone_mobile: rng.chance(0.85) ? phone(rng) : null,
    phone_home: rng.chance(0.3) ? phone(rng) : null,
    address_line_1: where?.line1 ?? null,
    address_line_2: where?.line2 ?? null,
    city: where?.city ?? null,
    state: where?.state ?? null,
    postcode: where?.postcode ?? null,
    country: where?.country ?? null,
    occupation: rng.chance(0.5) ? rng.pick(OCCUPATIONS) : null,
    notes: rng.chance(0.2) ? shortNote(rng) : null,
    clinic_assignments: core.clinics.map((c) => ({
      clinic_id: idOf(ctx, 'clinics', c.clinic),
      updated_at: isoSeconds(c.updated),
    })),
    referral_source_id: referral === null ? null : idOf(ctx, 'referral_sources', referral),
    referral_type: referral === null ? (detail.chance(0.05) ? 'other' : null) : referralTypeOf(referral),
    referral_date: referral === null ? null : isoDate(core.created - detail.int(0, 21) * DAY),
    custom_properties: customProperties(detail),
    created_at: isoSeconds(core.created),
    updated_at: isoSeconds(core.updated),
    deleted_at: null,
  };
}

/** Patients, with the mess listed in mess.ts. */
export const patients: ResourceDef = { name: 'patients', stamps: patientCore, record };
