import type { CrosswalkChange, OperationInput } from '../journal/index.ts';
import {
  at,
  deletedAt,
  groupKeyOf,
  type MappingDefinition,
  type Outcome,
  type SourceRecord,
} from '../mapping/index.ts';
import { byText } from '../shared/order.ts';
import { writeArchive } from './archive.ts';
import { addOutcome, type RunDeps } from './pipeline.ts';
import type { PrepareContext } from './prepare.ts';
import type { PreparedRow } from './state.ts';
import { type WriteContext, writeRows } from './write.ts';

const text = (v: unknown) => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));
const deleted = (r: SourceRecord) => deletedAt(r) !== undefined;

/**
 * A group's records in the order a run considers them: the one it loads first (the latest or earliest
 * by `order_by`), then the ones it skips as superseded. Compare uses it too, so it expects the row the
 * run wrote.
 */
export function orderGroup(
  group: NonNullable<MappingDefinition['group']>,
  records: readonly SourceRecord[],
): SourceRecord[] {
  const ordered = [...records].sort((a, b) => byText(text(at(a, group.orderBy)), text(at(b, group.orderBy))));
  if (group.pick === 'latest') ordered.reverse();
  return ordered;
}

/**
 * Every record of one group, and which of them this run extracted: only their operations count in the
 * run's accounting (extracted = loaded + rejected + skipped); the others were read again to complete
 * the group.
 */
interface Group {
  readonly records: readonly SourceRecord[];
  readonly extracted: ReadonlySet<string> | 'all';
}

/** A full run's groups: what it staged, every record of the resource. */
function* stagedGroups(deps: RunDeps, runId: number, m: MappingDefinition): Generator<Group> {
  for (const staged of deps.journal.staging.iterate(runId, m.name)) {
    const records = (staged.records as SourceRecord[]).filter((r) => !deleted(r));
    if (records.length > 0) yield { records, extracted: 'all' };
  }
}

/**
 * A delta's groups: every record of each group it touched, read again from PracticeHub, so that the
 * pick and the archived log are those of a full run and not of the records changed since the watermark.
 * PracticeHub documents no filter by the group's field (and ignores unknown filters), so the resource is
 * read whole, once, and only the touched groups are kept. A record deleted since the watermark touches
 * its group (it leaves the log, and the pick when it was the one); one that no longer names its group
 * touches every group, the only way to find the one it left; one that moved to another group touches
 * the groups earlier runs staged it under too. `vanished` receives the changed records
 * the second read does not find in their group (deleted or changed again in between).
 */
async function* deltaGroups(
  deps: RunDeps,
  runId: number,
  m: MappingDefinition,
  vanished: Set<string>,
): AsyncGenerator<Group> {
  const group = m.group!;
  const touched = new Set<string>();
  const extracted = new Set<string>();
  let everyGroup = false;
  for (const staged of deps.journal.staging.iterate(runId, m.name)) {
    touched.add(staged.groupKey);
    for (const r of staged.records as SourceRecord[]) {
      extracted.add(text(r.id));
      if (!deleted(r)) vanished.add(text(r.id));
      else if (staged.groupKey === '') everyGroup = true;
    }
  }
  if (touched.size === 0) return;
  // A record that changed group left the one earlier runs staged it under: that group is picked again too.
  for (const key of deps.journal.staging.earlierGroups(m.name, runId, [...extracted])) touched.add(key);
  const groups = new Map<string, SourceRecord[]>();
  const fields = deps.module.RESOURCES[m.source]?.used;
  for await (const page of deps.practicehub.pages(m.source, { fields })) {
    for (const r of page.records) {
      const key = groupKeyOf(group, r);
      if (deleted(r) || !(everyGroup || touched.has(key))) continue;
      vanished.delete(text(r.id));
      const records = groups.get(key);
      if (records) records.push(r);
      else groups.set(key, [r]);
    }
  }
  for (const key of [...groups.keys()].sort()) yield { records: groups.get(key)!, extracted };
}

/**
 * Loads a grouping mapping once its resource is fully staged: per group, the latest (or earliest)
 * record by `order_by` is transformed and written; the group's records are archived as CSV when the
 * mapping says so; the other records are skipped with the reason. A delta completes each group it
 * touched first (deltaGroups). Journaled in batches.
 */
export async function processGroups(
  deps: RunDeps,
  runId: number,
  m: MappingDefinition,
  prepare: PrepareContext,
  write: WriteContext,
  delta = false,
): Promise<void> {
  const group = m.group!;
  const archiveTarget = deps.module.MIGRATION.archive && {
    ...deps.module.MIGRATION.archive,
    dir: deps.archiveDir ?? deps.module.MIGRATION.archive.dir,
  };
  let ops: OperationInput[] = [];
  let rows: PreparedRow[] = [];
  // Source ids read again to complete a group, not extracted by this run: their operations (the write
  // of a pick that did not change) are journaled outside the accounting.
  const reread = new Set<string>();
  let groups = 0;
  const flush = async () => {
    const written = rows.length > 0 ? await writeRows(write, rows) : { ops: [], crosswalk: [] };
    const changes: CrosswalkChange[] = written.crosswalk.map((c) => c.change);
    const all = [...ops, ...written.ops.map((o) => o.op)];
    const counted = all.filter((o) => !reread.has(o.sourceId));
    const uncounted = all.filter((o) => reread.has(o.sourceId));
    deps.journal.atomic(() => {
      deps.journal.recordBatch(runId, counted, changes, { resource: m.source });
      if (uncounted.length > 0) deps.journal.recordBatch(runId, uncounted);
    });
    ops = [];
    rows = [];
    reread.clear();
    prepare.pending.clear();
  };
  const vanished = new Set<string>();
  const source = delta ? deltaGroups(deps, runId, m, vanished) : stagedGroups(deps, runId, m);
  for await (const { records, extracted } of source) {
    groups++;
    const ordered = orderGroup(group, records);
    const [picked, ...others] = ordered;
    // A resumed run skips groups it already journaled (their operations went in one batch): any of the
    // group's records tells, since a delta reads the group again and its pick may have changed since.
    if (ordered.some((r) => deps.journal.journaled(runId, m.name, text(r.id)))) continue;
    const isExtracted = (r: SourceRecord) => extracted === 'all' || extracted.has(text(r.id));
    if (!isExtracted(picked!)) reread.add(text(picked!.id));
    for (const other of others.filter(isExtracted)) {
      ops.push({
        mapping: m.name,
        sourceId: text(other.id),
        action: 'skip',
        reason: `superseded: a ${group.pick} record of the same ${group.by.join('.')} was loaded${m.archive ? ' (every record is in the archived log)' : ''}`,
      });
    }
    const outcome = m.transform(picked!) as Outcome<Readonly<Record<string, unknown>>>;
    const url =
      m.archive && archiveTarget && outcome.kind === 'rows'
        ? writeArchive(m.archive, archiveTarget, ordered)
        : undefined;
    addOutcome(
      prepare,
      m,
      outcome,
      picked!,
      null,
      { op: (op) => ops.push(op), row: (row) => rows.push(row), match: () => undefined },
      (payload) => (url && m.archive ? { ...payload, [m.archive.urlColumn]: url } : payload),
    );
    if (rows.length >= write.batchSize) await flush();
  }
  for (const sourceId of vanished) {
    if (deps.journal.journaled(runId, m.name, sourceId)) continue;
    ops.push({
      mapping: m.name,
      sourceId,
      action: 'skip',
      reason: `not in its ${group.by.join('.')} group when the group was read again (deleted or changed since); the next delta reads it again`,
    });
  }
  if (ops.length > 0 || rows.length > 0) await flush();
  deps.onEvent?.({ type: 'groups', mapping: m.name, groups });
}
