import { entitySetOf } from '../../runtime/shared/entity-set.ts';
import { byText } from '../../runtime/shared/order.ts';
import { optionValue } from '../model/options.ts';
import type { SpecContext } from '../validate/context.ts';
import { columnOf } from '../validate/context.ts';
import {
  countedNames,
  customColumnCounts,
  customTableCounts,
  overColumnLimit,
  PROFESSIONAL_LIMIT,
} from '../validate/rules/limits.ts';
import { MAX_NAME } from '../validate/rules/naming.ts';
import type { IrLimitFlag, IrMapping, IrPlanColumn, IrPlanTable, IrSchemaPlan } from './types.ts';

const COLUMNS_RULE =
  'the seed document: "This requires Sales Enterprise licensing if more than 15 custom fields are needed on any single entity" (no per-table column limit is in the Dynamics 365 Licensing Guide)';
const TABLES_RULE =
  'Dynamics 365 Licensing Guide, Appendix D: Sales Professional may create up to 15 custom tables per application';

function columnsOf(ctx: SpecContext, table: string): IrPlanColumn[] {
  const prefix = ctx.migration?.optionValuePrefix ?? 10000;
  const seen = new Map<string, IrPlanColumn>();
  for (const d of ctx.customDeclarations) {
    if (d.table !== table) continue;
    const existing = seen.get(d.column);
    if (existing) {
      if (!existing.usedBy.includes(d.mapping))
        seen.set(d.column, { ...existing, usedBy: [...existing.usedBy, d.mapping].sort() });
      continue;
    }
    const s = d.spec;
    seen.set(d.column, {
      name: d.column,
      schemaName: s.schemaName ?? d.column,
      label: s.label,
      description: s.description,
      type: s.type,
      required: s.required,
      maxLength: s.maxLength,
      format: s.format,
      precision: s.precision,
      min: s.min,
      max: s.max,
      behavior:
        s.type === 'date' ? 'date_only' : s.type === 'datetime' ? (s.behavior ?? 'user_local') : undefined,
      trueLabel: s.type === 'boolean' ? (s.trueLabel ?? 'Yes') : undefined,
      falseLabel: s.type === 'boolean' ? (s.falseLabel ?? 'No') : undefined,
      options: s.options.map((o) => ({ key: o.key, label: o.label, value: optionValue(prefix, o) })),
      target: s.target,
      usedBy: [d.mapping],
    });
  }
  return [...seen.values()].sort((a, b) => byText(a.name, b.name));
}

/**
 * The schema name of the alternate key on `column`: `<column>_key`. Dataverse refuses a custom
 * component whose name lacks the publisher's customization prefix, keys included ("Custom attribute,
 * entity, entitykey, option set and relationship names must start with a valid customization prefix",
 * InvalidNamePrefix 0x80044366, PA`reference/web-service-error-codes`; reference §5.4), so a key on a
 * standard column (accountnumber) is named `<prefix>_accountnumber_key`. A name past MAX_NAME characters
 * keeps its first 41 and a hash of the whole (as relationship names do), which keeps it unique.
 */
export function keyName(column: string, prefix: string | undefined): string {
  const full = prefix && !column.startsWith(`${prefix}_`) ? `${prefix}_${column}_key` : `${column}_key`;
  if (full.length <= MAX_NAME) return full;
  let hash = 0x811c9dc5;
  for (const ch of full) {
    hash ^= ch.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `${full.slice(0, 41)}_${hash.toString(16).padStart(8, '0')}`;
}

function flags(ctx: SpecContext): IrLimitFlag[] {
  const m = ctx.migration;
  if (m?.license !== 'professional') return [];
  const out: IrLimitFlag[] = [];
  const over = overColumnLimit(ctx).sort((a, b) => byText(a.table, b.table));
  for (const { table, names, org, spec, acknowledgement: ack } of over) {
    out.push({
      kind: 'custom-columns-per-table',
      table,
      count: names.length,
      limit: PROFESSIONAL_LIMIT,
      fromSpec: spec.length,
      fromOrganisation: org,
      rule: COLUMNS_RULE,
      acknowledged: ack?.reason,
      blocking: ack === undefined,
      resolutions: [
        'license Sales Enterprise (set target.license: enterprise)',
        `move some columns of ${table} to a custom table with a lookup to ${table}`,
        'store related values as delimited text in one column (e.g. multi_map with as: text)',
        ...(org.length > 0
          ? [
              `delete the organisation's own custom columns on ${table} that nothing uses any more (Dataverse deletes their values with them), then refresh the snapshot with flitstack audit --target`,
            ]
          : []),
        `acknowledge it in migration.yaml: acknowledge: [{ flag: custom-columns-per-table, table: ${table}, reason: ... }]`,
      ],
    });
  }
  const tables = customTableCounts(ctx);
  if (tables.spec.length > 0 && tables.org.length + tables.spec.length > PROFESSIONAL_LIMIT) {
    out.push({
      kind: 'custom-tables',
      table: undefined,
      count: tables.org.length + tables.spec.length,
      limit: PROFESSIONAL_LIMIT,
      fromSpec: tables.spec.length,
      fromOrganisation: tables.org,
      rule: TABLES_RULE,
      acknowledged: undefined,
      blocking: true,
      resolutions: [
        'license Sales Enterprise (set target.license: enterprise)',
        'fold custom tables together',
        ...(tables.org.length > 0
          ? [
              "delete the organisation's own custom tables that nothing uses any more (Dataverse deletes their rows with them), then refresh the snapshot with flitstack audit --target",
            ]
          : []),
      ],
    });
  }
  return out;
}

/** The schema plan: what the Dynamics admin creates, the privileges the application user needs, the flags. */
export function buildPlan(ctx: SpecContext, mappings: readonly IrMapping[]): IrSchemaPlan {
  const m = ctx.migration!;
  const counts = customColumnCounts(ctx);
  const tableNames = [
    ...new Set([...ctx.customTables.keys(), ...ctx.customDeclarations.map((d) => d.table)]),
  ];
  const order = (t: string) => {
    const i = mappings.findIndex((x) => x.target === t);
    return i < 0 ? mappings.length : i;
  };
  const tables: IrPlanTable[] = tableNames
    .sort((a, b) => order(a) - order(b) || byText(a, b))
    .map((name) => {
      const custom = ctx.customTables.get(name);
      const keys = [
        ...new Set(
          mappings
            .filter((x) => x.target === name && x.key.kind === 'alternate')
            .map((x) => (x.key.kind === 'alternate' ? x.key.column : '')),
        ),
      ].sort();
      return {
        name,
        label: custom?.spec.label ?? ctx.target?.tables.get(name)?.description ?? name,
        custom: custom
          ? {
              schemaName: name,
              entitySet: entitySetOf(name),
              label: custom.spec.label,
              pluralLabel: custom.spec.pluralLabel,
              description: custom.spec.description,
              ownership: custom.spec.ownership,
              hasNotes: custom.spec.hasNotes,
              primaryName: {
                name: custom.spec.primaryName.column,
                label: custom.spec.primaryName.label,
                maxLength: custom.spec.primaryName.maxLength,
              },
            }
          : undefined,
        columns: columnsOf(ctx, name),
        keys: keys.map((column) => ({
          name: keyName(column, m.prefix),
          label: `${columnOf(ctx, name, column)?.column.label ?? column} key`,
          columns: [column],
        })),
        customColumnCount: countedNames(counts.get(name)).length,
        orgCustomColumns: counts.get(name)?.org ?? [],
      };
    });
  const roles = new Map<string, Set<string>>();
  for (const x of mappings)
    for (const r of x.roles) roles.set(r.role, (roles.get(r.role) ?? new Set()).add(x.name));
  const written = [...new Set(mappings.map((x) => x.target))];
  const createdOn = [
    ...new Set(
      mappings.filter((x) => x.fields.some((f) => f.column === 'overriddencreatedon')).map((x) => x.target),
    ),
  ].sort();
  const owned = [...new Set(mappings.filter((x) => x.owner).map((x) => x.target))].sort();
  const privileges = [
    {
      name: 'Create, Read, Write, Append, Append To',
      why: 'load and update rows',
      tables: written.filter((t) => t !== 'systemuser').sort(),
    },
    {
      name: 'Delete',
      why: 'rollback deletes the rows a run created',
      tables: written.filter((t) => t !== 'systemuser').sort(),
    },
    // Every run, sample and reconcile reads the organisation's users (owners and the fallback owner are
    // matched against them by email), and the connection roles by name when a mapping names one.
    written.includes('systemuser')
      ? {
          name: 'Read, Write',
          why: 'match staff to users by email and write their custom columns',
          tables: ['systemuser'],
        }
      : { name: 'Read', why: 'match owners to users by email', tables: ['systemuser'] },
    ...(roles.size > 0
      ? [
          {
            name: 'Read',
            why: 'find the connection roles the connections name (schema apply also needs Create to create them)',
            tables: ['connectionrole'],
          },
        ]
      : []),
    ...(owned.length
      ? [{ name: 'Assign', why: "set each row's owner to the practitioner's user", tables: owned }]
      : []),
    ...(createdOn.length
      ? [
          {
            name: 'prvOverrideCreatedOnCreatedBy (Override Created on or Created by for Records during Data Import)',
            why: 'keep PracticeHub creation dates in createdon through overriddencreatedon; without it the value is ignored',
            tables: createdOn,
          },
        ]
      : []),
  ];
  return {
    license: m.license ?? 'professional',
    publisher: { prefix: m.prefix ?? '', optionValuePrefix: m.optionValuePrefix, solution: m.solution },
    tables,
    connectionRoles: [...roles]
      .map(([name, users]) => ({ name, usedBy: [...users].sort() }))
      .sort((a, b) => byText(a.name, b.name)),
    privileges,
    fallbackOwner:
      owned.length > 0 && m.fallbackOwner ? { email: m.fallbackOwner, tables: owned } : undefined,
    orgCustomTables: customTableCounts(ctx).org,
    flags: flags(ctx),
    loadOrder: mappings.map((x) => ({
      mapping: x.name,
      table: x.target,
      dependsOn: x.dependsOn,
      deferred: x.lookups.filter((l) => l.deferred).map((l) => l.column),
    })),
  };
}
