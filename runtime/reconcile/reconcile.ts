import type { IrSchemaPlan } from '../../compiler/ir/types.ts';
import {
  compareRun,
  generatedOracle,
  isDifference,
  REWRITE_HINT,
  runReasons,
  SINCE_DISABLED,
} from '../compare/index.ts';
import type { DataverseClient } from '../dataverse/index.ts';
import type { CrosswalkEntry, Journal, RunRecord } from '../journal/index.ts';
import { deletedAt, type GeneratedModule, idText } from '../mapping/index.ts';
import type { PracticeHubClient } from '../practicehub/index.ts';
import { groupBy } from '../shared/group.ts';
import {
  beyond,
  changedSince,
  differencesOf,
  existing,
  heldIds,
  journaledIds,
  openTables,
  type SourceChange,
  share,
  withNextStep,
} from './checks.ts';
import { listOwned, ownedRows, type Unchecked } from './extra.ts';
import { readSource } from './source.ts';

/** What reconcile reads: the generated module and plan, both clients, the journal. */
export interface ReconcileDeps {
  readonly module: GeneratedModule;
  readonly plan: IrSchemaPlan;
  readonly practicehub: PracticeHubClient;
  readonly dataverse: DataverseClient;
  readonly journal: Journal;
  /** The account part of derived row ids (`harbourside.eu`). */
  readonly account: string;
}

/** The run to reconcile, and the checksum mode when it differs from the spec's. */
export interface ReconcileOptions {
  readonly run: RunRecord;
  readonly checksums?: 'all' | 'sample';
}

/** One mapping reconciled: counts on each side, field checksums, and the shares held against the tolerance. */
export interface MappingReconcile {
  readonly mapping: string;
  readonly resource: string;
  /** Records in PracticeHub now (total_entries). */
  readonly source: number;
  /** The run's accounting of the mapping. */
  readonly journal: { readonly loaded: number; readonly skipped: number; readonly rejected: number };
  /**
   * Source records no run accounted for among those read (every record, or a block of pages and the
   * records PracticeHub lists as changed since the run's base started): no
   * operation in the run, the runs it stands on or a completed run or delta after it (created since
   * and not yet picked up, or missed while a run paged through the resource).
   */
  readonly unaccounted: number;
  /**
   * Rows whose source record PracticeHub no longer lists (every record read; or, besides a block of
   * pages, among those it lists as deleted since the run's base started) and that no deactivate or
   * delete closed since they were written.
   */
  readonly orphaned: number;
  /**
   * Source records the journal holds as in PracticeHub now: with a crosswalk row not closed, or
   * journaled without a row and not deleted since. Fails the mapping when it differs from `source`.
   */
  readonly held: number;
  /**
   * Rows the crosswalk says the mapping owns, and how many of them Dataverse has. A row closed for its
   * record's deletion may be gone from Dataverse since: it is not missing.
   */
  readonly crosswalk: number;
  readonly dataverse: number;
  /**
   * Rows in Dataverse the migration owns that the crosswalk does not hold: in a table the spec creates,
   * or with the mapping's key prefix in its key column. Any fails the mapping, whatever the tolerance.
   */
  readonly extra: number;
  /** Records whose fields were compared, and how many differ. */
  readonly checked: number;
  readonly differing: number;
  /**
   * Rows the run gave an owner who is a disabled user now (offboarded since): as the run wrote them,
   * so not differing, but rows an administrator may want to give to someone else.
   */
  readonly ownersSinceDisabled: number;
  /**
   * Each held against the tolerance: unaccounted records and orphaned rows in the source count,
   * crosswalk rows missing in Dataverse, records differing in their fields.
   */
  readonly shares: { readonly count: number; readonly rows: number; readonly fields: number };
  readonly ok: boolean;
  /**
   * Whether the migration itself is beyond the tolerance, not only the source moving on since: crosswalk
   * rows missing in Dataverse, or records differing whose source did not change since they were loaded.
   */
  readonly defective: boolean;
}

/** A record (or row) that differs, named by its ids and the fields that differ; never its values. */
export interface Difference {
  readonly mapping: string;
  /** The source record; null for an extra row, which no record the crosswalk knows produced. */
  readonly sourceId: string | null;
  readonly targetId: string | null;
  /** The row key; null for a mapping keyed by matching a column, whose key is a value (an email). */
  readonly key: string | null;
  /**
   * `absent`: a row the crosswalk holds is not in Dataverse (and no current record expects it);
   * `orphan`: a row whose source record PracticeHub no longer lists, its deletion not yet picked up;
   * `extra`: a row in the migration's table or key namespace that the crosswalk does not hold;
   * `unaccounted`: a source record PracticeHub lists that no run accounted for.
   */
  readonly kind: 'mismatch' | 'missing' | 'unexpected' | 'absent' | 'orphan' | 'extra' | 'unaccounted';
  readonly fields: readonly string[];
  readonly reason?: string;
}

/** The reconciliation of a run. */
export interface ReconcileResult {
  readonly run: RunRecord;
  readonly tolerance: number;
  readonly checksums: 'all' | 'sample';
  readonly mappings: readonly MappingReconcile[];
  readonly differences: readonly Difference[];
  /** Mappings whose extra rows are not looked for, and why. */
  readonly extraUnchecked: readonly Unchecked[];
  readonly ok: boolean;
  readonly requests: {
    readonly practicehub: { readonly made: number; readonly minimum: number };
    /** Data requests, and the distinct rows they reconciled (compared, or counted by id). */
    readonly dataverse: { readonly made: number; readonly rows: number };
  };
}

/**
 * Reconciles a run: per mapping, PracticeHub's count now against the run's accounting, the rows the
 * crosswalk says the mapping owns against those Dataverse has, and field checksums: every row's mapped
 * columns (of every record, or a block of pages per resource) against what the generated transformer
 * makes of the current source, and the state of a row whose mapping sets none (open, unless a delta
 * closed it for its record's deletion), selected with the columns. Each share is held against the
 * spec's tolerance. Rows the migration owns (every row of a table the spec creates, rows with a
 * mapping's key prefix on a shared table) that the crosswalk does not hold are extra, and fail the
 * mapping whatever the tolerance.
 */
export async function reconcile(deps: ReconcileDeps, options: ReconcileOptions): Promise<ReconcileResult> {
  const { module, journal, dataverse, practicehub } = deps;
  const run = options.run;
  const mode = options.checksums ?? module.MIGRATION.checksums;
  const tolerance = module.MIGRATION.tolerance;
  const phBefore = practicehub.stats().requests;
  const dvBefore = dataverse.stats().requests.data;
  const reads = await readSource(
    module,
    practicehub,
    mode,
    module.MIGRATION.sampleSize,
    run.id,
    changedSince(journal, run),
  );
  const staff = module.MIGRATION.staff;
  const staffRead = staff ? reads.find((r) => r.resource === staff.resource && r.whole) : undefined;
  const emails = new Map(
    (staffRead?.records ?? []).map((r) => [
      String(r.id),
      typeof r[staff!.emailField] === 'string' ? (r[staff!.emailField] as string) : null,
    ]),
  );
  const comparisons = await compareRun(deps, {
    runId: run.id,
    records: new Map(reads.map((r) => [r.resource, r.records])),
    oracle: generatedOracle,
    // A block of pages may hold part of a group: the crosswalk names the record each group loaded.
    claims: mode === 'all' ? 'order' : 'journal',
    staffEmail: (id) => (emails.has(id) ? emails.get(id) : journal.staff.get(id)),
    openTables: await openTables(deps),
  });
  const owned = new Map(module.LOAD_ORDER.map((m) => [m, journal.crosswalk.ofMapping(m)]));
  // Rows of the migration's tables and key namespaces: the crosswalk rows among them exist, the others
  // are extra.
  const namespaces = ownedRows(module, deps.plan);
  const { listed, extra } = await listOwned(dataverse, namespaces.owned, [...owned.values()].flat());
  const { exists, rows: rowsReconciled } = await existing(deps, owned, comparisons, listed);
  const summary = run.summary ?? journal.accounting(run.id);
  const { accounted, deleted } = journaledIds(journal, run);
  const differences = comparisons.flatMap(differencesOf);
  const journaled = runReasons(journal, run.id);
  const reported = new Set(differences.map((d) => d.targetId));
  const byMapping = groupBy(comparisons, (c) => c.mapping);
  const extraBy = groupBy(extra, (r) => r.mapping);
  // Per resource, however many mappings read it: each record's id and updated_at.
  const sources = new Map(
    reads.map((read) => [
      read.resource,
      {
        read,
        updatedAt: new Map(
          read.records.map((r) => [
            idText(r.id) ?? '',
            typeof r.updated_at === 'string' ? r.updated_at : null,
          ]),
        ),
      },
    ]),
  );
  const changes = new Map<string, SourceChange>();
  const mappings = module.LOAD_ORDER.map((name): MappingReconcile => {
    const m = module.MAPPINGS[name]!;
    const { read, updatedAt } = sources.get(m.source)!;
    const counts = summary[name] ?? { loaded: 0, skipped: 0, rejected: 0 };
    const rows = owned.get(name) ?? [];
    const seen = accounted.get(name);
    // The count holds what no block of pages shows: a record missed and one deleted do not cancel out.
    const { held, closed } = heldIds(journal, name, rows, seen, deleted.get(name));
    // Read besides a block of pages: the records PracticeHub created since, and those it deleted.
    const deletedSince = new Set<string>();
    const listed = new Set(read.records.map((r) => idText(r.id) ?? ''));
    for (const r of read.changed)
      (deletedAt(r) === undefined ? listed : deletedSince).add(idText(r.id) ?? '');
    for (const id of deletedSince) listed.delete(id);
    // Whether PracticeHub no longer lists a record: every record read (updatedAt holds every id), or
    // besides a block of pages, among those it lists as deleted since.
    const unlisted = (id: string) => (read.whole ? !updatedAt.has(id) : deletedSince.has(id));
    const present: CrosswalkEntry[] = [];
    // A row closed for its record's deletion that is gone from Dataverse since (deleted by hand) is no
    // more expected there than a row the deletion policy deletes.
    let gone = 0;
    for (const r of rows)
      if (exists(r.table, r.targetId)) present.push(r);
      else if (closed(r)) gone++;
      else if (!reported.has(r.targetId.toLowerCase()))
        differences.push({
          mapping: name,
          sourceId: r.sourceId,
          targetId: r.targetId.toLowerCase(),
          key: r.key,
          kind: 'absent',
          fields: [],
          reason: unlisted(r.sourceId)
            ? 'the crosswalk holds the row but Dataverse does not, and PracticeHub no longer lists the record: `flitstack delta` journals the deletion'
            : `the crosswalk holds the row but Dataverse does not: it was deleted in Dataverse after flitstack wrote it; ${REWRITE_HINT}`,
        });
    const mine = byMapping.get(name) ?? [];
    const differing = mine.filter((c) => isDifference(c.verdict));
    // A record differs because PracticeHub changed it after it was loaded (its updated_at is not the
    // one the crosswalk keeps), or created it since no run saw it: the source moved on, a delta picks
    // that up. Any other difference is one the migration made.
    const loadedAt = new Map(rows.map((r) => [r.sourceId, r.sourceUpdatedAt]));
    const change: SourceChange = (id) =>
      loadedAt.has(id)
        ? updatedAt.get(id) !== loadedAt.get(id)
          ? 'changed'
          : undefined
        : seen?.has(id)
          ? undefined
          : 'created';
    changes.set(name, change);
    const ofMigration = differing.filter((c) => change(c.sourceId) === undefined).length;
    const unaccounted = [...listed].filter((id) => !seen?.has(id));
    for (const id of unaccounted)
      differences.push({
        mapping: name,
        sourceId: id,
        targetId: null,
        key: null,
        kind: 'unaccounted',
        fields: [],
        reason: `PracticeHub lists ${m.source} record ${id} but no run accounted for it: run \`flitstack run\` again, which loads the records the crosswalk does not hold (created since, or missed when records before it were deleted while a run paged through ${m.source})`,
      });
    // Rows of records PracticeHub no longer lists that no deactivate or delete closed since they were
    // written, whichever run did it.
    const orphans = present.filter((r) => unlisted(r.sourceId) && !closed(r));
    for (const r of orphans)
      differences.push({
        mapping: name,
        sourceId: r.sourceId,
        targetId: r.targetId.toLowerCase(),
        key: r.key,
        kind: 'orphan',
        fields: [],
        reason:
          'PracticeHub no longer lists the record; the row remains (a delta applies the deletion policy)',
      });
    const extras = extraBy.get(name) ?? [];
    for (const r of extras)
      differences.push({
        mapping: name,
        sourceId: null,
        targetId: r.targetId,
        key: r.key,
        kind: 'extra',
        fields: [],
        reason: `${r.table} holds the row but the crosswalk does not, so no run of this journal wrote it and a rollback would not remove it: find out who created it (someone in Dataverse, or a run of another journal) and delete it in Dataverse if it does not belong`,
      });
    const shares = {
      count: share(
        Math.max(unaccounted.length + orphans.length, Math.abs(read.total - held.size)),
        read.total,
      ),
      rows: share(rows.length - present.length - gone, rows.length),
      fields: share(differing.length, mine.length),
    };
    return {
      mapping: name,
      resource: m.source,
      source: read.total,
      journal: { loaded: counts.loaded, skipped: counts.skipped, rejected: counts.rejected },
      unaccounted: unaccounted.length,
      orphaned: orphans.length,
      held: held.size,
      crosswalk: rows.length,
      dataverse: present.length,
      extra: extras.length,
      checked: mine.length,
      differing: differing.length,
      ownersSinceDisabled: mine.reduce(
        (n, c) =>
          n +
          c.rows.filter((row) => row.fields.some((f) => f.kind === 'owner' && f.note === SINCE_DISABLED))
            .length,
        0,
      ),
      shares,
      defective:
        beyond(share(rows.length - present.length - gone, rows.length), tolerance) ||
        beyond(share(ofMigration, mine.length), tolerance),
      ok: extras.length === 0 && Object.values(shares).every((s) => !beyond(s, tolerance)),
    };
  });
  const pageSize = module.MIGRATION.pageSize;
  const minimum = reads.reduce(
    (n, r) =>
      n +
      (r.whole && mode === 'all'
        ? Math.max(1, Math.ceil(r.total / pageSize))
        : // The records changed since: their pages, after one probe that PracticeHub applies the filter.
          1 + (r.pages ? r.pages[1] - r.pages[0] + 1 : 0) + (r.changedPages > 0 ? r.changedPages + 1 : 0)),
    0,
  );
  return {
    run,
    tolerance,
    checksums: mode,
    mappings,
    // The reports name records and rows, never values: a key matched on a column is one.
    differences: differences.map((found) => {
      const d = withNextStep(found, changes.get(found.mapping) ?? (() => undefined), journaled);
      return module.MAPPINGS[d.mapping]?.key.kind === 'match' ? { ...d, key: null } : d;
    }),
    extraUnchecked: namespaces.unchecked,
    ok: mappings.every((m) => m.ok),
    requests: {
      practicehub: { made: practicehub.stats().requests - phBefore, minimum },
      dataverse: { made: dataverse.stats().requests.data - dvBefore, rows: rowsReconciled },
    },
  };
}
