import { Errors } from '../errors.ts';
import type { Member, MemberResolver, ValueKind } from '../odata/evaluate.ts';
import { GUID_RE } from '../odata/literal.ts';
import { type QueryOptions, runQuery } from '../odata/query.ts';

type Json = Record<string, unknown>;

function kindOf(v: unknown): ValueKind | undefined {
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string') return GUID_RE.test(v) ? 'guid' : 'string';
  return undefined;
}

const get = (o: unknown, path: readonly string[]) =>
  path.reduce<unknown>((v, p) => (v && typeof v === 'object' ? (v as Json)[p] : undefined), o);

/** Resolves `$filter` paths on metadata JSON (`LogicalName`, `RequiredLevel/Value`), typed by their values. */
export function jsonResolver(objects: readonly Json[], typeName: string): MemberResolver<Json> {
  return (path): Member<Json> => {
    let kind: ValueKind | undefined;
    let seen = false;
    for (const o of objects) {
      const v = get(o, path);
      if (v !== undefined) seen = true;
      kind = kindOf(v);
      if (kind) break;
    }
    if (!seen) throw Errors.propertyNotFound(path.join('/'), typeName);
    const k = kind ?? 'string';
    return {
      kind: k,
      edm: k === 'number' ? 'Edm.Int32' : k === 'boolean' ? 'Edm.Boolean' : 'Edm.String',
      get: (o) => get(o, path) ?? null,
    };
  };
}

/** Keeps the selected properties (plus MetadataId and @odata.type), after checking that they exist. */
export function selectJson(
  objects: readonly Json[],
  select: readonly string[] | undefined,
  typeName: string,
): Json[] {
  if (!select) return [...objects];
  for (const name of select) {
    if (!objects.some((o) => name in o) && objects.length > 0) throw Errors.propertyNotFound(name, typeName);
  }
  return objects.map((o) => {
    const out: Json = {};
    if ('@odata.type' in o) out['@odata.type'] = o['@odata.type'];
    for (const name of select) if (name in o) out[name] = o[name];
    out.MetadataId = o.MetadataId;
    return out;
  });
}

/** Filters and orders metadata objects with the same engine as data queries; metadata is not paged. */
export function queryJson(objects: readonly Json[], options: QueryOptions, typeName: string): Json[] {
  const page = runQuery(
    objects,
    { ...options, count: false },
    jsonResolver(objects, typeName),
    (o) => String(o.MetadataId),
    Number.MAX_SAFE_INTEGER,
    false,
  );
  return selectJson(page.rows, options.select, typeName);
}

/** One `$expand` item: `Attributes` or `Attributes($select=LogicalName)`. */
export interface ExpandItem {
  readonly name: string;
  readonly select?: readonly string[];
}

/** Parses `$expand` into items, splitting on commas outside parentheses. */
export function parseExpand(text: string | undefined): ExpandItem[] {
  if (!text) return [];
  const items: ExpandItem[] = [];
  let depth = 0;
  let current = '';
  const flush = () => {
    const m = /^\s*(\w+)\s*(?:\((.*)\))?\s*$/.exec(current);
    if (!m) throw Errors.querySyntax(`Syntax error in $expand '${text}'.`);
    const inner = m[2] ? new URLSearchParams(m[2].replace(/;/g, '&')).get('$select') : null;
    items.push({ name: m[1]!, ...(inner ? { select: inner.split(',').map((s) => s.trim()) } : {}) });
    current = '';
  };
  for (const ch of text) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) flush();
    else current += ch;
  }
  flush();
  return items;
}
