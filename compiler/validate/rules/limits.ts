import type { PendingDiagnostic } from '../../diagnostics/diagnostic.ts';
import type { Acknowledgement } from '../../model/spec.ts';
import type { SpecContext } from '../context.ts';
import { finding, type Rule } from '../rule.ts';

/** The limit of the seed's "15" rules (custom tables per application; custom columns per table). */
export const PROFESSIONAL_LIMIT = 15;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `names` for a message: the first `max` of them, then how many more. */
export function someNames(names: readonly string[], max = 5): string {
  return names.length <= max
    ? names.join(', ')
    : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/**
 * Custom components a limit counts: the organisation's own, which the target snapshot records
 * (`audit --target`) and the spec does not create, and the spec's. A component of both counts once,
 * as the spec's: it is the one a schema plan applied earlier created.
 */
export interface Counted {
  readonly org: readonly string[];
  readonly spec: readonly string[];
}

/** Every name of `c`, the organisation's first: they exist before the spec's are created. */
export const countedNames = (c: Counted | undefined): string[] => (c ? [...c.org, ...c.spec] : []);

/**
 * Whether a custom component comes with one of Microsoft's own apps (Dynamics 365 Sales, Marketing,
 * Customer Insights, Power Pages, …): Dataverse marks their tables and columns custom too
 * (IsCustomEntity, IsCustomAttribute), but the licence's limits are on what the customer creates, so they
 * are not counted. Told by the publisher prefixes of those apps.
 */
export const MICROSOFT_PREFIX = /^(?:msdyn[a-z]*|msft|mspp|adx|msfp|msevtmgt|mserp|mspcat)_/;

const customersOwn = (names: readonly string[]) => names.filter((n) => !MICROSOFT_PREFIX.test(n));

/**
 * The custom columns of each table the spec creates custom columns on, in table order: the spec's
 * (distinct names) and the organisation's own on that table (`custom_columns` of the snapshot).
 */
export function customColumnCounts(ctx: SpecContext): Map<string, Counted> {
  const declared = new Map<string, string[]>();
  for (const d of ctx.customDeclarations) {
    const names = declared.get(d.table) ?? [];
    if (!names.includes(d.column)) names.push(d.column);
    declared.set(d.table, names);
  }
  for (const t of ctx.customTables.values()) {
    const names = declared.get(t.table) ?? [];
    if (!names.includes(t.spec.primaryName.column)) names.unshift(t.spec.primaryName.column);
    declared.set(t.table, names);
  }
  const counts = new Map<string, Counted>();
  for (const [table, spec] of declared) {
    const own = customersOwn(ctx.target?.tables.get(table)?.customColumns ?? []);
    counts.set(table, { org: own.filter((c) => !spec.includes(c)), spec });
  }
  return counts;
}

/** The custom tables of the organisation once the spec's exist: its own (`custom_tables` of the snapshot) and the spec's. */
export function customTableCounts(ctx: SpecContext): Counted {
  return {
    org: customersOwn(ctx.target?.customTables ?? []).filter((t) => !ctx.customTables.has(t)),
    spec: [...ctx.customTables.keys()],
  };
}

/** A table past the custom column limit of Sales Professional: its columns, and its acknowledgement if any. */
export interface OverColumnLimit extends Counted {
  readonly table: string;
  /** Every custom column of the table, the organisation's first (countedNames). */
  readonly names: readonly string[];
  readonly acknowledgement: Acknowledgement | undefined;
}

/**
 * The tables with more than 15 custom columns, the organisation's own included, when the licence is
 * professional (none otherwise), each with the acknowledgement in migration.yaml that accepts it: FS114,
 * the plan's flags and propose's marks all ask this.
 */
export function overColumnLimit(ctx: SpecContext, counts = customColumnCounts(ctx)): OverColumnLimit[] {
  const m = ctx.migration;
  if (m?.license !== 'professional') return [];
  return [...counts].flatMap(([table, counted]) => {
    const names = countedNames(counted);
    return names.length <= PROFESSIONAL_LIMIT
      ? []
      : [
          {
            table,
            ...counted,
            names,
            acknowledgement: m.acknowledge.find(
              (a) => a.flag === 'custom-columns-per-table' && a.table === table,
            ),
          },
        ];
  });
}

/** The first of the spec's components past the limit: the organisation's own exist already. */
export function firstOver(c: Counted): string | undefined {
  return c.spec[Math.max(PROFESSIONAL_LIMIT - c.org.length, 0)];
}

/** "10 the organisation has already (new_a, new_b, ...) and 6 the spec <verb>", for a count with the organisation's part. */
function origins(c: Counted, verb: string): string {
  return `${c.org.length} the organisation has already (${someNames(c.org)}) and ${c.spec.length} the spec ${verb}`;
}

/**
 * FS114 more than 15 custom columns on a table (the seed's rule; not in the licensing guide), FS115
 * more than 15 custom tables on Sales Professional (licensing guide, Appendix D), FS126 stale acknowledgement.
 * Both limits count the organisation's own custom columns and tables, as the target snapshot records them.
 */
export const licensingLimits: Rule = (ctx) => {
  const m = ctx.migration;
  if (m?.license !== 'professional') {
    return (m?.acknowledge ?? []).map((a) =>
      finding(
        'FS126',
        'warning',
        a.file,
        a.pointer,
        `acknowledgement of '${a.flag}' is not needed: the licence is ${m?.license ?? 'not set'}`,
        'remove it',
      ),
    );
  }
  const out: PendingDiagnostic[] = [];
  const counts = customColumnCounts(ctx);
  for (const over of overColumnLimit(ctx, counts)) {
    if (over.acknowledgement) continue;
    const { table, names, org } = over;
    const extra = firstOver(over);
    const declaration = ctx.customDeclarations.find((d) => d.table === table && d.column === extra);
    const count = `${table} gets ${names.length}/${PROFESSIONAL_LIMIT} custom columns on Sales Professional`;
    out.push(
      finding(
        'FS114',
        'warning',
        declaration?.spec.file ?? m.file,
        declaration?.spec.pointer ?? '/target/license',
        org.length === 0
          ? `${count} (this is the ${PROFESSIONAL_LIMIT + 1}th: ${extra}); a load will not start until this is resolved or acknowledged`
          : `${count}: ${origins(over, 'declares')}, so ${extra} is past the limit; a load will not start until this is resolved or acknowledged`,
        `ways out: license: enterprise; move columns to a custom table; store related values as delimited text in one column; ${org.length > 0 ? `delete the organisation's own columns on ${table} that nothing uses any more; ` : ''}or acknowledge it in migration.yaml (acknowledge: - { flag: custom-columns-per-table, table: ${table}, reason: ... })`,
        'key',
      ),
    );
  }
  const tables = customTableCounts(ctx);
  const tableCount = tables.org.length + tables.spec.length;
  for (const a of m.acknowledge) {
    const columns = countedNames(counts.get(a.table ?? '')).length;
    const stale: [message: string, hint: string] | undefined =
      a.flag === 'custom-tables'
        ? // FS115 is an error: the licence allows no more, so there is nothing to accept.
          [
            `an acknowledgement of 'custom-tables' changes nothing: ${tableCount} custom tables, and more than ${PROFESSIONAL_LIMIT} on Sales Professional is refused (FS115), not a flag to accept`,
            'remove it; past the limit, set target.license: enterprise or fold tables together',
          ]
        : !a.table || columns <= PROFESSIONAL_LIMIT
          ? [
              `acknowledgement for ${a.table ?? '(no table)'} is not needed: it has ${plural(columns, 'custom column')}`,
              'remove it, or name the table the flag is about',
            ]
          : undefined;
    if (stale) out.push(finding('FS126', 'warning', a.file, a.pointer, ...stale));
  }
  const extra = ctx.customTables.get(firstOver(tables) ?? '');
  if (tableCount > PROFESSIONAL_LIMIT && extra) {
    const rule = `Sales Professional allows up to ${PROFESSIONAL_LIMIT} custom tables per application (Dynamics 365 Licensing Guide, Appendix D)`;
    out.push(
      finding(
        'FS115',
        'error',
        extra.spec.file,
        '/custom_table',
        tables.org.length === 0
          ? `${tableCount}/${PROFESSIONAL_LIMIT} custom tables: ${rule}; this is the ${PROFESSIONAL_LIMIT + 1}th (${extra.table})`
          : `${tableCount}/${PROFESSIONAL_LIMIT} custom tables: ${origins(tables, 'creates')}; ${rule}, so ${extra.table} is past the limit`,
        tables.org.length === 0
          ? 'set target.license: enterprise (no custom table limit), or fold tables together'
          : "set target.license: enterprise (no custom table limit), fold tables together, or delete the organisation's own custom tables that nothing uses any more",
        'key',
      ),
    );
  }
  return out;
};
