import type { IrSchemaPlan } from '../../compiler/ir/types.ts';
import type { DataverseClient } from '../dataverse/index.ts';
import type { Journal } from '../journal/index.ts';
import type { GeneratedModule, SourceRecord } from '../mapping/index.ts';
import { type Directory, loadDirectory } from '../run/directory.ts';
import { type CompareEntry, compareRecords } from './compare.ts';
import { entriesOf, type Oracle, precisionFromPlan } from './entries.ts';
import type { ExpectContext } from './expected.ts';
import { WrittenOwners } from './owners.ts';
import { runReasons } from './reasons.ts';
import type { SourceMap } from './sources.ts';
import type { RecordComparison } from './types.ts';

/** What comparing a run's records reads: the generated module and plan, the journal, Dataverse. */
export interface CompareRunDeps {
  readonly module: GeneratedModule;
  readonly plan: IrSchemaPlan;
  readonly journal: Journal;
  readonly dataverse: DataverseClient;
  /** The account part of derived row ids (`harbourside.eu`). */
  readonly account: string;
}

/** Which records of which run, and what `flitstack sample` and `flitstack reconcile` do differently. */
export interface CompareRunOptions {
  /** The run whose journal explains a missing row. */
  readonly runId: number;
  /** Source records per resource, in source order. */
  readonly records: ReadonlyMap<string, readonly SourceRecord[]>;
  readonly oracle: Oracle;
  /**
   * `order`: the records are all the run read, so a group's pick and the first record of a key write
   * the row, as in the run; `journal`: a slice of the source, which may hold part of a group or miss
   * the first record of a key, so each record is compared by itself and the crosswalk names the writer.
   */
  readonly claims: 'order' | 'journal';
  readonly staffEmail: ExpectContext['staffEmail'];
  readonly sources?: SourceMap;
  /** The users and roles, when already read (a sample reads them before its run); read here otherwise. */
  readonly directory?: Directory;
  /** Tables whose rows have a state, where rows are expected open (see `expectsOpen`). */
  readonly openTables?: ReadonlySet<string>;
}

/**
 * Compares the records of a run, every mapping in load order, with the rows read back from Dataverse:
 * builds the context (users, roles, staff emails), the entries and the options `compareRecords` takes.
 */
export async function compareRun(
  deps: CompareRunDeps,
  options: CompareRunOptions,
): Promise<RecordComparison[]> {
  const { module, journal, dataverse } = deps;
  const { users, roles } = options.directory ?? (await loadDirectory(dataverse, module, false));
  const { oracle } = options;
  const entries = module.LOAD_ORDER.flatMap((name): CompareEntry[] => {
    const m = module.MAPPINGS[name]!;
    const records = options.records.get(m.source) ?? [];
    return options.claims === 'order'
      ? entriesOf(m, records, oracle)
      : records.map((record) => ({ mapping: m, record, outcome: oracle(m, record) }));
  });
  return compareRecords(
    {
      module,
      account: deps.account,
      journal,
      users,
      roles,
      staffEmail: options.staffEmail,
      writtenOwners: new WrittenOwners(journal),
      ...(options.sources ? { sources: options.sources } : {}),
      ...(options.openTables ? { openTables: options.openTables } : {}),
    },
    dataverse,
    entries,
    {
      precision: precisionFromPlan(deps.plan),
      reason: runReasons(journal, options.runId),
      claims: options.claims,
    },
  );
}
