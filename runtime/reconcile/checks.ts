import {
  expectsOpen,
  REWRITE_HINT,
  type RecordComparison,
  type RunReasons,
  readRows,
  rowName,
  tableOfRow,
} from '../compare/index.ts';
import { isGuid } from '../dataverse/odata.ts';
import {
  type CrosswalkEntry,
  DELETED_IN_SOURCE,
  type Journal,
  type OperationRecord,
  type RunRecord,
} from '../journal/index.ts';
import type { Difference, ReconcileDeps } from './reconcile.ts';

/** Whether a run stopped, or has not yet come to its end, before it read every record it reads. */
export const unfinished = (run: RunRecord): boolean =>
  run.status === 'interrupted' || run.status === 'failed' || run.status === 'running';

/** Source ids per mapping that runs journaled an operation for. */
export type JournaledIds = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * The full run a run stands on: itself, or for a delta the run at the start of its chain of bases. A
 * full run that did not complete (interrupted, failed) read only part of the source: it stands on the
 * completed full run before it, whose operations account for the records it did not reach.
 */
function baseOf(journal: Journal, run: RunRecord): RunRecord {
  if (run.kind === 'run' && unfinished(run))
    return (
      journal
        .runs()
        .filter((r) => r.kind === 'run' && r.status === 'completed' && r.id < run.id)
        .at(-1) ?? run
    );
  let r = run;
  for (let p = r.parentRun; r.kind === 'delta' && p !== null; p = r.parentRun) {
    const parent = journal.run(p);
    if (!parent) break;
    r = parent;
  }
  return r;
}

/** How far before its base run's start reconcile asks PracticeHub for changed records: a delta's default overlap, for clock skew. */
const SKEW_MS = 10 * 60_000;

/**
 * The instant from which PracticeHub's changed records are what came after the run reconciled stood on
 * its source: its base run's start, less the skew a delta allows (ISO 8601, whole seconds).
 */
export function changedSince(journal: Journal, run: RunRecord): string {
  const from = Date.parse(baseOf(journal, run).startedAt) - SKEW_MS;
  return `${new Date(from).toISOString().slice(0, 19)}Z`;
}

/**
 * Whether an operation records that PracticeHub deleted its source record: a delta's deactivate or
 * delete of its rows, or its skip of a record with none (the reason starts with DELETED_IN_SOURCE; a
 * row a record still there no longer produces says otherwise).
 */
function recordsDeletion(op: OperationRecord): boolean {
  return (
    op.error === null &&
    (op.action === 'deactivate' || op.action === 'delete' || op.action === 'skip') &&
    (op.reason?.startsWith(DELETED_IN_SOURCE) ?? false)
  );
}

/**
 * Per mapping, the source ids journaled by the run, by the runs it stands on (for a delta: its base run
 * and the deltas between) and by the completed runs and deltas after it (`accounted`); and those whose
 * last such operation records that PracticeHub deleted the record (`deleted`), which PracticeHub no
 * longer counts.
 */
export function journaledIds(
  journal: Journal,
  run: RunRecord,
): { accounted: JournaledIds; deleted: JournaledIds } {
  const accounted = new Map<string, Set<string>>();
  const last = new Map<string, Map<string, OperationRecord>>();
  const base = baseOf(journal, run).id;
  for (const r of journal.runs()) {
    const counted = r.id >= base && r.status === 'completed' && (r.kind === 'run' || r.kind === 'delta');
    if (r.id !== run.id && !counted) continue;
    for (const op of journal.operations(r.id)) {
      accounted.set(op.mapping, (accounted.get(op.mapping) ?? new Set<string>()).add(op.sourceId));
      const ops = last.get(op.mapping) ?? new Map<string, OperationRecord>();
      last.set(op.mapping, ops);
      const before = ops.get(op.sourceId);
      if (!before || before.id < op.id) ops.set(op.sourceId, op);
    }
  }
  const deleted = new Map<string, Set<string>>();
  for (const [mapping, ops] of last)
    deleted.set(mapping, new Set([...ops.values()].filter(recordsDeletion).map((op) => op.sourceId)));
  return { accounted, deleted };
}

/**
 * The source records of a mapping the journal holds as in PracticeHub now: those with a crosswalk row
 * no deactivate or delete closed since it was written, and those journaled without such a row whose
 * last operation does not record their deletion (skipped, rejected, grouped into another's row).
 * `closed`: a row closed so, or whose record's deletion a delta journaled and left it as the policy
 * says (`deleted_records: ignore`, a row an update mapping does not own).
 */
export function heldIds(
  journal: Journal,
  mapping: string,
  rows: readonly CrosswalkEntry[],
  accounted: ReadonlySet<string> | undefined,
  deleted: ReadonlySet<string> | undefined,
): { held: Set<string>; closed: (row: CrosswalkEntry) => boolean } {
  const closedKeys = new Set(
    rows
      .filter((r) => deleted?.has(r.sourceId) || journal.closedSinceWritten(mapping, r.key))
      .map((r) => r.key),
  );
  const withRow = new Set(rows.map((r) => r.sourceId));
  const held = new Set(rows.filter((r) => !closedKeys.has(r.key)).map((r) => r.sourceId));
  for (const id of accounted ?? []) if (!withRow.has(id) && !deleted?.has(id)) held.add(id);
  return { held, closed: (row) => closedKeys.has(row.key) };
}

/**
 * The tables whose rows have a state among those of mappings whose rows are expected open (see
 * `expectsOpen`): one metadata read per table, so that the row reads select statecode only where the
 * table has one (an annotation has none), with no further request per row.
 */
export async function openTables(deps: ReconcileDeps): Promise<Set<string>> {
  const tables = new Set(
    deps.module.LOAD_ORDER.map((name) => deps.module.MAPPINGS[name]!)
      .filter(expectsOpen)
      .map((m) => m.target),
  );
  const out = new Set<string>();
  for (const table of tables)
    if ((await deps.dataverse.attributes(table, false)).some((a) => a.logicalName === 'statecode'))
      out.add(table);
  return out;
}

/** A share of `n` in `of` (0 when there is nothing to compare with). */
export const share = (n: number, of: number) => (of === 0 ? (n === 0 ? 0 : 1) : n / of);

/** Whether a share is beyond the tolerance: shares are ratios of whole numbers, so a hair above is rounding. */
export const beyond = (s: number, tolerance: number) => s > tolerance + 1e-12;

/**
 * A record's differences: each row that is missing or differs, and each row the crosswalk ties to the
 * record that the spec no longer has it write (`unexpected`), whatever the record's verdict.
 */
export function differencesOf(c: RecordComparison): Difference[] {
  const rows = c.rows
    .filter((r) => r.verdict !== 'match')
    .map(
      (r): Difference => ({
        mapping: c.mapping,
        sourceId: c.sourceId,
        targetId: r.targetId,
        key: r.key,
        kind: r.verdict === 'missing' ? 'missing' : 'mismatch',
        fields: r.fields.filter((f) => f.verdict === 'mismatch').map((f) => f.column),
        ...(r.reason ? { reason: r.reason } : {}),
      }),
    );
  const stray = (c.strayRows ?? []).map(
    (s): Difference => ({
      mapping: c.mapping,
      sourceId: c.sourceId,
      targetId: s.targetId,
      key: s.key,
      kind: 'unexpected',
      fields: [],
      reason: s.reason,
    }),
  );
  return [...rows, ...stray];
}

/**
 * Which crosswalk rows exist: known from the comparison or from the rows listed per table (`complete`
 * when the listing is the whole table, so an id it lacks is absent), else read by id (primary key only).
 */
export async function existing(
  deps: ReconcileDeps,
  owned: ReadonlyMap<string, CrosswalkEntry[]>,
  comparisons: readonly RecordComparison[],
  listed: ReadonlyMap<string, { readonly ids: ReadonlySet<string>; readonly complete: boolean }> = new Map(),
): Promise<{ exists: (table: string, id: string) => boolean; rows: number }> {
  const known = new Map<string, boolean>();
  for (const [table, { ids }] of listed) for (const id of ids) known.set(`${table} ${id}`, true);
  for (const c of comparisons) {
    for (const r of c.rows) known.set(`${r.table} ${r.targetId}`, r.verdict !== 'missing');
    for (const s of c.strayRows ?? []) known.set(`${s.table} ${s.targetId}`, true);
  }
  // Per table, the rows to read by lower-cased id.
  const unknown = new Map<string, Map<string, CrosswalkEntry>>();
  for (const rows of owned.values())
    for (const row of rows) {
      const id = row.targetId.toLowerCase();
      if (known.has(`${row.table} ${id}`)) continue;
      // A row outside the listing of a whole table is not there (an id that is not a GUID is read, and
      // so refused, below).
      if (listed.get(row.table)?.complete && isGuid(id)) {
        known.set(`${row.table} ${id}`, false);
        continue;
      }
      const ids = unknown.get(row.table);
      if (!ids) unknown.set(row.table, new Map([[id, row]]));
      else if (!ids.has(id)) ids.set(id, row);
    }
  for (const [table, ids] of unknown) {
    const first = ids.values().next().value!;
    const found = await readRows(deps.dataverse, tableOfRow(deps.module, first), ids.keys(), [], (id) =>
      rowName(deps.module, ids.get(id)!),
    );
    for (const id of ids.keys()) known.set(`${table} ${id}`, found.has(id));
  }
  return { exists: (table, id) => known.get(`${table} ${id.toLowerCase()}`) === true, rows: known.size };
}

/** How PracticeHub moved on since a record was loaded: changed, created since no run saw it, or neither. */
export type SourceChange = (sourceId: string) => 'changed' | 'created' | undefined;

/**
 * A differing or missing row given who made the difference and what repairs it, when its comparison
 * gave no reason: PracticeHub, which changed or created the record since it was loaded (a delta writes
 * that), or, for a record PracticeHub did not change, someone in Dataverse (a rewrite writes the row
 * again), unless the run journaled why it left the row so (a state Dataverse refused).
 */
export function withNextStep(d: Difference, change: SourceChange, journaled: RunReasons): Difference {
  if (d.reason !== undefined || d.sourceId === null) return d;
  const moved = change(d.sourceId);
  const since =
    moved === 'created'
      ? 'PracticeHub created the record after the runs reconciled'
      : 'PracticeHub changed the record after it was loaded';
  if (d.kind === 'mismatch') {
    const reason =
      journaled(d.mapping, d.sourceId, 'mismatch') ??
      (moved
        ? `${since}, so the row differs from what the spec makes of it now: \`flitstack delta\` writes the change`
        : `PracticeHub did not change the record since it was loaded: the row was changed in Dataverse after flitstack wrote it; ${REWRITE_HINT}`);
    return { ...d, reason };
  }
  if (d.kind !== 'missing') return d;
  // The run reconciled journaled nothing of the row: a later delta wrote it, or none did yet.
  return {
    ...d,
    reason: moved
      ? `no such row in Dataverse, and ${since}: \`flitstack delta\` writes it`
      : `no such row in Dataverse, though PracticeHub did not change the record since it was loaded: ${REWRITE_HINT}`,
  };
}
