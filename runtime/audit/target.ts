import type { SpecContext } from '../../compiler/validate/context.ts';
import type { AttributeDefinition, DataverseClient, KeyDefinition } from '../dataverse/index.ts';
import { type ColumnFacts, columnFacts, type FactChange, factChanges } from './target-facts.ts';

/** One table of the snapshot as the organisation has it. */
export interface TableCheck {
  readonly table: string;
  readonly found: boolean;
  readonly entity_set?: string;
  readonly primary_id?: string;
  readonly primary_name?: string | null;
  readonly ownership?: 'user' | 'organization' | 'none';
  readonly activity?: boolean;
  readonly bulk_messages?: boolean;
  /** Snapshot columns whose facts differ in the organisation. */
  readonly changed: readonly { readonly column: string; readonly changes: readonly FactChange[] }[];
  /** Snapshot columns the organisation does not have. */
  readonly missing: readonly string[];
  /** Organisation columns worth adding to the snapshot (see `addable`), with their facts. */
  readonly added: readonly { readonly column: string; readonly facts: ColumnFacts }[];
  /** The table's custom columns (see `customColumns`), sorted: the limit of custom columns per table counts them. */
  readonly custom_columns?: readonly string[];
}

/** The custom tables, columns and alternate keys of the schema plan, as the organisation has them. */
export interface PlanCheck {
  readonly tables: readonly { readonly table: string; readonly exists: boolean }[];
  readonly columns: readonly {
    readonly table: string;
    readonly column: string;
    readonly exists: boolean;
    readonly declared: string;
    readonly org?: string;
  }[];
  readonly keys: readonly {
    readonly table: string;
    readonly column: string;
    readonly status: string | null;
  }[];
}

/** What `audit --target` read. */
export interface TargetAudit {
  /** The organisation's id (WhoAmI's OrganizationId): its URL is a setting, kept out of reports. */
  readonly organization_id: string;
  readonly read_at: string;
  /** The organisation's custom tables (IsCustomEntity), sorted: the limit of custom tables counts them. */
  readonly custom_tables: readonly string[];
  readonly tables: readonly TableCheck[];
  readonly plan: PlanCheck;
}

const OWNERSHIP: Readonly<Record<string, 'user' | 'organization' | 'none'>> = {
  UserOwned: 'user',
  OrganizationOwned: 'organization',
  TeamOwned: 'user',
  None: 'none',
};

/**
 * Organisation columns the snapshot should gain: custom columns no mapping declares (declared ones
 * belong to the schema plan, and the snapshot must not list them: FS137), and writable standard
 * columns named in `wanted` (the columns `propose` knows how to fill). Lookups are left out: the
 * navigation property a bind needs is not part of the attribute metadata read here.
 */
function addable(
  table: string,
  attributes: readonly AttributeDefinition[],
  snapshot: ReadonlySet<string>,
  declared: ReadonlySet<string>,
  wanted: ReadonlySet<string>,
): { column: string; facts: ColumnFacts }[] {
  return attributes.flatMap((a) => {
    if (snapshot.has(a.logicalName) || declared.has(`${table}.${a.logicalName}`)) return [];
    if (!a.validForCreate && !a.validForUpdate) return [];
    const facts = columnFacts(a);
    if (!facts || ['lookup', 'customer', 'owner', 'uniqueidentifier', 'state', 'status'].includes(facts.type))
      return [];
    return a.isCustom || wanted.has(`${table}.${a.logicalName}`) ? [{ column: a.logicalName, facts }] : [];
  });
}

/**
 * The custom columns of a table as the licence limit counts them: IsCustomAttribute, except the primary
 * key, which comes with a custom table, and the columns Dataverse derives from another (AttributeOf: a
 * lookup's name, a currency column's base), which come with the column they belong to.
 */
function customColumns(attributes: readonly AttributeDefinition[]): string[] {
  return attributes
    .filter((a) => a.isCustom && !a.isPrimaryId && a.attributeOf === undefined)
    .map((a) => a.logicalName)
    .sort();
}

/**
 * Reads the definition of every table of the snapshot and of the plan's custom tables, compares it
 * with the snapshot and the plan, and lists the organisation's custom tables and each snapshot table's
 * custom columns, which the licence limits count. `wanted` names standard columns (`table.column`) worth adding.
 */
export async function readTarget(
  client: DataverseClient,
  ctx: SpecContext,
  organizationId: string,
  readAt: Date,
  wanted: ReadonlySet<string>,
): Promise<TargetAudit> {
  const declared = new Set(ctx.customDeclarations.map((d) => `${d.table}.${d.column}`));
  const tables: TableCheck[] = [];
  const orgColumns = new Map<string, Map<string, AttributeDefinition>>();
  const orgKeys = new Map<string, readonly KeyDefinition[]>();
  for (const [name, snap] of ctx.target?.tables ?? []) {
    const def = await client.entityDefinition(name, { keys: true });
    if (!def) {
      tables.push({ table: name, found: false, changed: [], missing: [], added: [] });
      continue;
    }
    const attributes = await client.attributes(name);
    orgColumns.set(name, new Map(attributes.map((a) => [a.logicalName, a])));
    orgKeys.set(name, def.keys ?? []);
    const byName = orgColumns.get(name)!;
    const changed = [...snap.columns.values()].flatMap((c) => {
      const a = byName.get(c.name);
      const facts = a ? columnFacts(a) : undefined;
      const changes = facts ? factChanges(c, facts) : [];
      return changes.length > 0 ? [{ column: c.name, changes }] : [];
    });
    tables.push({
      table: name,
      found: true,
      entity_set: def.entitySetName,
      primary_id: def.primaryIdAttribute,
      primary_name: def.primaryNameAttribute,
      ownership: OWNERSHIP[def.ownershipType] ?? 'none',
      activity: def.isActivity,
      bulk_messages: await client.supportsBulk(name, 'UpsertMultiple'),
      changed,
      missing: [...snap.columns.keys()].filter((c) => !byName.has(c)),
      added: addable(name, attributes, new Set(snap.columns.keys()), declared, wanted),
      custom_columns: customColumns(attributes),
    });
  }
  const planTables = [...ctx.customTables.keys()].sort();
  for (const name of planTables) {
    if (orgColumns.has(name)) continue;
    const def = await client.entityDefinition(name, { keys: true });
    if (!def) continue;
    const attributes = await client.attributes(name, false);
    orgColumns.set(name, new Map(attributes.map((a) => [a.logicalName, a])));
    orgKeys.set(name, def.keys ?? []);
  }
  const seen = new Set<string>();
  const columns: PlanCheck['columns'][number][] = [];
  for (const d of ctx.customDeclarations) {
    const id = `${d.table}.${d.column}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const a = orgColumns.get(d.table)?.get(d.column);
    const facts = a ? columnFacts(a) : undefined;
    columns.push({
      table: d.table,
      column: d.column,
      exists: a !== undefined,
      declared: d.spec.type,
      ...(facts ? { org: facts.type } : {}),
    });
  }
  const keyColumns = new Set(
    ctx.objects.flatMap((o) =>
      o.target && o.key?.column && o.key.custom ? [`${o.target}.${o.key.column}`] : [],
    ),
  );
  const keys = [...keyColumns].sort().map((id) => {
    const [table, column] = id.split('.') as [string, string];
    const key = orgKeys
      .get(table)
      ?.find((k) => k.keyAttributes.length === 1 && k.keyAttributes[0] === column);
    return { table, column, status: key ? key.status : null };
  });
  return {
    organization_id: organizationId,
    read_at: readAt.toISOString(),
    custom_tables: await client.customTables(),
    tables,
    plan: {
      tables: planTables.map((t) => ({ table: t, exists: orgColumns.has(t) })),
      columns,
      keys,
    },
  };
}
