import { address, EMAIL_DOMAINS, phone } from './contact.ts';
import { type GenContext, HISTORY_START_MS, type PhRecord, rngFor } from './context.ts';
import { idOf } from './ids.ts';
import { LONG_CLINIC_NAME, MESS } from './mess.ts';
import { CLINIC_KINDS, CLINIC_PLACES } from './organisations.ts';
import type { ResourceDef, Stamps } from './resource.ts';
import { DAY, isoSeconds, lastUpdated, spreadCreated } from './time.ts';

const TIME_ZONES = ['Europe/London', 'Europe/London', 'Europe/London', 'Europe/Dublin'];

/** Index 0 is the parent organisation; locations 1..L opened over the first four years. */
function stamps(ctx: GenContext, n: number): Stamps {
  const rng = rngFor(ctx, 'clinics', n, 0);
  const created =
    n === 0
      ? HISTORY_START_MS
      : spreadCreated(n - 1, ctx.locations, HISTORY_START_MS + DAY, HISTORY_START_MS + 1460 * DAY, rng);
  return { created, updated: lastUpdated(created, rng, 0.7) };
}

const placeOf = (ctx: GenContext, n: number): string =>
  CLINIC_PLACES[(n * 7 + (ctx.seed >>> 0)) % CLINIC_PLACES.length]!;

/** The parent organisation's place name ("Harbourside" → "Harbourside Health Group"). */
export const parentPlace = (ctx: GenContext): string => placeOf(ctx, 0);

function clinicName(ctx: GenContext, n: number): string {
  const rng = rngFor(ctx, 'clinics', n, 2);
  const place = placeOf(ctx, n);
  if (n === 0) return `${place} Health Group`;
  if (n === MESS.clinics.longName) return LONG_CLINIC_NAME;
  return `${place} ${rng.pick(CLINIC_KINDS)}`;
}

function record(ctx: GenContext, n: number): PhRecord {
  const s = stamps(ctx, n);
  const rng = rngFor(ctx, 'clinics', n);
  const bare = n === MESS.clinics.bare;
  const where = address(rng);
  const name = clinicName(ctx, n);
  const slug = name
    .toLowerCase()
    .replace(/[^a-z]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 30);
  return {
    id: idOf(ctx, 'clinics', n),
    name,
    parent_clinic_id: n === 0 ? null : idOf(ctx, 'clinics', 0),
    address_line_1: where.line1,
    address_line_2: n === 0 ? null : where.line2,
    city: where.city,
    state: where.state,
    postcode: where.postcode,
    country: where.country,
    phone: bare ? null : phone(rng),
    email: bare
      ? null
      : `${rng.pick(['info', 'reception', 'hello', 'frontdesk'])}@${slug}.${rng.pick(EMAIL_DOMAINS)}`,
    website: bare
      ? null
      : rng.pick([`https://www.${slug}.example`, `www.${slug}.example`, `http://${slug}.example/`]),
    time_zone: rng.pick(TIME_ZONES),
    created_at: isoSeconds(s.created),
    updated_at: isoSeconds(s.updated),
    deleted_at: null,
  };
}

/** Clinics: one parent organisation and its locations (`parent_clinic_id` points at the parent). */
export const clinics: ResourceDef = { name: 'clinics', stamps, record };
