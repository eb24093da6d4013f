import { type GenContext, HISTORY_START_MS, type PhRecord, REFERENCE_MS, rngFor } from './context.ts';
import { idOf } from './ids.ts';
import type { ResourceDef, Stamps } from './resource.ts';
import { DAY, isoDate, isoSeconds, lastUpdated, spreadCreated } from './time.ts';

const CATEGORIES = ['policy', 'procedure_manual', 'consent_template', 'training_material'] as const;
const TITLES: Readonly<Record<(typeof CATEGORIES)[number], readonly string[]>> = {
  policy: [
    'Data Protection Policy',
    'Infection Control Policy',
    'Safeguarding Policy',
    'Complaints Policy',
    'Chaperone Policy',
  ],
  procedure_manual: [
    'Front Desk Procedures',
    'Fire Evacuation Procedure',
    'X-ray Room Procedures',
    'Cash Handling Manual',
  ],
  consent_template: [
    'Consent to Treatment',
    'Consent: Paediatric Patients',
    'Photo & Video Consent',
    'Consent für Behandlung (DE)',
  ],
  training_material: [
    'Manual Handling Slides',
    'GDPR Refresher 2024',
    'Basic Life Support Handout',
    'New Starter Induction Pack',
  ],
};

/** Category and title of policy document n (cheap: its file's name derives from it). */
export function policyDocumentTitle(
  ctx: GenContext,
  n: number,
): { category: (typeof CATEGORIES)[number]; title: string } {
  const rng = rngFor(ctx, 'policy_documents', n, 0);
  const category = CATEGORIES[n % CATEGORIES.length]!;
  return { category, title: rng.pick(TITLES[category]) };
}

/** Creation and last change of policy document n. */
export function policyDocumentStamps(ctx: GenContext, n: number): Stamps {
  const rng = rngFor(ctx, 'policy_documents', n, 1);
  const created = spreadCreated(
    n,
    ctx.counts.policy_documents,
    HISTORY_START_MS + 20 * DAY,
    REFERENCE_MS - 10 * DAY,
    rng,
  );
  return { created, updated: lastUpdated(created, rng, 0.5) };
}

/** Policy documents; document n's file is file n. */
export const policyDocuments: ResourceDef = {
  name: 'policy_documents',
  stamps: policyDocumentStamps,
  record(ctx, n): PhRecord {
    const s = policyDocumentStamps(ctx, n);
    const rng = rngFor(ctx, 'policy_documents', n, 2);
    const { category, title } = policyDocumentTitle(ctx, n);
    return {
      id: idOf(ctx, 'policy_documents', n),
      title,
      category,
      clinic_id: idOf(ctx, 'clinics', rng.int(0, ctx.counts.clinics - 1)),
      staff_id: rng.chance(0.4) ? idOf(ctx, 'practitioners', rng.int(0, ctx.counts.practitioners - 1)) : null,
      file_id: idOf(ctx, 'files', n),
      version: rng.chance(0.8)
        ? rng.pick(['v1', 'v1.1', 'v2.0', '2023-rev3', 'FINAL', 'final_v2 (2)'])
        : null,
      effective_on: rng.chance(0.75) ? isoDate(s.created + rng.int(0, 30) * DAY) : null,
      created_at: isoSeconds(s.created),
      updated_at: isoSeconds(s.updated),
      deleted_at: null,
    };
  },
};

const COURSES: readonly (readonly [string, string | null, number])[] = [
  ['Basic Life Support', 'St John Ambulance', 365],
  ['First Aid at Work', 'Red Cross', 3 * 365],
  ['GDPR for Healthcare', 'Clinic in-house', 2 * 365],
  ['Safeguarding Adults Level 2', 'NHS e-Learning', 3 * 365],
  ['Infection Prevention', null, 365],
  ['IR(ME)R Radiography Update', 'Royal College of Chiropractors', 5 * 365],
  ['Manual Handling', 'Clinic in-house', 3 * 365],
  ['Dry Needling Certification', 'Acupuncture Association', 2 * 365],
];

function trainingStamps(ctx: GenContext, n: number): Stamps {
  const rng = rngFor(ctx, 'training_records', n, 0);
  const created = spreadCreated(
    n,
    ctx.counts.training_records,
    HISTORY_START_MS + 30 * DAY,
    REFERENCE_MS - DAY,
    rng,
  );
  return { created, updated: lastUpdated(created, rng, 0.2) };
}

/** Training records: completion and certification state as of the reference date. */
export const trainingRecords: ResourceDef = {
  name: 'training_records',
  stamps: trainingStamps,
  record(ctx, n): PhRecord {
    const s = trainingStamps(ctx, n);
    const rng = rngFor(ctx, 'training_records', n);
    const [course, provider, validDays] = rng.pick(COURSES);
    const completed = s.created - rng.int(0, 14) * DAY;
    const pending = rng.chance(0.05);
    const expires = pending ? null : completed + validDays * DAY;
    const status = pending
      ? 'pending'
      : expires! < REFERENCE_MS
        ? 'expired'
        : expires! < REFERENCE_MS + 60 * DAY
          ? 'expiring'
          : 'current';
    return {
      id: idOf(ctx, 'training_records', n),
      staff_id: idOf(ctx, 'practitioners', rng.int(0, ctx.counts.practitioners - 1)),
      course_name: course,
      provider,
      completed_on: isoDate(completed),
      certification_status: status,
      certification_expires_on: expires === null ? null : isoDate(expires),
      created_at: isoSeconds(s.created),
      updated_at: isoSeconds(s.updated),
      deleted_at: null,
    };
  },
};
