import {
  type DataverseClient,
  DataverseError,
  literal,
  MAX_PAGE_SIZE,
  type OneToManyRelationship,
} from '../dataverse/index.ts';
import { groupBy } from '../shared/group.ts';
import type { TableResolver } from './tables.ts';

/**
 * Tables whose rows Dataverse writes itself or that hold no work of a user: system jobs and their
 * failures, duplicate detection results, field sharing, sync errors, per-user view state. A migration's
 * creates start such rows (a workflow's job regarding the new account), which must not hold the
 * rollback. activitypointer is the base of every activity table: each activity table (task, email,
 * appointment…) has its own relationship and is read through it. activityparty has no modifiedon to
 * filter on; the activity it belongs to is found through its own lookups.
 */
const NOT_USER_WORK = new Set([
  'activityparty',
  'activitypointer',
  'asyncoperation',
  'bulkdeletefailure',
  'duplicaterecord',
  'principalobjectattributeaccess',
  'processsession',
  'syncerror',
  'userentityinstancedata',
]);

/**
 * How far Dataverse's clock may be behind the journal's: rows changed this long before the run started
 * are read too (they cannot point to a row the run created, so reading them costs only bandwidth).
 */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/** A row flitstack did not write that points to a row the rollback would delete. */
export interface ForeignRow {
  readonly table: string;
  readonly id: string;
  readonly column: string;
  readonly relationship: string;
  /** CascadeConfiguration.Delete of the relationship: what deleting the row would do to it. */
  readonly cascade: string;
}

/** A table whose rows could not be read, so that what points from it to the rows to delete is unknown. */
export interface UncheckedTable {
  readonly table: string;
  /** The tables of rows to delete that its lookups point to, and through which relationships. */
  readonly relationships: readonly OneToManyRelationship[];
  /** The Read privilege the application user lacks (from the table's metadata), when it is a 403. */
  readonly privilege: string | undefined;
  readonly error: string;
}

/** What `foreignReferences` found. */
export interface ForeignScan {
  /** Rows to delete that a foreign row points to, by lower-case id (the first such row found). */
  readonly referenced: Map<string, ForeignRow>;
  /** The tables that could not be read, one for each, with the relationships left unchecked. */
  readonly unchecked: UncheckedTable[];
  /**
   * Tables of rows to delete that an unreadable table's lookup points to with a delete rule that would
   * take or change its rows (Cascade, RemoveLink: not Restrict, which Dataverse enforces itself).
   */
  readonly blocked: Map<string, UncheckedTable>;
}

/** Delete rules under which deleting the referenced row takes or changes the referencing row unasked. */
const SILENT = new Set(['Cascade', 'Active', 'UserOwned', 'RemoveLink']);

/** The relationships of one lookup column: polymorphic ones (customer, regarding) point to several tables. */
interface Lookup {
  readonly table: string;
  readonly column: string;
  /** By referenced table. */
  readonly relationships: Map<string, OneToManyRelationship>;
}

/**
 * Rows flitstack did not write (not in `own`: what the run being rolled back wrote, the rows this
 * rollback deletes among them) that point to a row in `toDelete` (lower-case id → table), so that the
 * rollback can keep it: deleting it would delete such a row (Cascade), empty its lookup (RemoveLink) or
 * fail (Restrict). A user's opportunity, task, note or contact linked to a migrated account is such a
 * row; so is one a later run of flitstack wrote and its rollback left, since rolling back a run refuses
 * while later runs are not rolled back (`builtOn`).
 *
 * Requests: one per table of rows to delete (its OneToManyRelationships), then one query per lookup
 * column pointing to those tables (a polymorphic lookup once, however many tables it points to), paged
 * by 5,000, for the rows whose lookup is set and whose modifiedon is not older than the run:
 * such a row was created or changed after the run created the row it points to. createdon is not
 * asked: an import may set it in the past (overriddencreatedon, reference §2); modifiedon it cannot.
 * The rows found are intersected with `toDelete` here, not by a query per row. A table without
 * modifiedon (postfollow: its rows are never changed) refuses the date filter (400, `noModifiedOn`):
 * one refused request, then each of its lookups is read for every row whose lookup is set, so it is
 * checked rather than left unknown; a row pointing to a row the run created had its lookup set after it.
 *
 * Any other query refused (403: the application user cannot read the table; another 400) does not end the rollback: the table is returned in `unchecked`, with the Read privilege missing (one
 * more request, to its metadata), and the tables its lookups would take rows from in `blocked`.
 */
export async function foreignReferences(
  client: DataverseClient,
  tables: TableResolver,
  toDelete: ReadonlyMap<string, string>,
  own: ReadonlySet<string>,
  runStartedAt: string,
): Promise<ForeignScan> {
  const referenced = new Map<string, ForeignRow>();
  const unchecked = new Map<string, UncheckedTable>();
  const lookups = new Map<string, Lookup>();
  for (const target of new Set(toDelete.values())) {
    for (const r of await client.oneToManyRelationships(target)) {
      if (NOT_USER_WORK.has(r.referencingEntity) || !r.referencingAttribute) continue;
      const key = `${r.referencingEntity}.${r.referencingAttribute}`;
      const lookup = lookups.get(key) ?? {
        table: r.referencingEntity,
        column: r.referencingAttribute,
        relationships: new Map(),
      };
      lookup.relationships.set(target, r);
      lookups.set(key, lookup);
    }
  }
  const since = new Date(Date.parse(runStartedAt) - CLOCK_SKEW_MS);
  for (const [name, group] of groupBy(lookups.values(), (l) => l.table)) {
    const table = await tables.get(name);
    if (!table) continue;
    // False once the table turns out to have no modifiedon: its lookups are read without the date.
    let dated = true;
    for (const lookup of group) {
      const value = `_${lookup.column}_value`;
      const scan = async (filter: string) => {
        const pages = client.queryPages<Record<string, unknown>>(table.entitySet, {
          select: [table.primaryId, value],
          filter,
          maxPageSize: MAX_PAGE_SIZE,
        });
        for await (const page of pages) {
          for (const row of page) {
            const id = String(row[table.primaryId]).toLowerCase();
            const to = typeof row[value] === 'string' ? (row[value] as string).toLowerCase() : undefined;
            const target = to === undefined ? undefined : toDelete.get(to);
            const relationship = target === undefined ? undefined : lookup.relationships.get(target);
            if (!relationship || own.has(id) || referenced.has(to!)) continue;
            referenced.set(to!, {
              table: name,
              id,
              column: lookup.column,
              relationship: relationship.schemaName,
              cascade: relationship.cascadeDelete,
            });
          }
        }
      };
      try {
        try {
          if (dated) await scan(`${value} ne null and modifiedon ge ${literal(since)}`);
        } catch (error) {
          if (!noModifiedOn(error)) throw error;
          dated = false;
        }
        if (!dated) await scan(`${value} ne null`);
      } catch (error) {
        if (!(error instanceof DataverseError) || (error.status !== 403 && error.status !== 400)) throw error;
        const known = unchecked.get(name);
        const privilege =
          known?.privilege ??
          (error.status === 403 ? (await client.readPrivileges([name])).get(name)?.name : undefined);
        unchecked.set(name, {
          table: name,
          relationships: [...(known?.relationships ?? []), ...lookup.relationships.values()],
          privilege,
          error: error.serverMessage,
        });
      }
    }
  }
  const blocked = new Map<string, UncheckedTable>();
  for (const u of unchecked.values())
    for (const r of u.relationships)
      if (SILENT.has(r.cascadeDelete) && !blocked.has(r.referencedEntity)) blocked.set(r.referencedEntity, u);
  return { referenced, unchecked: [...unchecked.values()], blocked };
}

/**
 * Whether Dataverse refused the query because the table has no modifiedon: a table whose rows are only
 * created and deleted (postfollow: webapi/reference/postfollow lists createdon and no modifiedon). A
 * filter on a property the entity lacks is answered 400 "Could not find a property named 'modifiedon'
 * on type 'Microsoft.Dynamics.CRM.<table>'." with code 0x80060888, or 0x0 / "" from older tenants
 * (reference §8; Troubleshoot Dataverse Web API client errors), so the message is matched, not the code.
 */
function noModifiedOn(error: unknown): boolean {
  return (
    error instanceof DataverseError &&
    error.status === 400 &&
    error.serverMessage.includes("Could not find a property named 'modifiedon'")
  );
}

/** Why a row is kept because a foreign row points to it, for a human. */
export function foreignWhy(row: ForeignRow): string {
  const effect =
    row.cascade === 'Cascade'
      ? `would delete that ${row.table} too`
      : row.cascade === 'RemoveLink'
        ? `would empty its ${row.column}`
        : `is refused by Dataverse (${row.cascade || 'no delete rule'})`;
  return `${row.table} ${row.id}, created or changed in Dataverse after the run, points to the row through ${row.column} (${row.relationship}): deleting the row ${effect}`;
}

/** Why a row of `table` is kept because a table pointing to it could not be read, for a human. */
export function uncheckedWhy(u: UncheckedTable, table: string): string {
  const through = u.relationships
    .filter((r) => r.referencedEntity === table && SILENT.has(r.cascadeDelete))
    .map((r) => `${r.schemaName}: ${r.cascadeDelete}`)
    .join(', ');
  const cause = u.privilege ? `the application user lacks ${u.privilege}` : 'Dataverse refused the query';
  return `${u.table} could not be read (${cause}), so whether a row of ${u.table} created or changed since the run points to the row (${through}) is unknown`;
}
