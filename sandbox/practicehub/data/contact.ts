import type { Rng } from '../../shared/rng.ts';

/*
 * Phone numbers, emails and addresses. Numbers use ranges reserved for fiction (Ofcom 020 7946 0xxx and
 * 07700 900xxx, NANP 555-01xx, ACMA 0491 570 xxx); email domains use the reserved example domains.
 */

const d = (rng: Rng, digits: number): string => {
  let out = '';
  for (let i = 0; i < digits; i += 1) out += String(rng.int(0, 9));
  return out;
};

/** Phone formats seen in practice-management data, from clean E.164 to junk. */
const PHONE_FORMATS: readonly ((rng: Rng) => string)[] = [
  (r) => `+44 20 7946 0${d(r, 3)}`,
  (r) => `020 7946 0${d(r, 3)}`,
  (r) => `07700 900${d(r, 3)}`,
  (r) => `07700900${d(r, 3)}`,
  (r) => `+447700900${d(r, 3)}`,
  (r) => `+44 (0)7700 900 ${d(r, 3)}`,
  (r) => `(555) 01${d(r, 1)}-${d(r, 4)}`,
  (r) => `555-01${d(r, 2)}`,
  (r) => `+1 555 01${d(r, 1)} ${d(r, 4)}`,
  (r) => `0412 345 ${d(r, 3)}`,
  (r) => `0491 570 ${d(r, 3)}`,
  (r) => `+61 491 570 ${d(r, 3)}`,
  (r) => `+353 1 555 ${d(r, 4)}`,
  (r) => `020 7946 0${d(r, 3)} ext. ${d(r, 3)}`,
  (r) => `(555) 010-${d(r, 4)} x${d(r, 2)}`,
  (r) => `07700 900${d(r, 3)} (mum)`,
  (r) => `07700 900 ${d(r, 3)} / 020 7946 0${d(r, 3)}`,
  () => 'N/A',
  () => 'none',
  () => '0',
  () => 'call reception',
];

/** A phone number in one of many formats; junk for about one in twenty. */
export function phone(rng: Rng): string {
  const junkFrom = PHONE_FORMATS.length - 4;
  const i = rng.chance(0.05) ? rng.int(junkFrom, PHONE_FORMATS.length - 1) : rng.int(0, junkFrom - 1);
  return PHONE_FORMATS[i]!(rng);
}

/** Reserved example domains, dressed as mail providers. */
export const EMAIL_DOMAINS: readonly string[] = [
  'example.com',
  'example.net',
  'example.org',
  'mail.example.com',
  'inbox.example.net',
  'post.example.org',
  'clinic.example',
];

/** Lower-case ASCII letters and digits of a name ("Siobhán" → "siobhan", "O'Brien" → "obrien", "王" → ""). */
export function asciiSlug(name: string | null): string {
  return (name ?? '')
    .normalize('NFKD')
    .replace(/[^a-zA-Z0-9]/g, '')
    .toLowerCase();
}

/** An email local part from a name, with a random separator and an optional number. */
export function localPart(first: string | null, last: string | null, rng: Rng): string {
  const f = asciiSlug(first);
  const l = asciiSlug(last);
  const base = [f, l].filter(Boolean).join(rng.pick(['.', '_', '', '.']));
  const suffix = rng.chance(0.35) ? String(rng.int(1, 99)) : '';
  return `${base || 'patient'}${suffix}`;
}

/** An email address as typed: mostly lower case, some with capitals. */
export function email(first: string | null, last: string | null, rng: Rng): string {
  const address = `${localPart(first, last, rng)}@${rng.pick(EMAIL_DOMAINS)}`;
  return rng.chance(0.08) ? address.charAt(0).toUpperCase() + address.slice(1) : address;
}

/** Email addresses that fail any validator (the "invalid email" mess). */
export const INVALID_EMAILS: readonly string[] = [
  'john@',
  'a@b',
  'x@@y.com',
  'mary smith@example.com',
  ' padded@example.com ',
  'name@example..com',
  '@example.org',
  'no-at-sign.example.com',
  'jane.doe@example,com',
  'test@localhost',
];

/** An address: streets and towns from the UK, Ireland, the US and Australia, countries as typed. */
export interface Address {
  readonly line1: string;
  readonly line2: string | null;
  readonly city: string;
  readonly state: string | null;
  readonly postcode: string | null;
  readonly country: string | null;
}

const UK_STREETS = ['High Street', 'Station Road', 'Church Lane', 'Victoria Road', 'Green Lane', 'Mill Road'];
const UK_TOWNS: readonly (readonly [string, string, string])[] = [
  ['London', 'Greater London', 'SW1A 1AA'],
  ['Bristol', 'Avon', 'BS1 4DJ'],
  ['Leeds', 'West Yorkshire', 'LS1 4AP'],
  ['Edinburgh', 'Midlothian', 'EH1 1YZ'],
  ['Manchester', 'Greater Manchester', 'M1 1AE'],
  ['Cardiff', 'South Glamorgan', 'CF10 1EP'],
];
const UK_COUNTRIES = ['United Kingdom', 'United Kingdom', 'UK', 'England', 'GB', 'U.K.', null];
const IE_TOWNS: readonly (readonly [string, string, string])[] = [
  ['Dublin', 'Co. Dublin', 'D02 X285'],
  ['Cork', 'Co. Cork', 'T12 W8CX'],
  ['Galway', 'Co. Galway', 'H91 E2K5'],
];
const US_TOWNS: readonly (readonly [string, string, string])[] = [
  ['Springfield', 'IL', '62701'],
  ['Portland', 'OR', '97205'],
  ['Austin', 'TX', '78701'],
  ['Brooklyn', 'NY', '11201'],
];
const AU_TOWNS: readonly (readonly [string, string, string])[] = [
  ['Sydney', 'NSW', '2000'],
  ['Melbourne', 'VIC', '3000'],
  ['Brisbane', 'QLD', '4000'],
  ['Perth', 'WA', '6000'],
];

/** A postal address; about three in four are in the UK, the rest in Ireland, the US and Australia. */
export function address(rng: Rng): Address {
  const roll = rng.next();
  const number = String(rng.int(1, 240));
  const flat = rng.chance(0.2) ? `Flat ${rng.int(1, 30)}${rng.pick(['', 'A', 'B'])}` : null;
  if (roll < 0.74) {
    const [city, county, postcode] = rng.pick(UK_TOWNS);
    return {
      line1: `${number} ${rng.pick(UK_STREETS)}`,
      line2: flat,
      city,
      state: rng.chance(0.6) ? county : null,
      postcode: rng.chance(0.05) ? postcode.replace(' ', '').toLowerCase() : postcode,
      country: rng.pick(UK_COUNTRIES),
    };
  }
  const [towns, street, country] =
    roll < 0.86
      ? [IE_TOWNS, 'Main Street', rng.pick(['Ireland', 'Éire', 'IE', 'Republic of Ireland'])]
      : roll < 0.94
        ? [US_TOWNS, 'Maple Avenue', rng.pick(['United States', 'USA', 'US'])]
        : [AU_TOWNS, 'George Street', rng.pick(['Australia', 'AU'])];
  const [city, state, postcode] = rng.pick(towns);
  return { line1: `${number} ${street}`, line2: flat, city, state, postcode, country };
}
