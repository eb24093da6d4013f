import { appointmentCore } from './appointments.ts';
import { type GenContext, HISTORY_START_MS, type PhRecord, REFERENCE_MS, rngFor } from './context.ts';
import { idOf } from './ids.ts';
import { MESS } from './mess.ts';
import { patientBefore } from './patients.ts';
import { pickClinician } from './practitioners.ts';
import type { ResourceDef } from './resource.ts';
import { longNoteBody, noteBody } from './text.ts';
import { DAY, HOUR, isoSeconds, lastUpdated, MINUTE, spreadCreated } from './time.ts';

interface NoteCore {
  readonly created: number;
  readonly updated: number;
  readonly patient: number;
  readonly author: number;
  readonly appointment: number | null;
}

/**
 * Note n records an appointment from the same stretch of history (notes and appointments both ascend
 * in time). An appointment that did not take place gives a note without one (a phone consultation).
 */
function noteCore(ctx: GenContext, n: number): NoteCore {
  const rng = rngFor(ctx, 'clinical_notes', n, 0);
  const total = ctx.counts.appointments;
  const a = Math.min(total - 1, Math.floor(((n + rng.next()) / ctx.counts.clinical_notes) * total * 0.97));
  const appt = appointmentCore(ctx, a);
  const held = appt.starts < REFERENCE_MS && (appt.status === 'completed' || appt.status === 'arrived');
  if (held) {
    const created = Math.min(REFERENCE_MS - MINUTE, appt.ends + rng.int(5, 48 * 60) * MINUTE);
    return {
      created,
      updated: lastUpdated(created, rng, 0.15),
      patient: appt.patient,
      author: appt.practitioner,
      appointment: a,
    };
  }
  const created = spreadCreated(
    n,
    ctx.counts.clinical_notes,
    HISTORY_START_MS + 14 * DAY,
    REFERENCE_MS - HOUR,
    rng,
  );
  return {
    created,
    updated: lastUpdated(created, rng, 0.15),
    patient: patientBefore(ctx, created, rng),
    author: pickClinician(ctx, rng, false),
    appointment: null,
  };
}

const TITLES = [
  'Treatment note',
  'Initial assessment',
  'Re-examination',
  'Progress note',
  'Phone consult',
  'SOAP',
];

function record(ctx: GenContext, n: number): PhRecord {
  const core = noteCore(ctx, n);
  const rng = rngFor(ctx, 'clinical_notes', n);
  const long = MESS.clinicalNotes.longBody(n);
  return {
    id: idOf(ctx, 'clinical_notes', n),
    patient_id: idOf(ctx, 'patients', core.patient),
    appointment_id: core.appointment === null ? null : idOf(ctx, 'appointments', core.appointment),
    author_id: idOf(ctx, 'practitioners', core.author),
    title: rng.chance(0.2) ? null : rng.pick(TITLES),
    body: long === undefined ? noteBody(rng, MESS.clinicalNotes.oddCharacters(n)) : longNoteBody(rng, long),
    created_at: isoSeconds(core.created),
    updated_at: isoSeconds(core.updated),
    deleted_at: null,
  };
}

/** Clinical notes: some longer than Dataverse's note limit, some with emoji and control characters. */
export const clinicalNotes: ResourceDef = { name: 'clinical_notes', stamps: noteCore, record };
