import { address, EMAIL_DOMAINS, phone } from './contact.ts';
import { type GenContext, HISTORY_START_MS, type PhRecord, REFERENCE_MS, rngFor } from './context.ts';
import { idOf } from './ids.ts';
import { FIRST_NAMES, LAST_NAMES } from './names.ts';
import { CLINIC_KINDS, CLINIC_PLACES, MARKETING_CHANNELS } from './organisations.ts';
import type { ResourceDef, Stamps } from './resource.ts';
import { DAY, isoSeconds, lastUpdated, spreadCreated } from './time.ts';

/** Referral source types, in the order they cycle through the records (every type occurs). */
export const REFERRAL_TYPES = [
  'physician',
  'external_clinic',
  'marketing_channel',
  'patient',
  'other',
] as const;

/** Type of referral source n (cheap: patients copy it into `referral_type`). */
export const referralTypeOf = (n: number): (typeof REFERRAL_TYPES)[number] =>
  REFERRAL_TYPES[n % REFERRAL_TYPES.length]!;

function stamps(ctx: GenContext, n: number): Stamps {
  const rng = rngFor(ctx, 'referral_sources', n, 0);
  const created = spreadCreated(
    n,
    ctx.counts.referral_sources,
    HISTORY_START_MS,
    REFERENCE_MS - 60 * DAY,
    rng,
  );
  return { created, updated: lastUpdated(created, rng) };
}

function record(ctx: GenContext, n: number): PhRecord {
  const s = stamps(ctx, n);
  const rng = rngFor(ctx, 'referral_sources', n);
  const type = referralTypeOf(n);
  const person = `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
  const place = rng.pick(CLINIC_PLACES);
  let name: string;
  let organisation: string | null = null;
  switch (type) {
    case 'physician':
      name = `Dr ${person}`;
      organisation = `${place} ${rng.pick(['Medical Practice', 'GP Surgery', 'Family Medicine', 'Health Centre'])}`;
      break;
    case 'external_clinic':
      organisation = `${place} ${rng.pick(CLINIC_KINDS)}${rng.pick(['', ' Ltd', ' LLP'])}`;
      name = rng.chance(0.5) ? organisation : `${person} (${organisation})`;
      break;
    case 'marketing_channel':
      name = rng.pick(MARKETING_CHANNELS);
      break;
    case 'patient':
      name = `Patient referral - ${person}`;
      break;
    default:
      name = rng.pick(['Word of mouth', 'Employer', 'Gym', 'Running club', 'Saw the sign', 'Other']);
  }
  const external = organisation !== null;
  const slug = (organisation ?? '').toLowerCase().replace(/[^a-z]+/g, '');
  return {
    id: idOf(ctx, 'referral_sources', n),
    type,
    name,
    organisation_name: organisation,
    phone: external && rng.chance(0.8) ? phone(rng) : null,
    email: external && rng.chance(0.6) ? `referrals@${slug}.${rng.pick(EMAIL_DOMAINS)}` : null,
    website: external && rng.chance(0.5) ? `https://${slug}.example` : null,
    city: external ? address(rng).city : null,
    created_at: isoSeconds(s.created),
    updated_at: isoSeconds(s.updated),
    deleted_at: null,
  };
}

/** Referral sources: physicians and external clinics are organisations outside PracticeHub. */
export const referralSources: ResourceDef = { name: 'referral_sources', stamps, record };
