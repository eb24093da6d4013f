import { APPOINTMENT_TYPES } from './catalogs.ts';
import { type GenContext, HISTORY_START_MS, type PhRecord, REFERENCE_MS, rngFor } from './context.ts';
import { idOf } from './ids.ts';
import { patientBefore, patientCore } from './patients.ts';
import { pickClinician } from './practitioners.ts';
import type { ResourceDef } from './resource.ts';
import { shortNote } from './text.ts';
import { DAY, HOUR, isoSeconds, MINUTE, spreadCreated, toSlot } from './time.ts';

/** Appointment statuses (the source model's enum). */
export type AppointmentStatus = 'booked' | 'confirmed' | 'arrived' | 'completed' | 'cancelled' | 'no_show';

/** The cheap facts of appointment n that notes and payments derive from. */
export interface AppointmentCore {
  readonly created: number;
  readonly updated: number;
  readonly starts: number;
  readonly ends: number;
  readonly patient: number;
  readonly practitioner: number;
  readonly clinic: number;
  /** Appointment type index, or null for an untyped booking. */
  readonly type: number | null;
  readonly status: AppointmentStatus;
}

function pastStatus(roll: number): AppointmentStatus {
  if (roll < 0.8) return 'completed';
  if (roll < 0.89) return 'cancelled';
  if (roll < 0.94) return 'no_show';
  if (roll < 0.96) return 'arrived'; // never closed at the front desk
  if (roll < 0.98) return 'booked'; // in the past, still "booked": stale data
  return 'confirmed';
}

/**
 * Core facts of appointment n. Booked up to 90 days ahead of its creation, so the newest ones start
 * after REFERENCE_MS (future appointments); only those carry future statuses and active practitioners.
 */
export function appointmentCore(ctx: GenContext, n: number): AppointmentCore {
  const rng = rngFor(ctx, 'appointments', n, 0);
  const created = spreadCreated(
    n,
    ctx.counts.appointments,
    HISTORY_START_MS + 14 * DAY,
    REFERENCE_MS - HOUR,
    rng,
  );
  const lead = rng.chance(0.7) ? rng.int(0, 21) : rng.int(21, 90);
  const day = Math.floor((created + lead * DAY) / DAY) * DAY;
  let starts = toSlot(day + 7 * HOUR + rng.int(0, 11 * 60) * MINUTE);
  if (starts < created) starts = toSlot(created) + 15 * MINUTE;
  const type = rng.chance(0.92) ? rng.int(0, APPOINTMENT_TYPES.length - 1) : null;
  const minutes = type === null ? rng.pick([15, 30, 45, 60]) : APPOINTMENT_TYPES[type]![1];
  const ends = starts + minutes * MINUTE;
  const future = starts >= REFERENCE_MS;
  const roll = rng.next();
  const status: AppointmentStatus = future
    ? roll < 0.6
      ? 'booked'
      : roll < 0.95
        ? 'confirmed'
        : 'cancelled'
    : pastStatus(roll);
  const patient = patientBefore(ctx, created, rng);
  const practitioner = pickClinician(ctx, rng, future);
  const clinics = patientCore(ctx, patient).clinics;
  const clinic = clinics[rng.int(0, clinics.length - 1)]!.clinic;
  let updated = created;
  if (status === 'cancelled')
    updated = created + Math.floor((Math.min(starts, REFERENCE_MS) - created) * rng.next());
  else if (!future && status !== 'booked') updated = ends + rng.int(5, 600) * MINUTE;
  else if (rng.chance(0.3)) updated = created + Math.floor((REFERENCE_MS - created) * rng.next() * 0.5);
  updated = Math.max(created, Math.min(updated, REFERENCE_MS - MINUTE));
  return { created, updated, starts, ends, patient, practitioner, clinic, type, status };
}

const CANCEL_REASONS = [
  'Patient unwell',
  'Rescheduled',
  'Clinic closed (snow)',
  'Practitioner sick',
  'Work commitments',
  'No reason given',
  'cancelled via SMS',
];

function record(ctx: GenContext, n: number): PhRecord {
  const core = appointmentCore(ctx, n);
  const rng = rngFor(ctx, 'appointments', n);
  const typeName =
    core.type === null ? (rng.chance(0.5) ? 'Walk-in' : null) : APPOINTMENT_TYPES[core.type]![0];
  let payment: string | null = null;
  if (core.status === 'completed')
    payment = rng.pick(['paid', 'paid', 'paid', 'paid', 'paid', 'paid', 'pending', 'failed']);
  else if (core.status === 'no_show') payment = rng.pick(['failed', 'pending', null]);
  else if (core.status === 'arrived') payment = 'pending';
  else if (core.status !== 'cancelled' && rng.chance(0.2)) payment = 'pending';
  return {
    id: idOf(ctx, 'appointments', n),
    patient_id: idOf(ctx, 'patients', core.patient),
    practitioner_id: idOf(ctx, 'practitioners', core.practitioner),
    clinic_id: idOf(ctx, 'clinics', core.clinic),
    appointment_type_id: core.type === null ? null : idOf(ctx, 'appointment_types', core.type),
    // The name at booking time: some types were renamed since.
    appointment_type_name: typeName && rng.chance(0.04) ? `${typeName} (old)` : typeName,
    starts_at: isoSeconds(core.starts),
    ends_at: isoSeconds(core.ends),
    status: core.status,
    cancellation_reason:
      core.status === 'cancelled' ? (rng.chance(0.8) ? rng.pick(CANCEL_REASONS) : null) : null,
    payment_status: payment,
    notes: rng.chance(0.15) ? shortNote(rng) : null,
    created_at: isoSeconds(core.created),
    updated_at: isoSeconds(core.updated),
    deleted_at: null,
  };
}

/** Appointments (`start=` filters on `starts_at`, as PracticeHub clients use it). */
export const appointments: ResourceDef = {
  name: 'appointments',
  stamps: appointmentCore,
  record,
  extraFilters: {
    start: {
      field: 'starts_at',
      type: 'datetime',
      cheap: (ctx, n) => Math.floor(appointmentCore(ctx, n).starts / 1000) * 1000,
    },
  },
};
