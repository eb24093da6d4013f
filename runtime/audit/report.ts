import type { Ir } from '../../compiler/ir/types.ts';
import type { SourceModel, TargetMetadata } from '../../compiler/model/spec.ts';
import { type ModelDiff, modelDiff } from './diff.ts';
import { estimateSource, type SourceEstimate } from './estimate.ts';
import type { Inventory, ResourceAudit } from './inventory.ts';
import { estimateLoad, type LoadEstimate } from './load.ts';
import type { TargetAudit } from './target.ts';

/** The estimate of a full run: source calls, Dataverse requests and wall time. */
export interface RunEstimate {
  readonly source: SourceEstimate;
  readonly load: LoadEstimate;
  /**
   * The run loads while it extracts, so its wall time is the longer of the paced extraction and the
   * least time Dataverse's service protection allows for the writes.
   */
  readonly wall_seconds: number;
}

/** audit.json: everything the audit found. Holds no secrets and no PHI values. */
export interface AuditReport {
  readonly version: 1;
  readonly audited_at: string;
  readonly source: {
    readonly system: 'practicehub';
    readonly account: string;
    readonly region: string;
    readonly base_url: string;
    readonly requests_per_second: number;
    readonly page_size: number;
    readonly sample_pages: number;
    /** Whether the `fields=` projection extension works (reference practicehub.md: undocumented). */
    readonly projection: Inventory['projection'];
  };
  readonly resources: readonly ResourceAudit[];
  readonly diff: ModelDiff;
  /** The estimate, or why there is none (a spec with errors has no load plan). */
  readonly estimate: RunEstimate | { readonly unavailable: string };
  readonly requests: Inventory['requests'];
  readonly target?: TargetAudit;
}

/** What buildReport needs besides the inventory. */
export interface ReportInput {
  readonly auditedAt: Date;
  readonly account: string;
  readonly region: string;
  readonly baseUrl: string;
  readonly requestsPerSecond: number;
  readonly pageSize: number;
  readonly samplePages: number;
  readonly model: SourceModel | undefined;
  /** The spec's IR; undefined when the spec has errors (then `unavailable` says so). */
  readonly ir: Ir | undefined;
  /** The spec's target snapshot: the organisation's columns the run's schema check reads. */
  readonly target?: TargetMetadata;
  readonly unavailable?: string;
}

/** Puts the inventory, the model diff and the estimate together. Pure. */
export function buildReport(inventory: Inventory, input: ReportInput): AuditReport {
  const totals = new Map(inventory.resources.map((r) => [r.resource, r.total]));
  const diff = modelDiff(
    inventory.resources.map((r) => ({
      resource: r.resource,
      inModel: r.in_model,
      served: r.served,
      total: r.total,
      sampled: r.sampled,
      fields: r.fields,
    })),
  );
  let estimate: AuditReport['estimate'];
  if (input.ir) {
    const source = estimateSource(input.ir, input.model, {
      totals,
      latencySeconds: inventory.latency_seconds,
      attachedSizes: inventory.attached_sizes,
      samples: inventory.samples,
      ...(inventory.download ? { download: inventory.download } : {}),
    });
    const references = (resource: string, path: readonly string[]) =>
      path.length === 1 ? input.model?.resources.get(resource)?.fields.get(path[0]!)?.references : undefined;
    const load = estimateLoad(input.ir, totals, inventory.samples, references, input.target);
    estimate = { source, load, wall_seconds: Math.max(source.seconds, load.min_seconds) };
  } else {
    estimate = { unavailable: input.unavailable ?? 'the spec has errors: run flitstack validate' };
  }
  return {
    version: 1,
    audited_at: input.auditedAt.toISOString(),
    source: {
      system: 'practicehub',
      account: input.account,
      region: input.region,
      base_url: input.baseUrl,
      requests_per_second: input.requestsPerSecond,
      page_size: input.pageSize,
      sample_pages: input.samplePages,
      projection: inventory.projection,
    },
    resources: inventory.resources,
    diff,
    estimate,
    requests: inventory.requests,
  };
}
