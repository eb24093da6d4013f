import type { Journal, StaffInput } from '../journal/index.ts';
import type { GeneratedModule, MigrationDefinition } from '../mapping/index.ts';
import type { PracticeHubClient } from '../practicehub/index.ts';
import type { RunEventSink } from './events.ts';
import type { Pass } from './passes.ts';

type Staff = NonNullable<MigrationDefinition['staff']>;

/**
 * The staff resource a run must read for its emails before the passes, or undefined: owners.staff
 * when a mapping owns rows by staff id and no earlier pass reads that resource. A pass that reads it
 * records the emails as it goes (runPass), but without one, or with one after the first owner, every
 * owner would fall back as if the staff had no email.
 */
export function staffToReadFirst(module: GeneratedModule, passes: readonly Pass[]): Staff | undefined {
  const staff = module.MIGRATION.staff;
  if (!staff) return undefined;
  const firstOwner = passes.findIndex((p) => p.mappings.some((m) => m.owner?.kind === 'staff'));
  if (firstOwner < 0) return undefined;
  const firstRead = passes.findIndex((p) => p.resource === staff.resource);
  return firstRead >= 0 && firstRead < firstOwner ? undefined : staff;
}

/** A staff record's entry in the journal's staff directory: its id, and its email when it has one as text. */
export function staffEntry(staff: Staff, record: Readonly<Record<string, unknown>>): StaffInput {
  const email = record[staff.emailField];
  return { staffId: String(record.id), email: typeof email === 'string' ? email : null };
}

/** What reading the staff emails needs: the source, the journal that keeps them, the run's events. */
export interface StaffReadDeps {
  readonly practicehub: PracticeHubClient;
  readonly journal: Journal;
  readonly onEvent?: RunEventSink;
}

/**
 * Reads the whole staff resource, its id and email field only, into the journal's staff directory,
 * where owner resolution finds them. Whole, even in a delta or a sample: an owner may be any member
 * of staff, and the read costs one request per page of staff.
 */
export async function readStaffEmails(deps: StaffReadDeps, runId: number, staff: Staff): Promise<void> {
  deps.onEvent?.({ type: 'pass', resource: staff.resource, mappings: ['owners.staff'], fromPage: 1 });
  let extracted = 0;
  for await (const page of deps.practicehub.pages(staff.resource, { fields: [staff.emailField] })) {
    const entries = page.records.map((record) => staffEntry(staff, record));
    if (entries.length > 0) deps.journal.staff.set(runId, entries);
    extracted += page.records.length;
    deps.onEvent?.({
      type: 'page',
      resource: staff.resource,
      page: page.page,
      records: page.records.length,
      extracted,
      total: page.totalEntries,
    });
  }
}
