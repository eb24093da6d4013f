import type { DataverseClient } from '../dataverse/index.ts';
import {
  type MappingDefinition,
  type Outcome,
  producesVaryingRows,
  type SourceRecord,
  type TableDefinition,
} from '../mapping/index.ts';
import { ARCHIVE_LINK } from '../run/documents.ts';
import { groupBy } from '../shared/group.ts';
import {
  type Claimant,
  type Expectation,
  type ExpectContext,
  type ExpectedRow,
  expectRecord,
} from './expected.ts';
import { type RowOrigin, readRows, rowName, tableOfRow } from './read.ts';
import type { FieldComparison, RecordComparison, RecordVerdict, RowComparison } from './types.ts';
import { compareValue } from './values.ts';

/** One source record of one mapping, with what the spec makes of it (the oracle's outcome). */
export interface CompareEntry {
  readonly mapping: MappingDefinition;
  readonly record: SourceRecord;
  readonly outcome: Outcome<Readonly<Record<string, unknown>>>;
}

/** How `compareRecords` decides details the records alone do not tell. */
export interface CompareOptions {
  /** Decimal places Dataverse keeps in a column (default 2). */
  readonly precision?: (table: string, column: string) => number | undefined;
  /** What the journal says happened to a record whose row is missing (its run's operation). */
  readonly reason?: (mapping: string, sourceId: string) => string | undefined;
  /**
   * Which record writes a row key that several records produce: the first in the order of the entries
   * (`order`, as a run over the same records does), or the one the crosswalk names (`journal`, when
   * the entries are a slice of the source and the first one may be outside it).
   */
  readonly claims?: 'order' | 'journal';
}

/** A row the crosswalk ties to a record that the spec does not have the record write (any more). */
interface Stray {
  readonly key: string;
  readonly targetId: string;
  readonly table: string;
  readonly createdBy: number;
}

interface Planned {
  readonly entry: CompareEntry;
  readonly expectation: Expectation;
  readonly stray: readonly Stray[];
}

const sourceIdOf = (e: CompareEntry) => e.outcome.sourceId;

function claimants(
  entries: readonly CompareEntry[],
  mode: 'order' | 'journal',
): (m: MappingDefinition) => Claimant {
  if (mode === 'journal') return () => (_key, entry) => entry?.sourceId;
  const claims = new Map<string, Map<string, string>>();
  for (const e of entries) {
    if (e.outcome.kind !== 'rows') continue;
    const keys = claims.get(e.mapping.name) ?? new Map<string, string>();
    claims.set(e.mapping.name, keys);
    for (const row of e.outcome.rows) if (!keys.has(row.key)) keys.set(row.key, e.outcome.sourceId);
  }
  return (m) => (key) => claims.get(m.name)?.get(key);
}

/**
 * Whether to look for rows the crosswalk ties to a record beyond those the spec expects of it: always
 * when it expects none; when it expects rows, for a mapping whose records produce a varying number of
 * rows (a fan-out that lost an item, a note split into fewer parts), the rows runs delete when the
 * record no longer produces them.
 */
function strayLookedFor(p: { readonly entry: CompareEntry; readonly expectation: Expectation }): boolean {
  if (p.expectation.kind === 'none') return true;
  return producesVaryingRows(p.entry.mapping);
}

/**
 * Expectations, and the rows the crosswalk ties to a record that the spec no longer has it write: all
 * of them for a record the spec writes no row for, those beyond its expected rows for one it does.
 */
function plan(ctx: ExpectContext, entries: readonly CompareEntry[], mode: 'order' | 'journal'): Planned[] {
  const claimantOf = claimants(entries, mode);
  const planned = entries.map((entry) => ({
    entry,
    expectation: expectRecord(ctx, entry.mapping, entry.record, entry.outcome, claimantOf(entry.mapping)),
  }));
  const lookedFor = groupBy(planned.filter(strayLookedFor), (p) => p.entry.mapping.name);
  const tied = new Map<string, Map<string, Stray[]>>();
  for (const [mapping, records] of lookedFor) {
    const found = ctx.journal.crosswalk.bySourceIds(
      mapping,
      records.map((p) => sourceIdOf(p.entry)),
    );
    tied.set(
      mapping,
      new Map(
        [...found].map(([id, rows]) => [
          id,
          rows.map((r) => ({
            key: r.key,
            targetId: r.targetId.toLowerCase(),
            table: r.table,
            createdBy: r.createdBy,
          })),
        ]),
      ),
    );
  }
  // A row the record itself or another record is expected to write (a group's new pick, the first of
  // two records with one key) is compared there: it is not stray.
  const expected = new Set(
    planned.flatMap((p) =>
      p.expectation.kind === 'rows' ? p.expectation.rows.map((r) => `${p.entry.mapping.name} ${r.key}`) : [],
    ),
  );
  // A row a run closed since it last wrote it is what the deletion policy does with it (a deactivated
  // row stays in Dataverse): not left behind.
  const name = (p: (typeof planned)[number]) => p.entry.mapping.name;
  return planned.map((p) => ({
    ...p,
    stray: strayLookedFor(p)
      ? (tied.get(name(p))?.get(sourceIdOf(p.entry)) ?? []).filter(
          (s) => !expected.has(`${name(p)} ${s.key}`) && !ctx.journal.closedSinceWritten(name(p), s.key),
        )
      : [],
  }));
}

/** Reads every expected and stray row back, one table at a time, selecting only what is compared. */
async function readBack(
  ctx: ExpectContext,
  client: DataverseClient,
  planned: readonly Planned[],
): Promise<Map<string, Map<string, Record<string, unknown>>>> {
  const wanted = new Map<
    string,
    { table: TableDefinition; ids: Map<string, RowOrigin>; select: Set<string> }
  >();
  const want = (table: TableDefinition, id: string, origin: RowOrigin, select: readonly string[]) => {
    const w = wanted.get(table.name) ?? {
      table,
      ids: new Map<string, RowOrigin>(),
      select: new Set<string>(),
    };
    wanted.set(table.name, w);
    if (!w.ids.has(id)) w.ids.set(id, origin);
    for (const s of select) w.select.add(s);
  };
  for (const p of planned) {
    const { mapping } = p.entry;
    const sourceId = sourceIdOf(p.entry);
    if (p.expectation.kind === 'rows')
      for (const row of p.expectation.rows)
        want(
          row.table,
          row.targetId,
          { mapping: mapping.name, key: row.key, sourceId },
          row.fields.map((f) => f.read),
        );
    for (const s of p.stray) {
      const origin = { mapping: mapping.name, key: s.key, sourceId };
      want(tableOfRow(ctx.module, { ...origin, ...s }), s.targetId, origin, []);
    }
  }
  const out = new Map<string, Map<string, Record<string, unknown>>>();
  for (const [name, w] of wanted)
    out.set(
      name,
      await readRows(client, w.table, w.ids.keys(), [...w.select], (id) =>
        rowName(ctx.module, w.ids.get(id)!),
      ),
    );
  return out;
}

/** Whether a note's text as Dataverse holds it links to its file in the archive (over the attachment limit). */
function linksArchive(row: ExpectedRow, actual: Record<string, unknown>): boolean {
  const text = row.fields.find((f) => f.column === 'notetext')?.expected;
  const held = actual.notetext;
  const own = typeof text === 'string' ? text : '';
  return typeof held === 'string' && held.startsWith(own) && ARCHIVE_LINK.test(held.slice(own.length));
}

function compareRow(
  m: MappingDefinition,
  row: ExpectedRow,
  actual: Record<string, unknown>,
  options: CompareOptions,
): RowComparison {
  const archived = m.document !== undefined && linksArchive(row, actual);
  const fields: FieldComparison[] = row.fields.map((f) => {
    const value = actual[f.read] ?? null;
    // The file went to the archive instead of into the note: the note holds none.
    const expected = archived && f.column === 'isdocument' ? false : f.expected;
    const verdict = compareValue(f.type, expected, value, {
      precision: options.precision?.(row.table.name, f.column),
      ...(m.document && f.column === 'notetext' ? { appended: ARCHIVE_LINK } : {}),
    });
    const normalisation =
      verdict.normalisation ??
      (f.kind === 'lookup' || f.kind === 'owner' || f.kind === 'role' ? `bind read as ${f.read}` : undefined);
    return {
      column: f.column,
      kind: f.kind,
      read: f.read,
      sources: f.sources,
      expected,
      actual: value,
      verdict: verdict.equal ? 'match' : 'mismatch',
      ...(verdict.equal && normalisation ? { normalisation } : {}),
      ...(f.note ? { note: f.note } : {}),
    };
  });
  return {
    key: row.key,
    table: row.table.name,
    targetId: row.targetId,
    verdict: fields.some((f) => f.verdict === 'mismatch') ? 'mismatch' : 'match',
    fields,
  };
}

/** Why a record that still writes rows is tied to more: what they are and what removes them. */
const strayReason = (n: number) =>
  `Dataverse holds ${n} row(s) the crosswalk ties to the record that it no longer produces (a removed clinic assignment, a shortened note): a run or delta that reads the record again deletes them, unless policies.deleted_records is ignore`;

function judge(p: Planned, rows: Map<string, Map<string, Record<string, unknown>>>, options: CompareOptions) {
  const { entry, expectation } = p;
  const base = {
    mapping: entry.mapping.name,
    resource: entry.mapping.source,
    sourceId: sourceIdOf(entry),
    flags: expectation.flags,
  };
  const found = p.stray.filter((s) => rows.get(s.table)?.has(s.targetId));
  const strayRows = (reason: string) =>
    found.map((s) => ({ key: s.key, table: s.table, targetId: s.targetId, reason }));
  if (expectation.kind === 'none') {
    const reason = `${expectation.reason}; yet Dataverse holds ${found.length} row(s) the crosswalk ties to the record`;
    return found.length > 0
      ? { ...base, verdict: 'unexpected' as const, rows: [], reason, strayRows: strayRows(reason) }
      : { ...base, verdict: 'not-loaded' as const, rows: [], reason: expectation.reason };
  }
  const compared: RowComparison[] = expectation.rows.map((row) => {
    const actual = rows.get(row.table.name)?.get(row.targetId);
    if (actual) return compareRow(entry.mapping, row, actual, options);
    const why = options.reason?.(entry.mapping.name, base.sourceId);
    return {
      key: row.key,
      table: row.table.name,
      targetId: row.targetId,
      verdict: 'missing',
      fields: [],
      ...(why ? { reason: why } : {}),
    };
  });
  // A missing or differing row says more about the record than rows it left behind: that verdict stays.
  const verdict: RecordVerdict = compared.some((r) => r.verdict === 'missing')
    ? 'missing'
    : compared.some((r) => r.verdict === 'mismatch')
      ? 'mismatch'
      : found.length > 0
        ? 'unexpected'
        : compared.length === 0
          ? 'not-loaded'
          : 'match';
  const reasons = [
    verdict === 'missing' ? (compared.find((r) => r.reason)?.reason ?? 'no such row') : undefined,
    compared.length === 0 ? 'the spec writes no row for the record' : undefined,
    found.length > 0 ? strayReason(found.length) : undefined,
  ].filter((r) => r !== undefined);
  return {
    ...base,
    verdict,
    rows: compared,
    ...(reasons.length > 0 ? { reason: reasons.join('; ') } : {}),
    ...(found.length > 0 ? { strayRows: strayRows(strayReason(found.length)) } : {}),
  };
}

/**
 * Compares source records with Dataverse, column by column: what the spec expects from each record
 * (computed by `expectRecord` from the oracle's outcome), against the rows read back by id (one
 * request per 50 rows per table, `$select` of the compared columns only). Entries keep their order.
 */
export async function compareRecords(
  ctx: ExpectContext,
  client: DataverseClient,
  entries: readonly CompareEntry[],
  options: CompareOptions = {},
): Promise<RecordComparison[]> {
  const planned = plan(ctx, entries, options.claims ?? 'order');
  const rows = await readBack(ctx, client, planned);
  return planned.map((p) => judge(p, rows, options));
}
