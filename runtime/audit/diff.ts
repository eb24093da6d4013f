import { compatible, type FieldSummary, type InferredType } from './infer.ts';

/** How the live source differs from the source model. Values of PHI fields are never listed. */
export interface ModelDiff {
  /** Resources the API serves that the model lacks. */
  readonly new_resources: readonly { readonly resource: string; readonly total: number }[];
  /** Resources of the model the API does not serve (it answered 404). */
  readonly missing_resources: readonly { readonly resource: string }[];
  readonly new_fields: readonly {
    readonly resource: string;
    readonly path: string;
    readonly type: InferredType;
    readonly fill_rate: number;
    readonly phi: boolean;
  }[];
  /** Model fields absent from every sampled record (the key itself, not only its value). */
  readonly unseen_fields: readonly { readonly resource: string; readonly path: string }[];
  readonly type_changes: readonly {
    readonly resource: string;
    readonly path: string;
    readonly model: string;
    readonly seen: InferredType;
    readonly kinds: Readonly<Record<string, number>>;
  }[];
  /** Values of closed enumerations the model does not list (`values` null for PHI fields). */
  readonly new_values: readonly {
    readonly resource: string;
    readonly path: string;
    readonly values: readonly string[] | null;
    readonly count: number;
  }[];
}

/** A resource as the diff needs it: its name, whether the model has it, and its field summaries. */
export interface DiffInput {
  readonly resource: string;
  readonly inModel: boolean;
  readonly served: boolean;
  readonly total: number;
  /** Records sampled: fields cannot be judged unseen without any. */
  readonly sampled: number;
  readonly fields: readonly FieldSummary[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] };

function walk(resource: string, f: FieldSummary, out: Mutable<ModelDiff>, parentSeen: boolean): void {
  if (!f.in_model) {
    if (f.present > 0)
      out.new_fields.push({ resource, path: f.path, type: f.type, fill_rate: f.fill_rate, phi: f.phi });
    return;
  }
  if (f.present === 0) {
    if (parentSeen) out.unseen_fields.push({ resource, path: f.path });
    return;
  }
  if (f.model_type && !compatible(f.model_type, f.type)) {
    out.type_changes.push({ resource, path: f.path, model: f.model_type, seen: f.type, kinds: f.kinds });
  } else if (f.model_type === 'enum' && !f.model_open && f.unlisted) {
    out.new_values.push({ resource, path: f.path, values: f.unlisted_values ?? null, count: f.unlisted });
  }
  const objects = (f.kinds.object ?? 0) > 0;
  for (const child of f.fields ?? []) walk(resource, child, out, objects);
  if (f.items) walk(resource, f.items, out, (f.kinds.array ?? 0) > 0 && f.items.present > 0);
}

/** Compares what the audit saw with the source model. */
export function modelDiff(resources: readonly DiffInput[]): ModelDiff {
  const out: Mutable<ModelDiff> = {
    new_resources: [],
    missing_resources: [],
    new_fields: [],
    unseen_fields: [],
    type_changes: [],
    new_values: [],
  };
  for (const r of resources) {
    if (!r.served) {
      if (r.inModel) out.missing_resources.push({ resource: r.resource });
      continue;
    }
    if (!r.inModel) {
      out.new_resources.push({ resource: r.resource, total: r.total });
      continue;
    }
    for (const f of r.fields) walk(r.resource, f, out, r.sampled > 0);
  }
  return out;
}

/** True when the diff finds nothing. */
export function isEmptyDiff(diff: ModelDiff): boolean {
  return (
    diff.new_resources.length +
      diff.missing_resources.length +
      diff.new_fields.length +
      diff.unseen_fields.length +
      diff.type_changes.length +
      diff.new_values.length ===
    0
  );
}
