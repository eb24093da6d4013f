import type { SpecContext } from '../../compiler/validate/context.ts';
import {
  countedNames,
  customColumnCounts,
  overColumnLimit,
  PROFESSIONAL_LIMIT,
} from '../../compiler/validate/rules/limits.ts';
import type { DraftLine } from './match.ts';

/** A table the drafts take past the custom column limit of Sales Professional, and the drafts doing it. */
export interface ColumnLimit {
  readonly table: string;
  /** Custom columns on the table with the drafts, and without them. */
  readonly count: number;
  readonly before: number;
  readonly limit: number;
  /** The drafted lines that add custom columns to it: `file: column ← path`. */
  readonly drafts: readonly string[];
}

/** Drafted lines with the mapping and file they were drafted into. */
export interface PlacedLines {
  readonly mapping: string;
  readonly file: string;
  readonly lines: readonly DraftLine[];
}

/**
 * The tables on which the drafts add custom columns past the limit of the professional licence, when
 * the licence is professional and the table's limit is not acknowledged in migration.yaml (then the
 * analyst has decided already). Counted as the compiler counts them (FS114): the organisation's own
 * custom columns, the existing spec and the drafts.
 * Also returns, per drafted line that adds such a column, the comment that marks it in its file.
 */
export function columnLimits(
  before: SpecContext,
  after: SpecContext,
  placed: readonly PlacedLines[],
): { limits: ColumnLimit[]; marks: Map<DraftLine, string> } {
  const limits: ColumnLimit[] = [];
  const marks = new Map<DraftLine, string>();
  const had = customColumnCounts(before);
  const tableOf = (mapping: string, column: string) =>
    after.customDeclarations.find((d) => d.mapping === mapping && d.column === column)?.table;
  for (const { table, names, org, acknowledgement } of overColumnLimit(after)) {
    if (acknowledgement) continue;
    // The organisation's own columns were there before the drafts, on a table the spec had no column on too.
    const old = new Set([...countedNames(had.get(table)), ...org]);
    const added = new Set(names.filter((n) => !old.has(n)));
    const causing = placed.flatMap((p) =>
      p.lines
        .filter((l) => added.has(l.column) && tableOf(p.mapping, l.column) === table)
        .map((l) => ({ line: l, text: `${p.file}: ${l.column} ← ${l.path}` })),
    );
    if (causing.length === 0) continue;
    const note = `over the limit: ${table} gets ${names.length}/${PROFESSIONAL_LIMIT} custom columns on Sales Professional`;
    for (const c of causing) marks.set(c.line, note);
    limits.push({
      table,
      count: names.length,
      before: old.size,
      limit: PROFESSIONAL_LIMIT,
      drafts: causing.map((c) => c.text),
    });
  }
  return { limits, marks };
}
