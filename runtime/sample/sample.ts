import { Interpreter } from '../../compiler/interpret/interpret.ts';
import type { Ir } from '../../compiler/ir/types.ts';
import { compareRun, isDifference, type Oracle, type RecordComparison, sourceMap } from '../compare/index.ts';
import { idText, type SourceRecord } from '../mapping/index.ts';
import { loadDirectory } from '../run/directory.ts';
import { type RunDeps, type RunResult, runMigration } from '../run/pipeline.ts';
import { criteriaFor } from './criteria.ts';
import { replaying } from './replay.ts';
import { type SelectEvent, type Selection, selectSample } from './select.ts';

/** What a sample needs: a run's dependencies and the IR of the spec the sample checks against. */
export interface SampleDeps extends RunDeps {
  /** The spec's IR: the reference interpreter computes what each record should become from it. */
  readonly ir: Ir;
  readonly onSelect?: (event: SelectEvent) => void;
}

/** Per mapping: records compared and how they came out. */
export interface MappingTally {
  readonly mapping: string;
  readonly records: number;
  readonly rows: number;
  readonly match: number;
  readonly mismatch: number;
  readonly missing: number;
  readonly notLoaded: number;
  readonly unexpected: number;
}

/** A sample: what was picked and why, the run that loaded it, and every record compared. */
export interface SampleResult {
  /** The size asked for: a target the criteria and the records they point to may exceed. */
  readonly size: number;
  readonly selection: Selection;
  readonly run: RunResult;
  readonly comparisons: readonly RecordComparison[];
  readonly tallies: readonly MappingTally[];
  /** Records whose rows differ from what the spec says, or are missing or unexpected. */
  readonly differences: number;
  /** Mappings whose source has records none of which the sample compared: their spec went unchecked. */
  readonly unsampled: readonly Unsampled[];
  readonly requests: {
    /** PracticeHub requests of the load (the files list and downloads; the records come from the selection). */
    readonly practicehubLoad: number;
    /** Dataverse requests that read the rows back. */
    readonly dataverseReadBack: number;
  };
}

/** A mapping the sample did not check, though its source resource has `records`. */
export interface Unsampled {
  readonly mapping: string;
  readonly resource: string;
  readonly records: number;
}

/** The mappings with no compared record whose source resource has records. */
export function unsampledMappings(
  tallies: readonly MappingTally[],
  sourceOf: (mapping: string) => string,
  totals: Readonly<Record<string, number>>,
): Unsampled[] {
  return tallies
    .filter((t) => t.records === 0 && (totals[sourceOf(t.mapping)] ?? 0) > 0)
    .map((t) => ({
      mapping: t.mapping,
      resource: sourceOf(t.mapping),
      records: totals[sourceOf(t.mapping)]!,
    }));
}

/** The reference interpreter of the spec as the oracle: independent of the generated code it checks. */
export function interpreterOracle(ir: Ir): Oracle {
  const interpreter = new Interpreter(ir);
  return (m, record) => interpreter.run(m.name, record);
}

function tally(comparisons: readonly RecordComparison[], mappings: readonly string[]): MappingTally[] {
  return mappings.map((mapping) => {
    const mine = comparisons.filter((c) => c.mapping === mapping);
    const count = (v: RecordComparison['verdict']) => mine.filter((c) => c.verdict === v).length;
    return {
      mapping,
      records: mine.length,
      rows: mine.reduce((n, c) => n + c.rows.length, 0),
      match: count('match'),
      mismatch: count('mismatch'),
      missing: count('missing'),
      notLoaded: count('not-loaded'),
      unexpected: count('unexpected'),
    };
  });
}

/**
 * `flitstack sample`: picks a representative sample of the source (see `selectSample`), loads it as a
 * journaled run of kind `sample` (a later full run finds these rows unchanged), reads every row back
 * and compares it, column by column, with what the spec's reference interpreter makes of the record.
 */
export async function takeSample(deps: SampleDeps, size: number): Promise<SampleResult> {
  const { module, journal, dataverse } = deps;
  // Read once: the selection, the run and the read-back all resolve owners and roles against them.
  const directory = deps.directory ?? (await loadDirectory(dataverse, module));
  const selection = await selectSample(
    {
      module,
      practicehub: deps.practicehub,
      users: directory.users,
      ...(deps.onSelect ? { onEvent: deps.onSelect } : {}),
    },
    size,
    criteriaFor(deps.ir),
  );
  const records = new Map<string, SourceRecord[]>();
  for (const [resource, chosen] of selection.chosen)
    records.set(
      resource,
      [...chosen.values()].sort((a, b) => a.seq - b.seq).map((c) => c.record),
    );
  const ids = new Map([...selection.chosen].map(([r, chosen]) => [r, new Set(chosen.keys())]));
  const loadBefore = deps.practicehub.stats().requests;
  const run = await runMigration(
    { ...deps, practicehub: replaying(deps.practicehub, records), directory },
    {
      kind: 'sample',
      resume: false,
      options: { size },
      select: (resource, record) => ids.get(resource)?.has(idText(record.id) ?? '') === true,
    },
  );
  const practicehubLoad = deps.practicehub.stats().requests - loadBefore;
  const readBefore = dataverse.stats().requests.data;
  const comparisons = await compareRun(
    { module, plan: deps.ir.plan, journal, dataverse, account: deps.account },
    {
      runId: run.run.id,
      records,
      oracle: interpreterOracle(deps.ir),
      claims: 'order',
      staffEmail: (id) => journal.staff.get(id),
      sources: sourceMap(deps.ir),
      directory,
    },
  );
  const tallies = tally(comparisons, module.LOAD_ORDER);
  return {
    size,
    selection,
    run,
    comparisons,
    tallies,
    differences: comparisons.filter((c) => isDifference(c.verdict)).length,
    unsampled: unsampledMappings(tallies, (m) => module.MAPPINGS[m]!.source, selection.totals),
    requests: { practicehubLoad, dataverseReadBack: dataverse.stats().requests.data - readBefore },
  };
}
