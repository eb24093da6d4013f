import { type GenContext, HISTORY_START_MS, type PhRecord, REFERENCE_MS, rngFor } from './context.ts';
import { idOf } from './ids.ts';
import { patientBefore } from './patients.ts';
import { pickClinician } from './practitioners.ts';
import type { ResourceDef, Stamps } from './resource.ts';
import { DAY, isoDate, isoSeconds, lastUpdated, spreadCreated } from './time.ts';

const MEDICATIONS: readonly (readonly [string, readonly string[]])[] = [
  ['Ibuprofen', ['200 mg', '400 mg']],
  ['Naproxen', ['250 mg', '500 mg']],
  ['Paracetamol', ['500 mg', '1 g']],
  ['Diclofenac gel 1%', ['apply thinly']],
  ['Cyclobenzaprine', ['5 mg', '10 mg']],
  ['Vitamin D3', ['1000 IU', '25 µg']],
  ['Magnesium glycinate', ['200 mg']],
  ['Glucosamine sulfate', ['1500 mg']],
  ['Omega-3 fish oil', ['1 g']],
  ['Turmeric / curcumin', ['500 mg']],
];
const FREQUENCIES = [
  'once daily',
  'twice daily',
  'three times a day',
  'as needed',
  'at night',
  'BD',
  'TDS',
  'PRN',
];
const PHARMACIES = [
  'Boots',
  'Lloyds Pharmacy',
  'Well Pharmacy',
  'Superdrug Pharmacy',
  'Chewy Pharmacy',
  'Independent (see notes)',
];

function stamps(ctx: GenContext, n: number): Stamps {
  const rng = rngFor(ctx, 'prescriptions', n, 0);
  const created = spreadCreated(
    n,
    ctx.counts.prescriptions,
    HISTORY_START_MS + 30 * DAY,
    REFERENCE_MS - DAY,
    rng,
  );
  return { created, updated: lastUpdated(created, rng, 0.1) };
}

function record(ctx: GenContext, n: number): PhRecord {
  const s = stamps(ctx, n);
  const rng = rngFor(ctx, 'prescriptions', n);
  const [medication, doses] = rng.pick(MEDICATIONS);
  const pharmacy = rng.chance(0.7) ? rng.pick(PHARMACIES) : null;
  return {
    id: idOf(ctx, 'prescriptions', n),
    patient_id: idOf(ctx, 'patients', patientBefore(ctx, s.created, rng)),
    prescriber_id: idOf(ctx, 'practitioners', pickClinician(ctx, rng, false)),
    medication_name: medication,
    dosage: rng.chance(0.9) ? rng.pick(doses) : null,
    frequency: rng.chance(0.85) ? rng.pick(FREQUENCIES) : null,
    quantity: rng.chance(0.8) ? rng.pick([14, 28, 30, 56, 60, 90]) : null,
    instructions: rng.chance(0.6)
      ? rng.pick([
          'Take with food.',
          'Do not exceed the stated dose.',
          'Stop if stomach upset occurs; call the clinic.',
          'Review in 2 weeks.',
        ])
      : null,
    prescribed_on: isoDate(s.created),
    pharmacy_name: pharmacy,
    // Prescriptions routed through the external pharmacy integration carry its reference.
    external_pharmacy_ref: pharmacy === 'Chewy Pharmacy' ? `CHW-${rng.int(100000, 999999)}` : null,
    created_at: isoSeconds(s.created),
    updated_at: isoSeconds(s.updated),
    deleted_at: null,
  };
}

/** Prescriptions; some reference the external (Chewy) pharmacy integration. */
export const prescriptions: ResourceDef = { name: 'prescriptions', stamps, record };
