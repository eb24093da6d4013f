import type { Ir, IrMapping } from '../../compiler/ir/types.ts';
import type { TargetMetadata } from '../../compiler/model/spec.ts';
import type { JsonValue, PracticeHubRecord } from '../practicehub/index.ts';
import { filledShare } from './estimate.ts';
import { estimateReads, type ReadEstimate } from './reads.ts';
import { meets, valueAt } from './records.ts';

/** Requests of one write pass of a mapping (rows, then state, then deferred lookups). */
export interface PassEstimate {
  readonly mapping: string;
  readonly table: string;
  readonly pass: 'rows' | 'state' | 'deferred';
  readonly rows: number;
  /** UpsertMultiple / UpdateMultiple where the table supports bulk messages, `$batch` elsewhere. */
  readonly method: 'UpsertMultiple' | 'UpdateMultiple' | '$batch';
  readonly requests: number;
}

/** The Dataverse side of a full run. */
export interface LoadEstimate {
  readonly batch_size: number;
  readonly passes: readonly PassEstimate[];
  /** Requests of the write passes. */
  readonly write_requests: number;
  /** What the run reads: the schema check's metadata, users, roles, bulk checks, pre-images. */
  readonly reads: ReadEstimate;
  /** Every request of the run: writes and reads. */
  readonly requests: number;
  /** Record operations: each counts towards the Power Platform request entitlement (reference §3.1, §4.2). */
  readonly operations: number;
  /**
   * The least time the requests need under service protection: 6,000 requests per 300 s per user
   * (reference §4.1, PA`api-limits`); execution-time limits come on top and are not predictable here.
   */
  readonly min_seconds: number;
}

/** `$batch` takes at most 1,000 requests (reference §3.2). */
const BATCH_LIMIT = 1000;
/** Service protection: requests per second sustained over the 300 s window (6,000 / 300). */
const PROTECTION_RATE = 6000 / 300;

function share(records: readonly PracticeHubRecord[], test: (r: PracticeHubRecord) => boolean): number {
  return records.length === 0 ? 1 : records.filter(test).length / records.length;
}

function mean(records: readonly PracticeHubRecord[], of: (r: PracticeHubRecord) => number): number {
  return records.length === 0 ? 1 : records.reduce((n, r) => n + of(r), 0) / records.length;
}

/** Rows a mapping writes: the resource's records that pass `where`, expanded by `each`, grouped, split. */
export function rowsOf(
  m: IrMapping,
  total: number,
  sample: readonly PracticeHubRecord[],
  totals: ReadonlyMap<string, number>,
  references: (path: readonly string[]) => string | undefined,
): number {
  const passing = sample.filter((r) => m.where.every((c) => meets(r, c)));
  let rows = total * share(sample, (r) => m.where.every((c) => meets(r, c)));
  if (m.each) {
    const each = m.each;
    rows *= mean(passing, (r) => {
      const list = valueAt(r, each.path);
      const n = Array.isArray(list) ? list.length : 0;
      return Math.max(0, n - (each.skipMostRecent && n > 0 ? 1 : 0));
    });
  }
  if (m.group) {
    const by = m.group.by;
    const distinct = new Set(passing.map((r) => JSON.stringify(valueAt(r, by) ?? null))).size;
    const scaled = sample.length > 0 ? (distinct * total) / sample.length : rows;
    const referenced = references(by);
    const cap = referenced !== undefined ? (totals.get(referenced) ?? rows) : rows;
    rows = Math.min(rows, scaled, cap);
  }
  const split = m.fields.flatMap((f) => {
    const step = f.steps.find((s) => s.kind === 'split');
    return step?.kind === 'split' && f.source.kind === 'path'
      ? [{ path: f.source.path, length: step.length }]
      : [];
  })[0];
  if (split) {
    rows *= mean(passing, (r) => {
      const v: JsonValue | undefined = valueAt(r, split.path);
      return typeof v === 'string' ? Math.max(1, Math.ceil(v.length / split.length)) : 1;
    });
  }
  return Math.round(rows);
}

/**
 * The write requests of a full run of `ir`: per mapping its rows in batches of `batch_size` (one bulk
 * request per batch where the table supports bulk messages, otherwise one `$batch` of up to
 * min(batch_size, 1,000) requests), then a state pass for mappings with `state:` (statecode is not
 * valid on create) and a pass for lookups bound after every mapping has loaded; and the reads the run
 * makes (estimateReads).
 */
export function estimateLoad(
  ir: Ir,
  totals: ReadonlyMap<string, number>,
  samples: ReadonlyMap<string, readonly PracticeHubRecord[]>,
  references: (resource: string, path: readonly string[]) => string | undefined,
  target?: TargetMetadata,
): LoadEstimate {
  const batchSize = ir.migration.batchSize;
  const passes: PassEstimate[] = [];
  for (const m of ir.mappings) {
    const table = ir.tables.find((t) => t.name === m.target);
    const bulk = table?.bulkMessages ?? false;
    const sample = samples.get(m.source) ?? [];
    const rows = rowsOf(m, totals.get(m.source) ?? 0, sample, totals, (p) => references(m.source, p));
    const perRequest = bulk ? batchSize : Math.min(batchSize, BATCH_LIMIT);
    const pass = (kind: PassEstimate['pass'], n: number, update: boolean): PassEstimate => ({
      mapping: m.name,
      table: m.target,
      pass: kind,
      rows: n,
      method: bulk ? (update ? 'UpdateMultiple' : 'UpsertMultiple') : '$batch',
      requests: n === 0 ? 0 : Math.ceil(n / perRequest),
    });
    passes.push(pass('rows', rows, m.mode === 'update'));
    if (m.state) passes.push(pass('state', rows, true));
    const deferred = m.lookups.filter((l) => l.deferred);
    if (deferred.length > 0) {
      const filled = Math.max(...deferred.map((l) => filledShare(sample, l.candidates[0]?.path ?? [])));
      passes.push(pass('deferred', Math.round(rows * filled), true));
    }
  }
  const writes = passes.reduce((n, p) => n + p.requests, 0);
  const reads = estimateReads(ir, target, passes);
  const requests = writes + reads.requests;
  return {
    batch_size: batchSize,
    passes,
    write_requests: writes,
    reads,
    requests,
    operations: passes.reduce((n, p) => n + p.rows, 0),
    min_seconds: requests / PROTECTION_RATE,
  };
}
