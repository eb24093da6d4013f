import type { CrosswalkChange, OperationInput } from '../journal/index.ts';
import { at, type MappingDefinition, type Outcome, type SourceRecord } from '../mapping/index.ts';
import { writeArchive } from './archive.ts';
import { addOutcome, type RunDeps } from './pipeline.ts';
import type { PrepareContext } from './prepare.ts';
import type { PreparedRow } from './state.ts';
import { type WriteContext, writeRows } from './write.ts';

const text = (v: unknown) => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));

/**
 * A group's records in the order a run considers them: the one it loads first (the latest or earliest
 * by `order_by`), then the ones it skips as superseded. Compare uses it too, so it expects the row the
 * run wrote.
 */
export function orderGroup(
  group: NonNullable<MappingDefinition['group']>,
  records: readonly SourceRecord[],
): SourceRecord[] {
  const ordered = [...records].sort((a, b) =>
    text(at(a, group.orderBy)).localeCompare(text(at(b, group.orderBy))),
  );
  if (group.pick === 'latest') ordered.reverse();
  return ordered;
}

/**
 * Loads a grouping mapping once its resource is fully staged: per group, the latest (or earliest)
 * record by `order_by` is transformed and written; the group's records are archived as CSV when the
 * mapping says so; the other records are skipped with the reason. Journaled in batches.
 */
export async function processGroups(
  deps: RunDeps,
  runId: number,
  m: MappingDefinition,
  prepare: PrepareContext,
  write: WriteContext,
): Promise<void> {
  const group = m.group!;
  const archiveTarget = deps.module.MIGRATION.archive && {
    ...deps.module.MIGRATION.archive,
    dir: deps.archiveDir ?? deps.module.MIGRATION.archive.dir,
  };
  let ops: OperationInput[] = [];
  let rows: PreparedRow[] = [];
  let groups = 0;
  const flush = async () => {
    const written = rows.length > 0 ? await writeRows(write, rows) : { ops: [], crosswalk: [] };
    const changes: CrosswalkChange[] = written.crosswalk.map((c) => c.change);
    deps.journal.recordBatch(runId, [...ops, ...written.ops.map((o) => o.op)], changes, {
      resource: m.source,
    });
    ops = [];
    rows = [];
    prepare.pending.clear();
  };
  for (const staged of deps.journal.staging.iterate(runId, m.name)) {
    groups++;
    const ordered = orderGroup(group, staged.records as SourceRecord[]);
    const [picked, ...others] = ordered;
    // A resumed run skips groups it already journaled (their operations went in one batch).
    if (deps.journal.journaled(runId, m.name, text(picked!.id))) continue;
    for (const other of others) {
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
  if (ops.length > 0 || rows.length > 0) await flush();
  deps.onEvent?.({ type: 'groups', mapping: m.name, groups });
}
