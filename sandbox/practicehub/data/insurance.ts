import { type GenContext, type PhRecord, REFERENCE_MS, rngFor } from './context.ts';
import { idOf } from './ids.ts';
import { MESS } from './mess.ts';
import { KNOWN_CARRIERS, UNKNOWN_CARRIERS } from './organisations.ts';
import { patientCore } from './patients.ts';
import type { ResourceDef, Stamps } from './resource.ts';
import { DAY, isoDate, isoSeconds, lastUpdated, MINUTE } from './time.ts';

/**
 * Policy n belongs to patient ⌊n·P/I⌋; every tenth is a second policy of the previous policy's patient
 * (secondary cover), and per MESS a few of those claim to be primary too.
 */
function policyPatient(ctx: GenContext, n: number): { patient: number; primary: boolean } {
  const { patients, insurance_policies: policies } = ctx.counts;
  const base = (k: number): number => Math.min(patients - 1, Math.floor((k * patients) / policies));
  if (n > 0 && MESS.insurance.secondPrimary(n)) return { patient: base(n - 1), primary: true };
  if (n > 0 && n % 10 === 9) return { patient: base(n - 1), primary: false };
  return { patient: base(n), primary: true };
}

function stamps(ctx: GenContext, n: number): Stamps {
  const rng = rngFor(ctx, 'insurance_policies', n, 0);
  const patientCreated = patientCore(ctx, policyPatient(ctx, n).patient).created;
  const created = Math.min(REFERENCE_MS - MINUTE, patientCreated + rng.int(0, 45 * 24 * 60) * MINUTE);
  return { created, updated: lastUpdated(created, rng, 0.25) };
}

function record(ctx: GenContext, n: number): PhRecord {
  const s = stamps(ctx, n);
  const rng = rngFor(ctx, 'insurance_policies', n);
  const { patient, primary } = policyPatient(ctx, n);
  const from = rng.chance(0.8) ? s.created - rng.int(0, 700) * DAY : null;
  return {
    id: idOf(ctx, 'insurance_policies', n),
    patient_id: idOf(ctx, 'patients', patient),
    carrier: MESS.insurance.unknownCarrier(n) ? rng.pick(UNKNOWN_CARRIERS) : rng.pick(KNOWN_CARRIERS),
    policy_number: rng.chance(0.9)
      ? rng.pick([
          `${rng.int(10000000, 99999999)}`,
          `PN-${rng.int(100000, 999999)}`,
          `abc${rng.int(1000, 9999)}/01`,
        ])
      : null,
    group_number: rng.chance(0.45) ? `GRP${rng.int(1000, 99999)}` : null,
    billing_responsibility: rng.chance(0.85) ? rng.pick(['patient', 'insurer', 'insurer', 'split']) : null,
    coverage_type: rng.chance(0.8) ? rng.pick(['full', 'partial', 'partial', 'emergency_only']) : null,
    is_primary: primary,
    valid_from: from === null ? null : isoDate(from),
    valid_to: from !== null && rng.chance(0.6) ? isoDate(from + rng.int(180, 1100) * DAY) : null,
    created_at: isoSeconds(s.created),
    updated_at: isoSeconds(s.updated),
    deleted_at: null,
  };
}

/** Insurance policies, including carriers unknown to any list. */
export const insurancePolicies: ResourceDef = { name: 'insurance_policies', stamps, record };
