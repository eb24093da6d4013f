import { type GenContext, HISTORY_START_MS, type PhRecord, REFERENCE_MS, rngFor } from './context.ts';
import { policyDocumentStamps, policyDocumentTitle } from './documents.ts';
import { idOf } from './ids.ts';
import { MESS } from './mess.ts';
import { patientBefore } from './patients.ts';
import type { ResourceDef, Stamps } from './resource.ts';
import { DAY, isoSeconds, lastUpdated, spreadCreated } from './time.ts';

const KB = 1024;
const MB = 1024 * KB;

/** The kinds of file bodies the sandbox streams. */
export type FileKind = 'pdf' | 'png' | 'jpeg';

/** MIME type of each kind. */
export const CONTENT_TYPES: Readonly<Record<FileKind, string>> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpeg: 'image/jpeg',
};

interface FileCore extends Stamps {
  readonly kind: FileKind;
  readonly size: number;
  /** Owning policy document index, or null for a patient file. */
  readonly document: number | null;
}

/** Size in bytes by MESS size class: most 50 KB–2 MB (log-uniform), a few over 5 MB, two over 20 MB at scale 1. */
function sizeOf(n: number, r: number): number {
  switch (MESS.files.sizeClass(n)) {
    case 'huge':
      return Math.floor(20.5 * MB + r * 4 * MB);
    case 'large':
      return Math.floor(5.2 * MB + r * 4 * MB);
    case 'base64':
      return Math.floor(3.8 * MB + r * 1.1 * MB);
    default:
      return Math.floor(50 * KB * Math.exp(r * Math.log((2 * MB) / (50 * KB))));
  }
}

/** Core of file n: files 0..D-1 belong to policy documents 0..D-1, the rest to patients. */
export function fileCore(ctx: GenContext, n: number): FileCore {
  const rng = rngFor(ctx, 'files', n, 0);
  const docs = ctx.counts.policy_documents;
  const size = sizeOf(n, rng.next());
  if (n < docs) {
    const s = policyDocumentStamps(ctx, n);
    return { created: s.created, updated: s.created, kind: 'pdf', size, document: n };
  }
  const created = spreadCreated(
    n - docs,
    ctx.counts.files - docs,
    HISTORY_START_MS + 30 * DAY,
    REFERENCE_MS - DAY,
    rng,
  );
  const roll = rng.next();
  const kind: FileKind = roll < 0.5 ? 'pdf' : roll < 0.75 ? 'png' : 'jpeg';
  return { created, updated: lastUpdated(created, rng, 0.05), kind, size, document: null };
}

const PATIENT_FILE_NAMES: Readonly<Record<FileKind, readonly string[]>> = {
  pdf: [
    'Referral letter',
    'GP letter',
    'MRI report',
    'Intake form (signed)',
    'Überweisung März',
    'scan0001',
    'Insurance claim',
  ],
  png: ['Posture photo front', 'Posture photo side', 'X-ray lumbar', 'Screenshot 2023-04-01 at 10.15.22'],
  jpeg: ['IMG_4471', 'X-ray cervical', 'photo', 'Foot scan'],
};
const EXTENSIONS: Readonly<Record<FileKind, string>> = { pdf: 'pdf', png: 'png', jpeg: 'jpg' };

function record(ctx: GenContext, n: number): PhRecord {
  const core = fileCore(ctx, n);
  const rng = rngFor(ctx, 'files', n);
  const filename =
    core.document === null
      ? `${rng.pick(PATIENT_FILE_NAMES[core.kind])}.${EXTENSIONS[core.kind]}`
      : `${policyDocumentTitle(ctx, core.document).title}.pdf`;
  return {
    id: idOf(ctx, 'files', n),
    filename,
    content_type: CONTENT_TYPES[core.kind],
    size: core.size,
    owner_type: core.document === null ? 'patient' : 'policy_document',
    owner_id:
      core.document === null
        ? idOf(ctx, 'patients', patientBefore(ctx, core.created, rng))
        : idOf(ctx, 'policy_documents', core.document),
    // Filled in when served: the link is signed for the caller and expires (see files/links.ts).
    download_url: '',
    created_at: isoSeconds(core.created),
    updated_at: isoSeconds(core.updated),
    deleted_at: null,
  };
}

/** Files: policy document PDFs and patient files (PDF, PNG, JPEG). */
export const files: ResourceDef = { name: 'files', stamps: fileCore, record };
