import { isMap, parseDocument, type YAMLMap } from 'yaml';
import type { FieldSummary } from './infer.ts';
import type { ResourceAudit } from './inventory.ts';
import type { AuditReport } from './report.ts';
import { markEntry } from './write-target.ts';
import {
  appendBlock,
  applySplices,
  flowText,
  keyIndent,
  linesBefore,
  mapAt,
  mapEdits,
  pairOf,
  type Splice,
  scalarText,
} from './yaml-text.ts';

const NOT_SEEN = 'not seen in audit';

/**
 * The names the source model holds (schemas/source-model.schema.json: `resources` and `fields`
 * propertyNames): source paths in mappings are built from them. A field or resource the API shows
 * under another name ("gpSurgery", "GP surgery") cannot be written into the model; the rewrite leaves
 * it out and `unnameable` lists it.
 */
export const RESOURCE_NAME = /^[a-z][a-z0-9_]*$/;
export const FIELD_NAME = /^[a-z_][a-z0-9_]*$/;

/** Whether the model can name a field: an element (`name[]`) carries its array's name. */
const nameFits = (f: FieldSummary): boolean => f.path.endsWith('[]') || FIELD_NAME.test(f.name);

/** A field (or a whole resource, `path` empty) the audit saw that the source model cannot name. */
export interface Unnameable {
  readonly resource: string;
  readonly path: string;
}

/** New fields and resources whose names (or a name inside them) the source model cannot hold. */
export function unnameable(report: AuditReport): Unnameable[] {
  const out: Unnameable[] = [];
  // A field the model has is named already.
  const walk = (resource: string, f: FieldSummary): void => {
    if (f.present === 0) return;
    if (!f.in_model && !nameFits(f)) {
      out.push({ resource, path: f.path });
      return;
    }
    for (const child of f.fields ?? []) walk(resource, child);
    if (f.items) walk(resource, f.items);
  };
  for (const r of report.resources) {
    if (!r.served) continue;
    if (!r.in_model && !RESOURCE_NAME.test(r.resource)) out.push({ resource: r.resource, path: '' });
    else for (const f of r.fields) walk(r.resource, f);
  }
  return out;
}
const AUDIT_NOTE = 'audit ';

/** The model path of the map holding the fields at `path`'s parent (`a.b`, `a[].b`). */
function parentMapPath(resource: string, path: string): string[] {
  const segments = path.split('.');
  const out = ['resources', resource, 'fields'];
  for (const segment of segments.slice(0, -1)) {
    if (segment.endsWith('[]')) out.push(segment.slice(0, -2), 'items', 'fields');
    else out.push(segment, 'fields');
  }
  return out;
}

function leafName(path: string): string {
  return path.split('.').at(-1)!.replace(/\[\]$/, '');
}

function percent(share: number): string {
  return `${Math.round(share * 1000) / 10} %`;
}

/**
 * Whether the model can describe a field the audit saw: its name fits, and when it is an object (or a
 * list of them) with children seen, one of them can be described. An object whose every child has
 * a name the model cannot hold is left out rather than given a field it never had.
 */
function describable(f: FieldSummary): boolean {
  if (!nameFits(f)) return false;
  if (f.items && !describable(f.items)) return false;
  const seen = (f.fields ?? []).filter((c) => c.present > 0);
  return seen.length === 0 || seen.some(describable);
}

/** A source model field definition for a field the model lacks, from what the audit saw. */
export function fieldDefinition(f: FieldSummary, day: string, top = true): Record<string, unknown> {
  const enumerable = f.type === 'enum' && f.values !== undefined && f.values.length > 0;
  const type =
    f.type === 'null' || f.type === 'mixed' || (f.type === 'enum' && !enumerable) ? 'string' : f.type;
  const def: Record<string, unknown> = { type };
  if (enumerable) def.values = f.values;
  if (f.fill_rate < 1) def.nullable = true;
  if (f.phi) def.phi = true;
  if (type === 'array') def.items = f.items ? fieldDefinition(f.items, day, false) : { type: 'string' };
  if (type === 'object') {
    const children = (f.fields ?? []).filter((c) => c.present > 0 && describable(c));
    def.fields =
      children.length > 0
        ? Object.fromEntries(children.map((c) => [c.name, fieldDefinition(c, day, false)]))
        : { id: { type: 'id' } };
  }
  if (top) {
    const seen = f.type === 'mixed' ? `, values of several kinds (${Object.keys(f.kinds).join(', ')})` : '';
    def.description = `Found by flitstack audit on ${day}: filled in ${percent(f.fill_rate)} of sampled records${seen}.`;
  }
  return def;
}

function indentBlock(lines: readonly string[], indent: string): string {
  return lines.map((l) => `${indent}${l}`).join('\n');
}

function newResourceBlock(r: ResourceAudit, day: string, indent: string): string {
  const fields = r.fields.filter((f) => f.present > 0 && describable(f));
  const entries = fields.length > 0 ? fields : [];
  const lines = [
    `description: ${scalarText(`Found by flitstack audit on ${day}; not in the API reference.`)}`,
    `volume: ${r.total}`,
    'fields:',
    ...(entries.length > 0
      ? entries.map((f) => `  ${scalarText(f.name)}: ${flowText(fieldDefinition(f, day))}`)
      : ['  id: { type: id }']),
  ];
  return indentBlock(lines, indent);
}

/**
 * Rewrites the source model with what the audit saw: `audited:` and each resource's `volume:`, fields
 * and resources the model lacks added with inferred types (PHI flags from the model or the name
 * heuristic), and comments on fields never seen, types that changed and enumeration values the model
 * does not list. Nothing is deleted; descriptions, flags, order and every untouched line stay.
 */
export function rewriteSourceModel(text: string, report: AuditReport): string {
  const doc = parseDocument(text);
  const root = doc.contents;
  if (!isMap(root)) throw new Error('the source model is not a YAML mapping');
  const day = report.audited_at.slice(0, 10);
  const splices: Splice[] = [];
  const audited = scalarText(`${day} from account ${report.source.account} (${report.source.region})`);
  const resourcesPair = pairOf(root, 'resources');
  if (pairOf(root, 'audited')) splices.push(...mapEdits(text, root, [{ key: 'audited', value: audited }]));
  else if (resourcesPair) splices.push(linesBefore(text, resourcesPair, [`audited: ${audited}`]));
  const resources = mapAt(root, ['resources']);
  if (!resources) return applySplices(text, splices);
  for (const r of report.resources) {
    const map = mapAt(root, ['resources', r.resource]);
    if (!r.served) {
      if (map)
        splices.push(
          ...markEntry(text, resources, r.resource, `not served by the API (404) on ${day}`, 'not served'),
        );
      continue;
    }
    if (!map) continue;
    const volume = pairOf(map, 'volume');
    const fieldsPair = pairOf(map, 'fields');
    if (volume) splices.push(...mapEdits(text, map, [{ key: 'volume', value: String(r.total) }]));
    else if (fieldsPair)
      splices.push(linesBefore(text, fieldsPair, [`${keyIndent(text, map)}volume: ${r.total}`]));
  }
  splices.push(...fieldEdits(text, root, report, day));
  const added = report.resources.filter(
    (r) => r.served && !r.in_model && RESOURCE_NAME.test(r.resource) && !pairOf(resources, r.resource),
  );
  if (added.length > 0) {
    const indent = `${keyIndent(text, resources)}  `;
    const blocks = added.map((r) =>
      appendBlock(text, resources, r.resource, newResourceBlock(r, day, indent)),
    );
    splices.push({ ...blocks[0]!, insert: blocks.map((b) => b.insert).join('') });
  }
  return applySplices(text, splices);
}

function fieldEdits(text: string, root: YAMLMap, report: AuditReport, day: string): Splice[] {
  const splices: Splice[] = [];
  const byResource = new Map(report.resources.map((r) => [r.resource, r]));
  const additions = new Map<string, { map: YAMLMap; entries: { key: string; value: string }[] }>();
  const summaryAt = (resource: string, path: string): FieldSummary | undefined => {
    const walk = (list: readonly FieldSummary[] | undefined): FieldSummary | undefined => {
      for (const f of list ?? []) {
        if (f.path === path) return f;
        const inner = walk(f.fields) ?? (f.items ? walk([f.items, ...(f.items.fields ?? [])]) : undefined);
        if (inner) return inner;
      }
      return undefined;
    };
    return walk(byResource.get(resource)?.fields);
  };
  for (const n of report.diff.new_fields) {
    const parent = parentMapPath(n.resource, n.path);
    const map = mapAt(root, parent);
    const summary = summaryAt(n.resource, n.path);
    if (!map || !summary || !describable(summary)) continue;
    const key = parent.join('/');
    const entry = additions.get(key) ?? { map, entries: [] };
    entry.entries.push({ key: leafName(n.path), value: flowText(fieldDefinition(summary, day)) });
    additions.set(key, entry);
  }
  for (const { map, entries } of additions.values()) splices.push(...mapEdits(text, map, entries));
  const note = (resource: string, path: string, message: string, kind: string) => {
    const map = mapAt(root, parentMapPath(resource, path));
    splices.push(...markEntry(text, map, leafName(path), message, kind));
  };
  for (const u of report.diff.unseen_fields) {
    const sampled = byResource.get(u.resource)?.sampled ?? 0;
    note(u.resource, u.path, `${NOT_SEEN} on ${day}: absent from all ${sampled} sampled records`, NOT_SEEN);
  }
  for (const c of report.diff.type_changes) {
    note(
      c.resource,
      c.path,
      `${AUDIT_NOTE}${day}: values seen are ${c.seen}, the model says ${c.model}`,
      AUDIT_NOTE,
    );
  }
  for (const v of report.diff.new_values) {
    const listed = v.values ? `: ${v.values.join(', ')}` : ' (PHI: values not shown)';
    note(
      v.resource,
      v.path,
      `${AUDIT_NOTE}${day}: ${v.count} value${v.count === 1 ? '' : 's'} not listed${listed}`,
      AUDIT_NOTE,
    );
  }
  return splices;
}
