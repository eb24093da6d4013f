import { type Diagnostic, hasErrors } from '../../compiler/diagnostics/diagnostic.ts';
import { memoizedParser, type SpecInput } from '../../compiler/load/spec-dir.ts';
import { validateSpec } from '../../compiler/validate/index.ts';
import type { SchemaValidators } from '../../compiler/validate/schemas.ts';
import type { AuditReport } from '../audit/index.ts';
import { byText } from '../shared/order.ts';
import { phoneCountry } from './chains.ts';
import { draftFields, type FieldDrafts, type Skipped } from './drafts.ts';
import { type ColumnLimit, columnLimits } from './limits.ts';
import type { DraftLine } from './match.ts';
import { draftObjects, type ObjectDraft, planObjects } from './objects.ts';
import { type Marks, objectFileText, valueMapText, withDraftedLines } from './render.ts';

export type { Skipped } from './drafts.ts';
export type { ColumnLimit } from './limits.ts';

/** One drafted line or file, for the report. */
export interface Drafted {
  readonly file: string;
  readonly kind: 'line' | 'mapping' | 'value map';
  readonly what: string;
  readonly reason: string;
  readonly confidence: number;
}

/** What propose drafted: the files to write (spec-relative), and what it drafted, left out and dropped. */
export interface ProposeResult {
  readonly files: readonly { readonly path: string; readonly contents: string; readonly created: boolean }[];
  readonly drafted: readonly Drafted[];
  readonly skipped: readonly Skipped[];
  /** Drafts taken back because the spec did not validate with them. */
  readonly dropped: readonly { readonly what: string; readonly because: string }[];
  /** Diagnostics of the spec as written (warnings only: FS140 for every drafted line, and others). */
  readonly diagnostics: readonly Diagnostic[];
  /** Tables the drafts take past the custom column limit of the licence (their lines are marked). */
  readonly limits: readonly ColumnLimit[];
}

/** Options of propose. */
export interface ProposeOptions {
  /** The audit report (audit.json): lengths, fill rates and values; without it, the model alone. */
  readonly audit?: AuditReport;
  /** Only draft for these resources. */
  readonly only?: readonly string[];
}

/** The spec refused: it has errors, so nothing it would draft could be checked. */
export interface ProposeRefusal {
  readonly refused: readonly Diagnostic[];
}

interface Drafts {
  fields: FieldDrafts[];
  objects: ObjectDraft[];
}

function render(
  input: SpecInput,
  drafts: Drafts,
  marks: Marks = new Map(),
): Map<string, { contents: string; created: boolean }> {
  const out = new Map<string, { contents: string; created: boolean }>();
  for (const f of drafts.fields) {
    if (f.lines.length === 0) continue;
    out.set(f.file, { contents: withDraftedLines(input.files.get(f.file)!, f, marks), created: false });
  }
  for (const o of drafts.objects) out.set(o.file, { contents: objectFileText(o, marks), created: true });
  const lines = [...drafts.fields.flatMap((f) => f.lines), ...drafts.objects.flatMap((o) => o.lines)];
  for (const l of lines)
    if (l.map) out.set(`valuemaps/${l.map.name}.yaml`, { contents: valueMapText(l.map), created: true });
  return out;
}

const FIELD_POINTER = /^\/fields\/(\d+)(?:\/|$)/;

/**
 * Takes back the drafts behind errors: a line whose pointer an error names, a new file with an error
 * outside its lines, the lines using a value map with an error. An error it cannot place costs the
 * last draft, so the loop always ends, with a spec that validates.
 */
function dropFailing(
  root: string,
  originals: ReadonlyMap<string, number>,
  drafts: Drafts,
  errors: readonly Diagnostic[],
  dropped: ProposeResult['dropped'][number][],
): void {
  const relative = (file: string) => file.slice(root.length + 1);
  let placed = false;
  const drop = (lines: DraftLine[], index: number, e: Diagnostic, file: string) => {
    const [l] = lines.splice(index, 1);
    if (l) dropped.push({ what: `${file}: ${l.column} ← ${l.path}`, because: `${e.code} ${e.message}` });
    placed = true;
  };
  for (const e of errors) {
    const file = relative(e.file);
    const m = FIELD_POINTER.exec(e.pointer);
    const fieldDraft = drafts.fields.find((f) => f.file === file);
    const objectDraft = drafts.objects.find((o) => o.file === file);
    if (fieldDraft && m) {
      const original = Number(m[1]) - (originals.get(file) ?? Number.POSITIVE_INFINITY);
      if (original >= 0 && original < fieldDraft.lines.length) drop(fieldDraft.lines, original, e, file);
    } else if (objectDraft) {
      if (m && Number(m[1]) < objectDraft.lines.length) drop(objectDraft.lines, Number(m[1]), e, file);
      else {
        drafts.objects.splice(drafts.objects.indexOf(objectDraft), 1);
        dropped.push({ what: file, because: `${e.code} ${e.message}` });
        placed = true;
      }
    } else if (file.startsWith('valuemaps/')) {
      for (const lines of [...drafts.fields.map((f) => f.lines), ...drafts.objects.map((o) => o.lines)]) {
        const i = lines.findIndex((l) => l.map && `valuemaps/${l.map.name}.yaml` === file);
        if (i >= 0) drop(lines, i, e, file);
      }
    }
    if (placed) return;
  }
  const last = [...drafts.objects].reverse().find((o) => o.lines.length > 0) ?? undefined;
  const withLines = [...drafts.fields].reverse().find((f) => f.lines.length > 0);
  const e = errors[0]!;
  if (withLines) drop(withLines.lines, withLines.lines.length - 1, e, withLines.file);
  else if (last) drop(last.lines, last.lines.length - 1, e, last.file);
  else if (drafts.objects.length > 0) {
    const o = drafts.objects.pop()!;
    dropped.push({ what: o.file, because: `${e.code} ${e.message}` });
  }
}

/**
 * Drafts mappings for what the spec does not map yet: lines for unread fields of mapped resources
 * (appended to the resource's primary mapping) and new mapping files for resources no mapping reads.
 * Deterministic: the same spec and audit give the same drafts. The result validates (FS140 warnings
 * mark every draft); drafts that would not are dropped and listed.
 */
export function propose(
  input: SpecInput,
  validators: SchemaValidators,
  options: ProposeOptions = {},
): ProposeResult | ProposeRefusal {
  const parseFile = memoizedParser();
  const first = validateSpec(input, validators, { parseFile });
  if (hasErrors(first.diagnostics))
    return { refused: first.diagnostics.filter((d) => d.severity === 'error') };
  const ctx = first.context;
  const only = options.only ? new Set(options.only) : undefined;
  const objectSkips: Skipped[] = [];
  const base = {
    ctx,
    prefix: ctx.migration?.prefix ?? 'new',
    country: phoneCountry(ctx.migration?.timeZone ?? ''),
    audit: options.audit,
    maps: new Set(ctx.valueMaps.keys()),
    declared: new Map(),
  };
  // Planned first, so that a lookup to a resource drafted a mapping here is drafted with it.
  const plans = planObjects(base, only, objectSkips, new Set());
  const d = {
    ...base,
    planned: new Map(plans.map((p) => [p.resource, { name: p.mapping, table: p.table }])),
  };
  const skipped: Skipped[] = [];
  const drafts: Drafts = {
    fields: draftFields(d, only, skipped),
    objects: draftObjects(d, plans, objectSkips),
  };
  skipped.push(...objectSkips);
  const originals = new Map(ctx.objects.map((o) => [o.file.slice(ctx.root.length + 1), o.fields.length]));
  const dropped: ProposeResult['dropped'][number][] = [];
  for (let round = 0; round < 200; round += 1) {
    const files = render(input, drafts);
    const next: SpecInput = {
      root: input.root,
      files: new Map([...input.files, ...[...files].map(([p, f]) => [p, f.contents] as const)]),
    };
    const result = validateSpec(next, validators, { parseFile });
    const errors = result.diagnostics.filter((x) => x.severity === 'error');
    if (errors.length === 0) {
      // Marked, not dropped: whether to go past the limit (or change licence, or fold columns) is the
      // analyst's call. The marks are comments, so the marked files validate as these did.
      const { limits, marks } = columnLimits(ctx, result.context, [...drafts.fields, ...drafts.objects]);
      const written = marks.size > 0 ? render(input, drafts, marks) : files;
      return {
        files: [...written].map(([path, f]) => ({ path, ...f })).sort((a, b) => byText(a.path, b.path)),
        drafted: describe(drafts),
        skipped,
        dropped,
        diagnostics: result.diagnostics,
        limits,
      };
    }
    dropFailing(input.root, originals, drafts, errors, dropped);
  }
  throw new Error('propose could not reach a spec that validates');
}

function describe(drafts: Drafts): Drafted[] {
  const line = (file: string, l: DraftLine): Drafted[] => [
    { file, kind: 'line', what: `${l.column} ← ${l.path}`, reason: l.reason, confidence: l.confidence },
    ...(l.map
      ? [
          {
            file: `valuemaps/${l.map.name}.yaml`,
            kind: 'value map' as const,
            what: l.map.name,
            reason: l.map.description,
            confidence: l.confidence,
          },
        ]
      : []),
  ];
  return [
    ...drafts.fields.flatMap((f) => f.lines.flatMap((l) => line(f.file, l))),
    ...drafts.objects.flatMap((o) => [
      {
        file: o.file,
        kind: 'mapping' as const,
        what: `${o.resource} → ${o.table}`,
        reason: o.reason,
        confidence: o.confidence,
      },
      ...o.lines.flatMap((l) => line(o.file, l)),
    ]),
  ];
}
