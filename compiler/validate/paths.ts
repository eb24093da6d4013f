import { didYouMean } from '../diagnostics/suggest.ts';
import type { ObjectSpec, SourceField, SourceResource } from '../model/spec.ts';
import { parseTemplate } from '../transforms/template.ts';
import type { SpecContext } from './context.ts';

/** A field path used by a mapping, where it is written, and what it is relative to. */
export interface PathRef {
  readonly path: string;
  readonly pointer: string;
  /** 'record': the source record; 'element': an element of `base` (a list field of the record). */
  readonly scope: 'record' | 'element';
  readonly base?: string;
  /**
   * A list read for its elements (`each.path`, a lookup's `from` with an `element`): the fields of the
   * elements it reads are refs of their own, so it does not read every field of them.
   */
  readonly elements?: true;
  /** Where in the value at `pointer` the path is written (a template's placeholder). */
  readonly within?: number;
}

export type Resolved = { readonly field: SourceField } | { readonly error: string; readonly hint: string };

function walkFields(
  fields: ReadonlyMap<string, SourceField>,
  segments: readonly string[],
  shown: string,
): Resolved {
  let current: ReadonlyMap<string, SourceField> | undefined = fields;
  let field: SourceField | undefined;
  for (const [i, segment] of segments.entries()) {
    if (!current) {
      return {
        error: `'${segments.slice(0, i).join('.')}' has no fields, so '${shown}' does not exist`,
        hint: 'only object fields have nested fields',
      };
    }
    field = current.get(segment);
    if (!field) {
      const prefix = segments.slice(0, i).join('.');
      return {
        error: `unknown source field '${prefix ? `${prefix}.` : ''}${segment}'.${didYouMean(segment, current.keys())}`,
        hint: `fields here: ${[...current.keys()].slice(0, 12).join(', ')}${current.size > 12 ? ', ...' : ''}`,
      };
    }
    current = field.type === 'object' ? field.fields : undefined;
  }
  return field ? { field } : { error: `empty field path '${shown}'`, hint: 'name a field' };
}

/** Resolves a path of a mapping against its resource: `a.b`, or `item.x` inside an `each` mapping. */
export function resolvePath(resource: SourceResource, path: string, each: string | undefined): Resolved {
  const segments = path.split('.');
  if (segments[0] === 'item') {
    if (!each)
      return {
        error: `'${path}' reads item.*, but the mapping has no 'each'`,
        hint: 'item.<field> is only valid in a mapping with each: { path: ... }',
      };
    const list = resolvePath(resource, each, undefined);
    if ('error' in list) return list;
    const items = list.field.items;
    if (list.field.type !== 'array' || !items)
      return { error: `'${each}' is not a list`, hint: 'each.path must name an array field' };
    if (segments.length === 1) return { field: items };
    if (items.type !== 'object' || !items.fields)
      return { error: `elements of '${each}' have no fields`, hint: 'use item alone for lists of values' };
    return walkFields(items.fields, segments.slice(1), path);
  }
  return walkFields(resource.fields, segments, path);
}

/** Resolves `field` of the elements of the list at `base`. */
export function resolveElementField(
  resource: SourceResource,
  base: string,
  field: string,
  each: string | undefined,
): Resolved {
  const list = resolvePath(resource, base, each);
  if ('error' in list) return list;
  const items = list.field.items;
  if (list.field.type !== 'array' || !items?.fields) {
    return {
      error: `'${base}' is not a list of objects, so it has no element field '${field}'`,
      hint: 'element and order_by apply to lists of objects',
    };
  }
  return walkFields(items.fields, [field], `${base}[].${field}`);
}

/** Every source path a mapping reads, with the pointer of the node that names it. */
export function pathRefs(o: ObjectSpec): PathRef[] {
  const refs: PathRef[] = [];
  const record = (path: string, pointer: string) => refs.push({ path, pointer, scope: 'record' });
  const list = (path: string, pointer: string) =>
    refs.push({ path, pointer, scope: 'record', elements: true });
  o.key?.sources.forEach((p, i) => {
    record(p, o.key!.sources.length > 1 ? `/key/source/${i}` : '/key/source');
  });
  if (o.match) record(o.match.source, '/match/source');
  o.where.forEach((c) => {
    if (c.field) record(c.field, `${c.pointer}/field`);
  });
  if (o.each) {
    list(o.each.path, '/each/path');
    if (o.each.orderBy)
      refs.push({ path: o.each.orderBy, pointer: '/each/order_by', scope: 'element', base: o.each.path });
  }
  if (o.group) {
    record(o.group.by, '/group/by');
    record(o.group.orderBy, '/group/order_by');
  }
  o.fields.forEach((f) => {
    f.from.forEach((p, j) => {
      const pointer = f.fromIsList ? `${f.pointer}/from/${j}` : `${f.pointer}/from`;
      if (f.lookup?.element && f.from.length === 1) list(p, pointer);
      else record(p, pointer);
    });
    if (f.template !== undefined) {
      const parsed = parseTemplate(f.template);
      if (parsed.ok)
        for (const part of parsed.parts)
          if (part.kind === 'field')
            refs.push({
              path: part.path,
              pointer: `${f.pointer}/template`,
              scope: 'record',
              within: part.offset,
            });
    }
    const l = f.lookup;
    if (l && f.from.length === 1) {
      if (l.element)
        refs.push({
          path: l.element,
          pointer: `${f.pointer}/lookup/element`,
          scope: 'element',
          base: f.from[0]!,
        });
      if (l.orderBy)
        refs.push({
          path: l.orderBy,
          pointer: `${f.pointer}/lookup/order_by`,
          scope: 'element',
          base: f.from[0]!,
        });
    }
  });
  if (o.owner?.staff) record(o.owner.staff, '/owner/staff');
  if (o.owner?.email) record(o.owner.email, '/owner/email');
  if (o.state) record(o.state.from, '/state/from');
  if (o.document) record(o.document.file, '/document/file');
  o.archive?.columns.forEach((c, i) => {
    record(c, `/archive/columns/${i}`);
  });
  if (o.archive) {
    const parsed = parseTemplate(o.archive.name);
    if (parsed.ok)
      for (const part of parsed.parts) if (part.kind === 'field') record(part.path, '/archive/name');
  }
  return refs;
}

/** A node of a spec file: where something is read. */
export interface Place {
  readonly file: string;
  readonly pointer: string;
}

/** Something that reads a resource: its name, and per path it reads, where it reads it. */
export interface Reader {
  readonly name: string;
  /** How it reads: `reads it` unless said otherwise. */
  readonly verb?: string;
  /** Each path it reads, and where (file and pointer; placed at file:line:column only for a message). */
  readonly reads: readonly { readonly path: string; readonly at: Place; readonly elements?: true }[];
}

/** A path as the resource names it: an element field as `<list>.<field>`, `item.x` of `each` too. */
function resourcePath(o: ObjectSpec, r: PathRef): string {
  if (r.scope === 'element') return `${r.base}.${r.path}`;
  if (o.each && (r.path === 'item' || r.path.startsWith('item.'))) return `${o.each.path}${r.path.slice(4)}`;
  return r.path;
}

/**
 * Who reads a resource: the mappings of it (each path they read, as the resource names it),
 * the mappings that attach its records as files (`document:` reads every field of them), and the staff
 * directory (owners.staff) its email field.
 */
export function readersOf(ctx: SpecContext, name: string): Reader[] {
  const resource = ctx.source?.resources.get(name);
  const readers: Reader[] = ctx.objects
    .filter((o) => o.source === name)
    .map((o) => ({
      name: `mapping ${o.name}`,
      reads: pathRefs(o).map((r) => ({
        path: resourcePath(o, r),
        at: { file: o.file, pointer: r.pointer },
        ...(r.elements ? { elements: r.elements } : {}),
      })),
    }));
  for (const o of ctx.objects) {
    const file =
      o.document && o.source ? ctx.source?.resources.get(o.source)?.fields.get(o.document.file) : undefined;
    if (file?.references === name)
      readers.push({
        name: `mapping ${o.name}`,
        verb: 'attaches its records as files',
        reads: [...(resource?.fields.keys() ?? [])].map((path) => ({
          path,
          at: { file: o.file, pointer: '/document/file' },
        })),
      });
  }
  const staff = ctx.migration?.staff;
  if (staff?.resource === name)
    readers.push({
      name: 'owners.staff',
      reads: [{ path: staff.email, at: { file: ctx.migration!.file, pointer: '/owners/staff' } }],
    });
  return readers;
}

/** Paths of a resource that something reads (see readersOf). */
export function usedPaths(ctx: SpecContext, resource: string): string[] {
  return readersOf(ctx, resource).flatMap((r) => r.reads.map((x) => x.path));
}

/** Whether a path is read: itself, a field inside it, or an object it is inside. */
export function isUsed(path: string, used: readonly string[]): boolean {
  return used.some((u) => u === path || u.startsWith(`${path}.`) || path.startsWith(`${u}.`));
}

/**
 * Whether a read reads `path`: as isUsed, except that a list read for its elements does not read the
 * fields of its elements (those reads are listed on their own).
 */
export function reads(read: { readonly path: string; readonly elements?: true }, path: string): boolean {
  return read.elements ? read.path === path || read.path.startsWith(`${path}.`) : isUsed(path, [read.path]);
}

/** What migration.yaml's `left_out` leaves out of a resource: all of it, or these field paths. */
export function leftOutOf(
  ctx: SpecContext,
  resource: string,
): { readonly whole: boolean; readonly fields: string[] } {
  const entries = (ctx.migration?.leftOut ?? []).filter((l) => l.resource === resource);
  return {
    whole: entries.some((l) => l.fields === undefined),
    fields: entries.flatMap((l) => l.fields ?? []),
  };
}
