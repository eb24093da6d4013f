import type { Journal } from '../journal/index.ts';

/** Which rows `flitstack run --rewrite` writes again though their record is unchanged. */
export type RewriteScope = 'reported' | 'all';

/** How a row is written again: `state` when its state (statecode) differs too, for a mapping that sets none. */
export interface RewriteRow {
  readonly state: boolean;
  /**
   * Whether its state is read with its pre-image, and the row reopened (statecode 0) when it is found
   * closed: for a mapping that sets no state, whose rows reconcile expects active.
   */
  readonly ifClosed?: boolean;
}

/**
 * Whether a row whose payload is unchanged since it was written is written again anyway, and how: a
 * row deleted in Dataverse, or whose fields someone changed there, which a run otherwise leaves alone.
 * The write is the run's like any other: a changed row is an update whose pre-image holds the values it
 * had (the tampered ones), so a rollback of the rewrite puts them back, and a row found gone is created
 * again (write.ts, `recreated`), so a rollback deletes it. A rollback undoes what its run did and
 * nothing else; what the row held before the run may have been a user's edit on purpose, and a rollback
 * that restored an older write of flitstack instead would lose it without a trace.
 */
export type Rewrite = (mapping: string, key: string, sourceId: string) => RewriteRow | undefined;

/**
 * Every row; a row found closed in Dataverse is reopened too, as `reportedRows` reopens a row reconcile
 * reported so (statecode), since its state is read with its pre-image (write.ts).
 */
export const REWRITE_ALL: Rewrite = () => ({ state: false, ifClosed: true });

/**
 * The differences of reconcile.json a rewrite repairs: rows missing in Dataverse (`absent` when the
 * record was not compared, outside a block of pages), or differing in fields.
 */
const REPAIRED = new Set(['missing', 'absent', 'mismatch']);

/** Why a reconcile.json cannot name the rows to write again; the CLI adds what to do. */
export class RewriteReportError extends Error {
  override name = 'RewriteReportError';
}

interface ReportedDifference {
  readonly mapping: string;
  readonly sourceId: string | null;
  readonly key: string | null;
  readonly kind: string;
  readonly fields: readonly string[];
}

/**
 * The rows a reconcile of this journal reported missing or differing (reconcile.json), by mapping and
 * key, or by source record for a mapping keyed by matching a column (its key is a value). The report
 * must be of a run of this journal: its run id and start instant are checked, so a report of another
 * journal (or one written before a journal was started again) is refused rather than trusted.
 */
export function reportedRows(text: string, journal: Journal, file: string): Rewrite {
  let report: { run?: { id?: unknown; startedAt?: unknown }; differences?: unknown };
  try {
    report = JSON.parse(text);
  } catch {
    // Not the parser's message: it quotes the text where it stopped, which may be anything the file holds.
    throw new RewriteReportError(`${file} is not JSON: run flitstack reconcile to write the report again`);
  }
  const id = report.run?.id;
  const run = typeof id === 'number' ? journal.run(id) : undefined;
  if (!Array.isArray(report.differences) || typeof id !== 'number')
    throw new RewriteReportError(`${file} is not a reconcile report: it lacks run.id or differences`);
  if (!run || run.startedAt !== report.run?.startedAt)
    throw new RewriteReportError(`${file} reconciles run ${id} of another journal than ${journal.path}`);
  const rows = new Map<string, RewriteRow>();
  for (const d of report.differences as ReportedDifference[]) {
    if (!REPAIRED.has(d.kind) || d.sourceId === null) continue;
    const state = d.fields.includes('statecode') || d.fields.includes('statuscode');
    const at = d.key === null ? `${d.mapping}\0#${d.sourceId}` : `${d.mapping}\0${d.key}`;
    rows.set(at, { state: state || rows.get(at)?.state === true });
  }
  return (mapping, key, sourceId) => rows.get(`${mapping}\0${key}`) ?? rows.get(`${mapping}\0#${sourceId}`);
}
