import { createRng, mixSeed, type Rng } from '../../shared/rng.ts';

/** Every timestamp in the base data lies before this instant, so data never depends on the wall clock. */
export const REFERENCE_MS = Date.parse('2026-06-30T00:00:00Z');
/** The clinic group's first day on PracticeHub: base records are created between this and REFERENCE_MS. */
export const HISTORY_START_MS = Date.parse('2016-01-04T09:00:00Z');

/** The resources the sandbox serves, in load-friendly order (parents before children). */
export const RESOURCE_NAMES = [
  'clinics',
  'practitioners',
  'custom_properties',
  'appointment_types',
  'payment_methods',
  'referral_sources',
  'patients',
  'appointments',
  'clinical_notes',
  'prescriptions',
  'insurance_policies',
  'payments',
  'policy_documents',
  'training_records',
  'files',
] as const;

/** A resource path segment: `/api/<ResourceName>`. */
export type ResourceName = (typeof RESOURCE_NAMES)[number];

/** A JSON value as served. */
export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

/** One served record: an object whose `id` is a string of digits. */
export type PhRecord = { readonly id: string } & { readonly [key: string]: Json };

/** Read-only generation context shared by every resource generator of one dataset. */
export interface GenContext {
  readonly seed: number;
  readonly scale: number;
  /** Base record count of each resource (records created later by mutations come on top). */
  readonly counts: Readonly<Record<ResourceName, number>>;
  /** Location clinics (indices 1..locations); index 0 is the parent organisation. */
  readonly locations: number;
}

const perScale = (base: number, scale: number, min: number): number =>
  Math.max(min, Math.round(base * scale));

/** The record counts for a scale: linear in `scale` (1 ≈ one clinic group of four clinics). */
export function countsFor(scale: number): Record<ResourceName, number> {
  const policyDocuments = perScale(30, scale, 2);
  return {
    clinics: 1 + perScale(3, scale, 1),
    practitioners: perScale(25, scale, 5),
    custom_properties: 6,
    appointment_types: 8,
    payment_methods: 7,
    referral_sources: perScale(60, scale, 5),
    patients: perScale(2000, scale, 20),
    appointments: perScale(10000, scale, 50),
    clinical_notes: perScale(4000, scale, 20),
    prescriptions: perScale(1000, scale, 10),
    insurance_policies: perScale(1500, scale, 10),
    payments: perScale(8000, scale, 40),
    policy_documents: policyDocuments,
    training_records: perScale(120, scale, 5),
    files: policyDocuments + perScale(70, scale, 3),
  };
}

/** Builds the generation context for (seed, scale). */
export function createContext(seed: number, scale: number): GenContext {
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  if (!(scale > 0) || !Number.isFinite(scale))
    throw new Error(`scale must be a positive number, got ${scale}`);
  const counts = countsFor(scale);
  return { seed, scale, counts, locations: counts.clinics - 1 };
}

/** Stable numeric code of each resource: the first two digits of its ids and part of its RNG seeds. */
export const RESOURCE_CODES: Readonly<Record<ResourceName, number>> = {
  clinics: 11,
  practitioners: 12,
  patients: 13,
  appointment_types: 14,
  appointments: 15,
  clinical_notes: 16,
  prescriptions: 17,
  insurance_policies: 18,
  payment_methods: 19,
  payments: 20,
  referral_sources: 21,
  custom_properties: 22,
  policy_documents: 23,
  training_records: 24,
  files: 25,
};

/**
 * The random stream of record `n` of `resource`. Stream 0 holds the cheap "core" facts other
 * resources derive from (timestamps, links); stream 1 the rest, so adding a detail never shifts a core.
 */
export function rngFor(ctx: GenContext, resource: ResourceName, n: number, stream: 0 | 1 | 2 = 1): Rng {
  return createRng(mixSeed(ctx.seed, RESOURCE_CODES[resource], n, stream));
}
