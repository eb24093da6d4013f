import type { ObjectSpec, SourceField } from '../../compiler/model/spec.ts';
import { tableOf } from '../../compiler/validate/context.ts';
import { leftOutOf, usedPaths } from '../../compiler/validate/paths.ts';
import { NEVER_MAPPED, RECORD_TIMESTAMPS } from './correspondences.ts';
import { type DraftLine, type MatchTarget, matchField } from './match.ts';
import {
  type DraftContext,
  declaredOn,
  familyOf,
  loaderOf,
  mapWriting,
  primaryOf,
  seenField,
  unmappedFields,
  writtenBy,
} from './targets.ts';

/** Something propose left alone, and why. */
export interface Skipped {
  readonly resource: string;
  readonly path?: string;
  readonly reason: string;
}

/** Lines drafted for an existing mapping file. */
export interface FieldDrafts {
  readonly mapping: string;
  /** Spec-relative path of the mapping's file. */
  readonly file: string;
  readonly lines: DraftLine[];
}

/** The matching context of one mapping's table. */
export function matchTarget(
  d: DraftContext,
  resource: string,
  tableName: string,
  table: NonNullable<ReturnType<typeof tableOf>>,
  mode: 'upsert' | 'update',
  written: Set<string>,
): MatchTarget {
  return {
    resource,
    tableName,
    table,
    mode,
    prefix: d.prefix,
    country: d.country,
    written,
    declared: declaredOn(d, tableName),
    maps: d.maps,
    mapFor: (column) => mapWriting(d.ctx, tableName, column),
    loader: (r) => {
      const o = loaderOf(d.ctx, r);
      return o?.target ? { name: o.name, table: o.target } : d.planned?.get(r);
    },
    seen: (path) => seenField(d.audit, resource, path),
  };
}

/** Records a drafted line: its column is now written, its custom declaration and value map taken. */
function take(t: MatchTarget, d: DraftContext, l: DraftLine): void {
  t.written.add(l.column);
  const custom = l.line.custom as Record<string, unknown> | undefined;
  if (custom && !t.declared.has(l.column)) t.declared.set(l.column, custom);
  if (l.map) d.maps.add(l.map.name);
}

/** Matches each field; unmatched ones go to `skipped`. */
export function draftInto(
  t: MatchTarget,
  d: DraftContext,
  fields: { path: string; field: SourceField }[],
  skipped: Skipped[],
): DraftLine[] {
  const lines: DraftLine[] = [];
  for (const { path, field } of fields) {
    const result = matchField(t, path, field);
    if ('skip' in result) {
      skipped.push({ resource: t.resource, path, reason: result.skip });
      continue;
    }
    const seen = t.seen(path);
    const never = seen !== undefined && seen.fill_rate === 0;
    const drafted = never
      ? {
          ...result,
          reason: `${result.reason}; never filled in the audited sample`,
          confidence: Math.round(result.confidence * 50) / 100,
        }
      : result;
    take(t, d, drafted);
    lines.push(drafted);
  }
  return lines;
}

/** Lines for the fields of mapped resources that no mapping reads yet, added to each resource's primary mapping. */
export function draftFields(
  d: DraftContext,
  only: ReadonlySet<string> | undefined,
  skipped: Skipped[],
): FieldDrafts[] {
  const out: FieldDrafts[] = [];
  for (const [name, resource] of d.ctx.source?.resources ?? []) {
    if (only && !only.has(name)) continue;
    const base = primaryOf(d.ctx, name);
    const table = base?.target ? tableOf(d.ctx, base.target) : undefined;
    if (!base?.target || !table) continue;
    const family = familyOf(d.ctx, base);
    const skip = base.mode === 'update' ? new Set([...NEVER_MAPPED, ...RECORD_TIMESTAMPS]) : NEVER_MAPPED;
    // Fields left out on purpose (left_out) count as read: nothing is drafted for them.
    const fields = unmappedFields(
      resource.fields,
      [...usedPaths(d.ctx, name), ...leftOutOf(d.ctx, name).fields],
      skip,
    );
    const t = matchTarget(d, name, base.target, table, base.mode, writtenBy(family));
    const lines = draftInto(t, d, fields, skipped);
    if (lines.length > 0) out.push({ mapping: base.name, file: relativeFile(d, base), lines });
  }
  return out;
}

function relativeFile(d: DraftContext, o: ObjectSpec): string {
  return o.file.slice(d.ctx.root.length + 1);
}
