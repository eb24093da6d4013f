import {
  type CompareEntry,
  entriesOf,
  generatedOracle,
  type RecordComparison,
  readRows,
} from '../compare/index.ts';
import type { CrosswalkEntry, Journal, RunRecord } from '../journal/index.ts';
import type { SourceRecord } from '../mapping/index.ts';
import type { Difference, ReconcileDeps } from './reconcile.ts';
import type { SourceRead } from './source.ts';

/** Source ids per mapping that runs journaled an operation for. */
export type JournaledIds = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * Per mapping, the source ids the run or a completed run or delta after it journaled an operation for
 * (`accounted`), and those of the later runs alone (`later`: a deletion a delta picked up is there).
 */
export function journaledIds(
  journal: Journal,
  run: RunRecord,
): { accounted: JournaledIds; later: JournaledIds } {
  const accounted = new Map<string, Set<string>>();
  const later = new Map<string, Set<string>>();
  const add = (into: Map<string, Set<string>>, mapping: string, id: string) =>
    into.set(mapping, (into.get(mapping) ?? new Set<string>()).add(id));
  for (const r of journal.runs()) {
    const after = r.id > run.id && r.status === 'completed' && (r.kind === 'run' || r.kind === 'delta');
    if (r.id !== run.id && !after) continue;
    for (const op of journal.operations(r.id)) {
      add(accounted, op.mapping, op.sourceId);
      if (after) add(later, op.mapping, op.sourceId);
    }
  }
  return { accounted, later };
}

/** A share of `n` in `of` (0 when there is nothing to compare with). */
export const share = (n: number, of: number) => (of === 0 ? (n === 0 ? 0 : 1) : n / of);

export function differencesOf(c: RecordComparison): Difference[] {
  if (c.verdict === 'unexpected')
    return (c.strayRows ?? []).map((s) => ({
      mapping: c.mapping,
      sourceId: c.sourceId,
      targetId: s.targetId,
      key: s.key,
      kind: 'unexpected',
      fields: [],
      ...(c.reason ? { reason: c.reason } : {}),
    }));
  return c.rows
    .filter((r) => r.verdict !== 'match')
    .map((r) => ({
      mapping: c.mapping,
      sourceId: c.sourceId,
      targetId: r.targetId,
      key: r.key,
      kind: r.verdict === 'missing' ? 'missing' : 'mismatch',
      fields: r.fields.filter((f) => f.verdict === 'mismatch').map((f) => f.column),
      ...(r.reason ? { reason: r.reason } : {}),
    }));
}

/** Which crosswalk rows exist: known from the comparison, else read by id (primary key only). */
export async function existing(
  deps: ReconcileDeps,
  owned: ReadonlyMap<string, CrosswalkEntry[]>,
  comparisons: readonly RecordComparison[],
): Promise<{ exists: (table: string, id: string) => boolean; rows: number }> {
  const known = new Map<string, boolean>();
  for (const c of comparisons) {
    for (const r of c.rows) known.set(`${r.table} ${r.targetId}`, r.verdict !== 'missing');
    for (const s of c.strayRows ?? []) known.set(`${s.table} ${s.targetId}`, true);
  }
  const unknown = new Map<string, Set<string>>();
  for (const rows of owned.values())
    for (const row of rows) {
      const id = row.targetId.toLowerCase();
      if (known.has(`${row.table} ${id}`)) continue;
      unknown.set(row.table, (unknown.get(row.table) ?? new Set()).add(id));
    }
  for (const [table, ids] of unknown) {
    const found = await readRows(deps.dataverse, deps.module.TABLES[table]!, [...ids], []);
    for (const id of ids) known.set(`${table} ${id}`, found.has(id));
  }
  return { exists: (table, id) => known.get(`${table} ${id.toLowerCase()}`) === true, rows: known.size };
}

export function entriesFor(
  deps: ReconcileDeps,
  reads: readonly SourceRead[],
  mode: 'all' | 'sample',
): CompareEntry[] {
  const records = new Map(reads.map((r) => [r.resource, r.records]));
  return deps.module.LOAD_ORDER.flatMap((name) => {
    const m = deps.module.MAPPINGS[name]!;
    const mine: readonly SourceRecord[] = records.get(m.source) ?? [];
    // A block of pages may hold part of a group: the crosswalk names the record each group loaded.
    return mode === 'all' || !m.group
      ? entriesOf(m, mine, generatedOracle)
      : mine.map((record) => ({ mapping: m, record, outcome: generatedOracle(m, record) }));
  });
}
