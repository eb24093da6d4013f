import { type GenContext, HISTORY_START_MS, type PhRecord, rngFor } from './context.ts';
import { idOf } from './ids.ts';
import type { ResourceDef, Stamps } from './resource.ts';
import { DAY, isoSeconds, lastUpdated } from './time.ts';

/*
 * Small account-level catalogs, set up when the account opened: appointment types, payment methods
 * and the six custom patient property definitions. Fixed content; records past the catalog (created
 * later by mutations) repeat an entry with a "(copy n)" suffix, as an admin duplicating one would.
 */

/** Appointment types: name and default length in minutes. */
export const APPOINTMENT_TYPES: readonly (readonly [string, number])[] = [
  ['Initial consultation', 45],
  ['Follow-up', 20],
  ['Report of findings', 30],
  ['Extended treatment', 40],
  ['Maintenance', 15],
  ['Re-examination', 30],
  ['Sports massage', 60],
  ['Paediatric assessment', 30],
];

/** Payment methods configured in the account: the documented codes plus two legacy ones. */
const PAYMENT_METHODS: readonly (readonly [string, string])[] = [
  ['card', 'Card'],
  ['cash', 'Cash'],
  ['bank_transfer', 'Bank transfer'],
  ['insurance', 'Insurance claim'],
  ['voucher', 'Gift voucher'],
  ['cheque', 'Cheque (legacy)'],
  ['giftcard', 'Gift card (old till system)'],
];

/** Custom patient property definitions: key, display name, type, options. Keys match patients' custom_properties. */
export const CUSTOM_PROPERTIES: readonly (readonly [string, string, string, readonly string[] | null])[] = [
  ['allergy_flag', 'Allergy on file', 'boolean', null],
  ['care_plan_status', 'Care plan status', 'single_choice', ['none', 'active', 'paused', 'completed']],
  ['preferred_contact_method', 'Preferred contact method', 'multi_choice', ['phone', 'sms', 'email', 'post']],
  ['last_xray_date', 'Last X-ray', 'date', null],
  ['pain_score', 'Pain score (0-10)', 'number', null],
  ['medical_alerts', 'Medical alerts', 'text', null],
];

const catalogStamps =
  (resource: 'appointment_types' | 'payment_methods' | 'custom_properties', dayOffset: number) =>
  (ctx: GenContext, n: number): Stamps => {
    const rng = rngFor(ctx, resource, n, 0);
    const created = HISTORY_START_MS + (dayOffset + n) * DAY + rng.int(0, 8 * 3600) * 1000;
    return { created, updated: lastUpdated(created, rng, 0.3) };
  };

const entry = <T>(list: readonly T[], n: number): [T, string] => [
  list[n % list.length]!,
  n < list.length ? '' : ` (copy ${Math.floor(n / list.length)})`,
];

const appointmentTypeStamps = catalogStamps('appointment_types', 0);
const paymentMethodStamps = catalogStamps('payment_methods', 1);
const customPropertyStamps = catalogStamps('custom_properties', 2);

/** Appointment types. */
export const appointmentTypes: ResourceDef = {
  name: 'appointment_types',
  stamps: appointmentTypeStamps,
  record(ctx, n): PhRecord {
    const s = appointmentTypeStamps(ctx, n);
    const [[name, minutes], copy] = entry(APPOINTMENT_TYPES, n);
    return {
      id: idOf(ctx, 'appointment_types', n),
      name: `${name}${copy}`,
      duration_minutes: minutes,
      created_at: isoSeconds(s.created),
      updated_at: isoSeconds(s.updated),
      deleted_at: null,
    };
  },
};

/** Payment methods. */
export const paymentMethods: ResourceDef = {
  name: 'payment_methods',
  stamps: paymentMethodStamps,
  record(ctx, n): PhRecord {
    const s = paymentMethodStamps(ctx, n);
    const [[code, name], copy] = entry(PAYMENT_METHODS, n);
    return {
      id: idOf(ctx, 'payment_methods', n),
      code: copy ? `${code}_${Math.floor(n / PAYMENT_METHODS.length)}` : code,
      name: `${name}${copy}`,
      created_at: isoSeconds(s.created),
      updated_at: isoSeconds(s.updated),
      deleted_at: null,
    };
  },
};

/** Custom patient property definitions (every property type occurs). */
export const customProperties: ResourceDef = {
  name: 'custom_properties',
  stamps: customPropertyStamps,
  record(ctx, n): PhRecord {
    const s = customPropertyStamps(ctx, n);
    const [[key, name, type, options], copy] = entry(CUSTOM_PROPERTIES, n);
    return {
      id: idOf(ctx, 'custom_properties', n),
      key: copy ? `${key}_${Math.floor(n / CUSTOM_PROPERTIES.length)}` : key,
      name: `${name}${copy}`,
      type,
      options: options ? [...options] : null,
      created_at: isoSeconds(s.created),
      updated_at: isoSeconds(s.updated),
      deleted_at: null,
    };
  },
};
