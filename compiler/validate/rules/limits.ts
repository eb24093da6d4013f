import type { PendingDiagnostic } from '../../diagnostics/diagnostic.ts';
import type { Acknowledgement } from '../../model/spec.ts';
import type { SpecContext } from '../context.ts';
import { finding, type Rule } from '../rule.ts';

/** The limit of the seed's "15" rules (custom tables per application; custom columns per table). */
export const PROFESSIONAL_LIMIT = 15;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Custom columns the spec creates, per table (distinct names), in table order. */
export function customColumnCounts(ctx: SpecContext): Map<string, string[]> {
  const counts = new Map<string, string[]>();
  for (const d of ctx.customDeclarations) {
    const names = counts.get(d.table) ?? [];
    if (!names.includes(d.column)) names.push(d.column);
    counts.set(d.table, names);
  }
  for (const t of ctx.customTables.values()) {
    const names = counts.get(t.table) ?? [];
    if (!names.includes(t.spec.primaryName.column)) names.unshift(t.spec.primaryName.column);
    counts.set(t.table, names);
  }
  return counts;
}

/** A table past the custom column limit of Sales Professional: its columns, and its acknowledgement if any. */
export interface OverColumnLimit {
  readonly table: string;
  readonly names: readonly string[];
  readonly acknowledgement: Acknowledgement | undefined;
}

/**
 * The tables with more than 15 custom columns, when the licence is professional (none otherwise), each
 * with the acknowledgement in migration.yaml that accepts it: FS114, the plan's flags and propose's
 * marks all ask this.
 */
export function overColumnLimit(ctx: SpecContext, counts = customColumnCounts(ctx)): OverColumnLimit[] {
  const m = ctx.migration;
  if (m?.license !== 'professional') return [];
  return [...counts].flatMap(([table, names]) =>
    names.length <= PROFESSIONAL_LIMIT
      ? []
      : [
          {
            table,
            names,
            acknowledgement: m.acknowledge.find(
              (a) => a.flag === 'custom-columns-per-table' && a.table === table,
            ),
          },
        ],
  );
}

/**
 * FS114 more than 15 custom columns on a table (the seed's rule; not in the licensing guide), FS115
 * more than 15 custom tables on Sales Professional (licensing guide, Appendix D), FS126 stale acknowledgement.
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
  for (const { table, names, acknowledgement } of overColumnLimit(ctx, counts)) {
    if (acknowledgement) continue;
    const declaration = ctx.customDeclarations.find(
      (d) => d.table === table && d.column === names[PROFESSIONAL_LIMIT],
    );
    out.push(
      finding(
        'FS114',
        'warning',
        declaration?.spec.file ?? m.file,
        declaration?.spec.pointer ?? '/target/license',
        `${table} gets ${names.length}/${PROFESSIONAL_LIMIT} custom columns on Sales Professional (this is the ${PROFESSIONAL_LIMIT + 1}th: ${names[PROFESSIONAL_LIMIT]}); a load will not start until this is resolved or acknowledged`,
        `ways out: license: enterprise; move columns to a custom table; store related values as delimited text in one column; or acknowledge it in migration.yaml (acknowledge: - { flag: custom-columns-per-table, table: ${table}, reason: ... })`,
        'key',
      ),
    );
  }
  for (const a of m.acknowledge) {
    const columns = counts.get(a.table ?? '')?.length ?? 0;
    const stale: [message: string, hint: string] | undefined =
      a.flag === 'custom-tables'
        ? // FS115 is an error: the licence allows no more, so there is nothing to accept.
          [
            `an acknowledgement of 'custom-tables' changes nothing: ${ctx.customTables.size} custom tables, and more than ${PROFESSIONAL_LIMIT} on Sales Professional is refused (FS115), not a flag to accept`,
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
  const tables = [...ctx.customTables.values()];
  if (tables.length > PROFESSIONAL_LIMIT) {
    const extra = tables[PROFESSIONAL_LIMIT]!;
    out.push(
      finding(
        'FS115',
        'error',
        extra.spec.file,
        '/custom_table',
        `${tables.length}/${PROFESSIONAL_LIMIT} custom tables: Sales Professional allows up to ${PROFESSIONAL_LIMIT} custom tables per application (Dynamics 365 Licensing Guide, Appendix D); this is the ${PROFESSIONAL_LIMIT + 1}th (${extra.table})`,
        'set target.license: enterprise (no custom table limit), or fold tables together',
        'key',
      ),
    );
  }
  return out;
};
