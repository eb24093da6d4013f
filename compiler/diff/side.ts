import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { hasErrors } from '../diagnostics/diagnostic.ts';
import { buildIr } from '../ir/build.ts';
import type { Ir } from '../ir/types.ts';
import type { ParseFile, SpecInput } from '../load/spec-dir.ts';
import { columnOf, type SpecContext } from '../validate/context.ts';
import { validateSpec } from '../validate/index.ts';
import type { SchemaValidators } from '../validate/schemas.ts';

/** Option labels per `table.column` (option value → label), for the columns value maps write. */
export type OptionLabels = ReadonlyMap<string, ReadonlyMap<number, string>>;

/** One side of a diff: the IR and the labels of the options its value maps resolve to. */
export interface DiffSide {
  readonly ir: Ir;
  readonly labels: OptionLabels;
}

/** A side built from spec text, or the diagnostics that stopped it. */
export type SideResult =
  | { readonly ok: true; readonly side: DiffSide; readonly diagnostics: readonly Diagnostic[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** The columns a value map id is resolved for: `map@table.column`, or `map@table` for a state rule. */
function columnsOfMap(id: string): [string, string][] {
  const use = id.slice(id.indexOf('@') + 1);
  if (use === 'text') return [];
  const dot = use.indexOf('.');
  return dot < 0
    ? [
        [use, 'statecode'],
        [use, 'statuscode'],
      ]
    : [[use.slice(0, dot), use.slice(dot + 1)]];
}

/**
 * Labels of the options value maps resolve to. Custom options come from the schema plan (which holds
 * their computed values); standard options from the target metadata snapshot.
 */
export function optionLabels(ctx: SpecContext, ir: Ir): OptionLabels {
  const labels = new Map<string, Map<number, string>>();
  for (const map of ir.valueMaps) {
    for (const [table, column] of columnsOfMap(map.name)) {
      const key = `${table}.${column}`;
      if (labels.has(key)) continue;
      const planned = ir.plan.tables.find((t) => t.name === table)?.columns.find((c) => c.name === column);
      const options = planned
        ? planned.options
        : (columnOf(ctx, table, column)?.column.options ?? []).map((o) => ({
            value: o.value,
            label: o.label,
          }));
      labels.set(key, new Map(options.map((o) => [o.value, o.label])));
    }
  }
  return labels;
}

/**
 * Validates a spec and builds its IR and option labels (no code is generated: the diff reads the IR
 * only). A spec with errors gives its diagnostics instead.
 */
export function specSide(
  input: SpecInput,
  validators: SchemaValidators,
  options: { readonly parseFile?: ParseFile } = {},
): SideResult {
  const validation = validateSpec(input, validators, { parseFile: options.parseFile });
  if (hasErrors(validation.diagnostics)) return { ok: false, diagnostics: validation.diagnostics };
  let ir: Ir;
  try {
    ir = buildIr(validation.context);
  } catch (error) {
    // As compileSpec: a spec that validates but cannot be built is a bug, reported like its FS200.
    const message = error instanceof Error ? error.message : String(error);
    const failure: Diagnostic = {
      code: 'FS200',
      severity: 'error',
      file: `${input.root}/migration.yaml`,
      line: 1,
      column: 1,
      pointer: '',
      message: `building the IR failed: ${message}`,
      hint: 'this is a bug in flitstack: report it with the spec',
    };
    return { ok: false, diagnostics: [...validation.diagnostics, failure] };
  }
  return {
    ok: true,
    side: { ir, labels: optionLabels(validation.context, ir) },
    diagnostics: validation.diagnostics,
  };
}
