import type { Ir } from '../../compiler/ir/types.ts';
import { type FieldComparison, isDifference, type RecordComparison } from '../compare/index.ts';
import { groupBy } from '../shared/group.ts';
import type { SampleResult } from './sample.ts';

/** How long a value may be shown before it is cut (notes run to 100,000 characters). */
const SHOWN = 160;

/** Whether the UTF-16 code unit at `i` opens a surrogate pair (the first half of an emoji, say). */
const opensPair = (text: string, i: number) => /[\uD800-\uDBFF]/.test(text[i] ?? '');

/** Characters (code points, as a reader counts them) in `text`. */
const characters = (text: string) =>
  text.length - (text.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0);

/**
 * A value as a reviewer reads it: text in quotes (so spaces show), cut when long, `null`, numbers as
 * they are. The cut never falls inside a surrogate pair, whose half alone would show as �, a character
 * the data does not hold.
 */
export function showValue(value: unknown): string {
  if (value === undefined) return '(absent)';
  if (value === null) return 'null';
  const text = typeof value === 'string' || typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (text.length <= SHOWN) return text;
  const cut = opensPair(text, SHOWN - 1) ? SHOWN - 1 : SHOWN;
  // The length of the text itself, as a column's max_length counts it: not its quotes and escapes.
  const length = characters(typeof value === 'string' ? value : text);
  return `${text.slice(0, cut)}… (${length} characters)`;
}

/** Where two texts first differ (1-based, in characters), for long values whose difference is cut off. */
function firstDifference(a: unknown, b: unknown): number | undefined {
  if (typeof a !== 'string' || typeof b !== 'string') return undefined;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  // Two characters that share their first half differ where that half is.
  if (i > 0 && opensPair(a, i - 1)) i--;
  return characters(a.slice(0, i)) + 1;
}

/** One compared field as the reports show it. */
export interface FieldView {
  readonly column: string;
  readonly label: string;
  readonly source: string;
  readonly expected: string;
  readonly actual: string;
  readonly verdict: 'match' | 'mismatch';
  readonly how: string;
}

/** One record as the reports show it. */
export interface RecordView {
  readonly anchor: string;
  readonly sourceId: string;
  readonly verdict: RecordComparison['verdict'];
  readonly difference: boolean;
  readonly picked: string;
  readonly reason: string;
  readonly flags: string;
  readonly rows: readonly {
    readonly key: string;
    readonly targetId: string;
    readonly table: string;
    readonly verdict: string;
    readonly difference: boolean;
    readonly fields: readonly FieldView[];
  }[];
}

/** What both sample reports render. */
export interface SampleView {
  readonly name: string;
  readonly runId: number;
  readonly startedAt: string;
  /** Source records sampled, and records compared (a record read by two mappings counts twice). */
  readonly records: number;
  readonly asked: number;
  readonly compared: number;
  readonly differences: number;
  readonly requests: SampleResult['requests'] & SampleResult['selection']['requests'];
  readonly criteria: readonly { readonly label: string; readonly records: number }[];
  /** Mappings the sample did not check though their source has records, as sentences. */
  readonly unsampled: readonly string[];
  readonly mappings: readonly {
    readonly name: string;
    readonly description: string;
    readonly route: string;
    readonly tally: SampleResult['tallies'][number];
    readonly difference: boolean;
    /** No record of it was sampled though its source has records. */
    readonly unsampled: boolean;
    readonly records: readonly RecordView[];
  }[];
}

function reasonsText(reasons: readonly string[]): string {
  const needed = reasons.filter((r) => r.startsWith('needed by '));
  const own = reasons.filter((r) => !r.startsWith('needed by '));
  const parents =
    needed.length === 0
      ? []
      : [`${needed.slice(0, 2).join(', ')}${needed.length > 2 ? ` and ${needed.length - 2} more` : ''}`];
  return [...own, ...parents].join('; ');
}

function fieldView(f: FieldComparison, labels: ReadonlyMap<string, string>, table: string): FieldView {
  const at = f.verdict === 'mismatch' ? firstDifference(f.expected, f.actual) : undefined;
  const long = typeof f.expected === 'string' && f.expected.length > SHOWN;
  return {
    column: f.read === f.column ? f.column : `${f.column} (read as ${f.read})`,
    label: labels.get(`${table}.${f.column}`) ?? '',
    source: f.sources.map((s) => `${s.path} = ${showValue(s.value)}`).join('\n'),
    expected: showValue(f.expected),
    actual: showValue(f.actual),
    verdict: f.verdict,
    how: [
      f.note,
      f.normalisation,
      at !== undefined && long ? `first difference at character ${at}` : undefined,
    ]
      .filter(Boolean)
      .join('; '),
  };
}

/** What an unchecked mapping means and what to do, for the reports and the console. */
export function unsampledText(u: SampleResult['unsampled'][number], runId: number): string {
  return `no record of mapping ${u.mapping} was compared, though ${u.resource} has ${u.records} records, so its spec went unchecked; \`flitstack log --run ${runId}\` shows what the sample run did with ${u.resource}`;
}

/** The sample's result as the reports show it: values shown as text, records grouped by mapping. */
export function sampleView(result: SampleResult, ir: Ir): SampleView {
  const labels = new Map<string, string>();
  for (const t of ir.plan.tables) for (const c of t.columns) labels.set(`${t.name}.${c.name}`, c.label);
  const byMapping = groupBy(result.comparisons, (c) => c.mapping);
  const reasons = (resource: string, id: string) =>
    result.selection.chosen.get(resource)?.get(id)?.reasons ?? [];
  const mappings = result.tallies.map((tally) => {
    const m = ir.mappings.find((x) => x.name === tally.mapping);
    const records = (byMapping.get(tally.mapping) ?? []).map(
      (c): RecordView => ({
        anchor: `${c.mapping}-${c.sourceId}`.replace(/[^A-Za-z0-9_-]/g, '_'),
        sourceId: c.sourceId,
        verdict: c.verdict,
        difference: isDifference(c.verdict),
        picked: reasonsText(reasons(c.resource, c.sourceId)),
        reason: c.reason ?? '',
        flags: c.flags.map((f) => `${f.column}: ${f.detail}`).join('; '),
        rows: [
          ...c.rows.map((row) => ({
            key: row.key,
            targetId: row.targetId,
            table: row.table,
            verdict: row.verdict,
            difference: row.verdict !== 'match',
            fields: row.fields.map((f) => fieldView(f, labels, row.table)),
          })),
          // Rows the record no longer produces, listed with those it does so that a reviewer finds them.
          ...(c.strayRows ?? []).map((s) => ({
            key: s.key,
            targetId: s.targetId,
            table: s.table,
            verdict: 'unexpected',
            difference: true,
            fields: [],
          })),
        ],
      }),
    );
    return {
      name: tally.mapping,
      description: m?.description ?? '',
      route: m ? `${m.source} → ${m.target}` : '',
      tally,
      difference: records.some((r) => r.difference),
      unsampled: result.unsampled.some((u) => u.mapping === tally.mapping),
      records,
    };
  });
  return {
    name: ir.migration.name,
    runId: result.run.run.id,
    startedAt: result.run.run.startedAt,
    records: [...result.selection.chosen.values()].reduce((n, c) => n + c.size, 0),
    asked: result.size,
    compared: result.comparisons.length,
    differences: result.differences,
    requests: { ...result.requests, ...result.selection.requests },
    criteria: result.selection.criteria.map((c) => ({ label: c.label, records: c.records })),
    unsampled: result.unsampled.map((u) => unsampledText(u, result.run.run.id)),
    mappings,
  };
}
