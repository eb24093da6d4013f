import type { CrosswalkEntry, Journal } from '../journal/index.ts';
import { ownsRows, referencedKey } from '../mapping/definition.ts';
import {
  deletedAt,
  type GeneratedModule,
  type MappingDefinition,
  type Outcome,
  type Row,
  type SourceRecord,
  type TableDefinition,
} from '../mapping/index.ts';
import { ownerFallbackReason, resolveOwner, type UserDirectory } from '../run/directory.ts';
import { rowId } from '../run/ids.ts';
import type { Flag } from '../transforms/types.ts';
import type { WrittenOwners } from './owners.ts';
import { type SourceMap, sourceValues } from './sources.ts';
import type { FieldKind, SourceValue } from './types.ts';

/** What expectations are computed from: the generated module, the journal, the organisation's users. */
export interface ExpectContext {
  readonly module: GeneratedModule;
  /** The account part of derived row ids (`harbourside.eu`). */
  readonly account: string;
  readonly journal: Journal;
  readonly users: UserDirectory;
  /** Connection roles by lower-cased name → id. */
  readonly roles: ReadonlyMap<string, string>;
  /** A staff member's email, as the run resolved owners (undefined: unknown staff id). */
  staffEmail(staffId: string): string | null | undefined;
  readonly sources?: SourceMap;
  /** Whether the run that wrote a row gave it the fallback owner (absent: expect today's owner). */
  readonly writtenOwners?: WrittenOwners;
  /**
   * Tables whose rows have a state (statecode): there, the row of a mapping that `expectsOpen` is
   * expected open. Absent: the state is compared only where the mapping sets it.
   */
  readonly openTables?: ReadonlySet<string>;
}

/** One value the spec expects in a row, and how to read it back. */
export interface ExpectedField {
  readonly column: string;
  readonly kind: FieldKind;
  readonly read: string;
  /** The column type that decides how values compare (see compareValue). */
  readonly type: string;
  readonly expected: unknown;
  readonly sources: readonly SourceValue[];
  /** Why the expected value is what it is (a fallback owner, an unresolved lookup). */
  readonly note?: string;
}

/** A row the spec expects, where it lives, and its values. */
export interface ExpectedRow {
  readonly key: string;
  readonly table: TableDefinition;
  readonly targetId: string;
  readonly fields: readonly ExpectedField[];
}

/** What the spec expects of one record: rows, or none and why. */
export type Expectation =
  | { readonly kind: 'rows'; readonly rows: readonly ExpectedRow[]; readonly flags: readonly Flag[] }
  | { readonly kind: 'none'; readonly reason: string; readonly flags: readonly Flag[] };

/**
 * The record that writes a row key, given the crosswalk's row of the key (read once per row): the
 * first one in source order, as in a run, or the one the crosswalk names.
 */
export type Claimant = (key: string, entry: CrosswalkEntry | undefined) => string | undefined;

type Payload = Readonly<Record<string, unknown>>;

/** The Dataverse id the row of `key` is written to, or why the spec writes no row there. */
function targetOf(
  ctx: ExpectContext,
  m: MappingDefinition,
  table: TableDefinition,
  key: string,
  sourceId: string,
  claimantOf: Claimant,
): { id: string } | { none: string } {
  const entry = ctx.journal.crosswalk.get(m.name, key);
  const claimant = claimantOf(key, entry);
  if (claimant !== undefined && claimant !== sourceId)
    return { none: `superseded: record ${claimant} writes the row ${key} (the first record wins)` };
  if (m.key.kind === 'match') {
    if (entry) return { id: entry.targetId };
    if (m.target !== 'systemuser') return { none: `no enabled Dynamics user has this ${m.key.column}` };
    const matched = ctx.users.match(key, m.key.column);
    return 'user' in matched ? { id: matched.user.id } : matched;
  }
  if (m.updates) {
    const base = ctx.journal.crosswalk.get(m.updates, key);
    return base
      ? { id: base.targetId }
      : { none: `the ${m.updates} mapping loaded no ${table.name} row for ${key}` };
  }
  return { id: entry?.targetId ?? rowId(ctx.account, table.name, key) };
}

function lookupFields(ctx: ExpectContext, m: MappingDefinition, row: Row<Payload>, record: SourceRecord) {
  const fields: ExpectedField[] = [];
  for (const [i, definition] of m.lookups.entries()) {
    const pending = row.lookups[i];
    if (!pending) continue;
    let expected: string | null = null;
    let note: string | undefined;
    for (const [j, candidate] of definition.candidates.entries()) {
      const value = pending.values[j];
      if (value === null || value === undefined) continue;
      const target = ctx.module.MAPPINGS[candidate.mapping]!;
      const id = ctx.journal.crosswalk.get(candidate.mapping, referencedKey(target, value))?.targetId;
      if (id) {
        expected = id;
        note = `${candidate.mapping} ${value}`;
        break;
      }
    }
    if (expected === null && pending.values.some((v) => v !== null))
      note = `${definition.candidates.map((c, j) => `${c.mapping} ${pending.values[j] ?? '-'}`).join(', or ')} not loaded: left empty`;
    fields.push({
      column: definition.column,
      kind: 'lookup',
      read: `_${definition.column}_value`,
      type: 'lookup',
      expected,
      sources: sourceValues(ctx.sources, m.name, definition.column, record),
      ...(note ? { note } : {}),
    });
  }
  for (const role of m.roles)
    fields.push({
      column: role.column,
      kind: 'role',
      read: `_${role.column}_value`,
      type: 'lookup',
      expected: ctx.roles.get(role.role.toLowerCase()) ?? null,
      sources: [],
      note: `connection role ${role.role}`,
    });
  return fields;
}

/** The note of an owner disabled since the run gave them the row (reconcile counts the rows). */
export const SINCE_DISABLED =
  'owner since disabled: the owner was an enabled Dynamics user when the row was written and is disabled now';

/**
 * The owner the run gave a row, and why. A user disabled since the row was written (normal offboarding)
 * keeps the rows the run gave them while enabled: the journal says whether the write fell back.
 */
function ownerOf(ctx: ExpectContext, m: MappingDefinition, row: Row<Payload>): { id: string; note?: string } {
  const { user, fallback } = resolveOwner(ctx.users, row.owner!, (id) => ctx.staffEmail(id));
  if (fallback?.kind === 'disabled_user' && ctx.writtenOwners?.fellBack(m.name, row.key) === false)
    return {
      id: fallback.user.id,
      note: SINCE_DISABLED,
    };
  return fallback
    ? { id: user.id, note: `fallback owner: the owner ${ownerFallbackReason(fallback)}` }
    : { id: user.id };
}

function ownerField(ctx: ExpectContext, m: MappingDefinition, row: Row<Payload>, record: SourceRecord) {
  if (!m.owner || !row.owner) return [];
  const { id, note } = ownerOf(ctx, m, row);
  const field: ExpectedField = {
    column: 'ownerid',
    kind: 'owner',
    read: '_ownerid_value',
    type: 'owner',
    expected: id,
    sources: sourceValues(ctx.sources, m.name, 'ownerid', record),
    ...(note ? { note } : {}),
  };
  return [field];
}

/**
 * Whether a mapping's rows are expected open (statecode 0) when it sets no state of its own: it owns
 * them (see `ownsRows`: not a mapping that updates another's rows or loads a group's pick), and it
 * created them or matched them among active rows only, so that no state they had before the run is kept.
 */
export function expectsOpen(m: MappingDefinition): boolean {
  return ownsRows(m) && !m.hasState && (m.key.kind !== 'match' || m.key.activeOnly);
}

/**
 * The open state expected of a row its mapping sets no state for, while PracticeHub lists its record
 * (not deleted): none when the table has no state, or when a deactivate closed the row since it was
 * written (a deletion policy, for a record deleted and listed again before a delta opens its row).
 */
function openField(
  ctx: ExpectContext,
  m: MappingDefinition,
  table: TableDefinition,
  row: Row<Payload>,
  record: SourceRecord,
): ExpectedField[] {
  if (row.state || !expectsOpen(m) || !ctx.openTables?.has(table.name)) return [];
  if (deletedAt(record) !== undefined || ctx.journal.closedSinceWritten(m.name, row.key)) return [];
  return [
    {
      column: 'statecode',
      kind: 'state',
      read: 'statecode',
      type: 'state',
      expected: 0,
      sources: [],
      note: 'the spec sets no state: the row of a record PracticeHub lists is open',
    },
  ];
}

/** The values the spec writes in one row: columns, lookups, roles, owner, state and key. */
function expectedFields(
  ctx: ExpectContext,
  m: MappingDefinition,
  table: TableDefinition,
  row: Row<Payload>,
  record: SourceRecord,
): ExpectedField[] {
  const fields: ExpectedField[] = [];
  for (const [column, value] of Object.entries(row.payload)) {
    const def = table.columns[column];
    // The platform writes overriddencreatedon into createdon (reference §2).
    const read = def?.createOnly ? 'createdon' : column;
    fields.push({
      column,
      kind: 'column',
      read,
      type: def?.type ?? 'string',
      expected: value,
      sources: sourceValues(ctx.sources, m.name, column, record),
      ...(read !== column ? { note: `${column} is kept as ${read}` } : {}),
    });
  }
  // A note of a mapping with a document holds the record's file, or none when the record has none; a
  // file over the attachment limit is archived instead and the text links to it (compareRow reads that).
  // isdocument "specifies whether the note is an attachment" (learn.microsoft.com/power-apps/developer/
  // data-platform/reference/entities/annotation), so a file removed since is told without reading it.
  if (m.document)
    fields.push({
      column: 'isdocument',
      kind: 'column',
      read: 'isdocument',
      type: 'boolean',
      expected: row.document !== undefined,
      sources: [],
      note: row.document
        ? `the note holds file ${row.document.fileId}, unless its text links to the file in the archive`
        : 'the record has no file',
    });
  fields.push(...lookupFields(ctx, m, row, record), ...ownerField(ctx, m, row, record));
  if (row.state) {
    for (const [column, value] of [
      ['statecode', row.state.state],
      ['statuscode', row.state.status],
    ] as const)
      fields.push({
        column,
        kind: 'state',
        read: column,
        type: column === 'statecode' ? 'state' : 'status',
        expected: value,
        sources: sourceValues(ctx.sources, m.name, column, record),
      });
  }
  fields.push(...openField(ctx, m, table, row, record));
  if (m.key.kind === 'alternate')
    fields.push({
      column: m.key.column,
      kind: 'key',
      read: m.key.column,
      type: 'string',
      expected: row.key,
      sources: sourceValues(ctx.sources, m.name, m.key.column, record),
    });
  return fields;
}

/**
 * What the spec expects in Dataverse from one record, given the outcome of its mapping: the rows
 * (where they live: the crosswalk's id, the derived id, or the row of the mapping it updates) and
 * their values, with lookups and owners resolved as the run resolves them. No row is expected for a
 * rejected or skipped record, one another mapping handles, or one whose row another record writes.
 */
export function expectRecord(
  ctx: ExpectContext,
  m: MappingDefinition,
  record: SourceRecord,
  outcome: Outcome<Payload>,
  claimant: Claimant = () => undefined,
): Expectation {
  if (outcome.kind === 'skipped') return { kind: 'none', reason: outcome.reason, flags: [] };
  if (outcome.kind === 'rejected') {
    const reason = outcome.rejections.map((r) => `${r.column}: ${r.reason}`).join('; ');
    return { kind: 'none', reason: `rejected by the spec: ${reason}`, flags: outcome.flags };
  }
  const routed = m.notMatchedBy.find((other) => ctx.journal.matches.get(other, outcome.sourceId));
  if (routed)
    return {
      kind: 'none',
      reason: `handled by ${routed}, which matched an existing row`,
      flags: outcome.flags,
    };
  const table = ctx.module.TABLES[m.target]!;
  const rows: ExpectedRow[] = [];
  const reasons: string[] = [];
  for (const row of outcome.rows) {
    const target = targetOf(ctx, m, table, row.key, outcome.sourceId, claimant);
    if ('none' in target) reasons.push(target.none);
    else
      rows.push({
        key: row.key,
        table,
        targetId: target.id.toLowerCase(),
        fields: expectedFields(ctx, m, table, row, record),
      });
  }
  if (rows.length === 0 && reasons.length > 0)
    return { kind: 'none', reason: reasons.join('; '), flags: outcome.flags };
  return { kind: 'rows', rows, flags: outcome.flags };
}
