import type { Rng } from '../../shared/rng.ts';
import { parentPlace } from './clinics.ts';
import { asciiSlug, phone } from './contact.ts';
import { type GenContext, HISTORY_START_MS, type PhRecord, REFERENCE_MS, rngFor } from './context.ts';
import { idOf } from './ids.ts';
import { MESS } from './mess.ts';
import { FIRST_NAMES, LAST_NAMES } from './names.ts';
import { SPECIALISATIONS } from './organisations.ts';
import type { ResourceDef, Stamps } from './resource.ts';
import { DAY, isoSeconds, lastUpdated, spreadCreated } from './time.ts';

/** Staff role by position in each block of 25 (15 practitioners, 2 managers, 2 admins, 4 front desk, 2 billing). */
const ROLE_BLOCK = [
  'manager',
  'practitioner',
  'practitioner',
  'practitioner',
  'practitioner',
  'receptionist',
  'practitioner',
  'practitioner',
  'billing',
  'receptionist',
  'practitioner',
  'practitioner',
  'administrator',
  'receptionist',
  'receptionist',
  'practitioner',
  'practitioner',
  'practitioner',
  'manager',
  'practitioner',
  'administrator',
  'practitioner',
  'billing',
  'practitioner',
  'practitioner',
] as const;

/** A staff role (the source model's `practitioners.role` enum). */
export type StaffRole = (typeof ROLE_BLOCK)[number];

/** Role of staff member n. */
export const roleOf = (n: number): StaffRole => ROLE_BLOCK[n % ROLE_BLOCK.length]!;
/** False for staff who have left. */
export const isActive = (n: number): boolean => !MESS.practitioners.inactive(n);

/** The group's staff email domain, from the parent organisation's place name (a reserved example domain). */
export function staffDomain(ctx: GenContext): string {
  return `${asciiSlug(parentPlace(ctx))}-health.example`;
}

/** Names are drawn with strides coprime to the pool sizes, so no two staff of one block share a name. */
export function staffName(ctx: GenContext, n: number): { first: string; last: string } {
  const offset = ctx.seed >>> 0;
  return {
    first: FIRST_NAMES[(offset + n * 13) % FIRST_NAMES.length]!,
    last: LAST_NAMES[(offset * 7 + n * 29) % LAST_NAMES.length]!,
  };
}

/** Work email of staff member n, or null (no email, per MESS). Receptionists 13/14 share one mailbox. */
export function staffEmail(ctx: GenContext, n: number): string | null {
  if (MESS.practitioners.noEmail(n)) return null;
  const block = Math.floor(n / ROLE_BLOCK.length);
  const suffix = block === 0 ? '' : String(block);
  if (MESS.practitioners.sharedEmail(n)) return `reception${suffix}@${staffDomain(ctx)}`;
  const { first, last } = staffName(ctx, n);
  const local = [asciiSlug(first), asciiSlug(last)].filter(Boolean).join('.');
  return `${local || `staff${n}`}${suffix}@${staffDomain(ctx)}`;
}

function stamps(ctx: GenContext, n: number): Stamps {
  const rng = rngFor(ctx, 'practitioners', n, 0);
  const count = ctx.counts.practitioners;
  const created = spreadCreated(n, count, HISTORY_START_MS, REFERENCE_MS - 90 * DAY, rng);
  if (!isActive(n)) {
    // The leaving date is the last change: deactivated in PracticeHub when they left.
    const left = created + Math.floor((REFERENCE_MS - 30 * DAY - created) * (0.5 + rng.next() * 0.5));
    return { created, updated: left };
  }
  return { created, updated: lastUpdated(created, rng) };
}

const registration = (rng: Rng): string | null =>
  rng.pick([
    `GCC ${rng.int(1000, 9999)}`,
    `0${rng.int(1000, 9999)}`,
    `CAA-${rng.int(100, 999)}`,
    `HCPC PH${rng.int(10000, 99999)}`,
    null,
  ]);

function record(ctx: GenContext, n: number): PhRecord {
  const s = stamps(ctx, n);
  const rng = rngFor(ctx, 'practitioners', n);
  const { first, last } = staffName(ctx, n);
  const role = roleOf(n);
  const clinical = role === 'practitioner';
  return {
    id: idOf(ctx, 'practitioners', n),
    first_name: first,
    last_name: last,
    email: staffEmail(ctx, n),
    phone: rng.chance(0.8) ? phone(rng) : null,
    role,
    specialization: clinical ? rng.pick(SPECIALISATIONS) : null,
    registration_number: clinical ? registration(rng) : null,
    active: isActive(n),
    created_at: isoSeconds(s.created),
    updated_at: isoSeconds(s.updated),
    deleted_at: null,
  };
}

/**
 * A clinician for a record: a `practitioner`-role staff member; `activeOnly` for future work, since
 * only past appointments may belong to staff who left.
 */
export function pickClinician(ctx: GenContext, rng: Rng, activeOnly: boolean): number {
  const count = ctx.counts.practitioners;
  for (let tries = 0; tries < 64; tries += 1) {
    const n = rng.int(0, count - 1);
    if (roleOf(n) === 'practitioner' && (!activeOnly || isActive(n))) return n;
  }
  return 1;
}

/** Practitioners: all staff, licensed or not, active or not (`active=eq:true` filters). */
export const practitioners: ResourceDef = {
  name: 'practitioners',
  stamps,
  record,
  extraFilters: { active: { field: 'active', type: 'boolean', cheap: (_ctx, n) => isActive(n) } },
};
