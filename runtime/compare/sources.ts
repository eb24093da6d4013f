import type { Ir, IrMapping, IrValueSource } from '../../compiler/ir/types.ts';
import { field, type SourceRecord } from '../mapping/index.ts';
import type { SourceValue } from './types.ts';

/** Per mapping, per column written: the source paths its value comes from (`[]` marks each element of a list). */
export type SourceMap = ReadonlyMap<string, ReadonlyMap<string, readonly (readonly string[])[]>>;

function valuePaths(source: IrValueSource): (readonly string[])[] {
  switch (source.kind) {
    case 'path':
      return [source.path];
    case 'paths':
      return [...source.paths];
    case 'template':
      return source.parts.flatMap((p) => (p.kind === 'field' ? [p.path] : []));
    case 'constant':
      return [];
  }
}

function mappingSources(m: IrMapping): Map<string, (readonly string[])[]> {
  // A fan-out mapping reads `item.x`: shown as `list[].x`, the field of every element.
  const resolve = (path: readonly string[]) =>
    path[0] === 'item' && m.each ? [...m.each.path, '[]', ...path.slice(1)] : path;
  const out = new Map<string, (readonly string[])[]>();
  const add = (column: string, paths: readonly (readonly string[])[]) => {
    const list = out.get(column);
    if (list) list.push(...paths.map(resolve));
    else out.set(column, paths.map(resolve));
  };
  for (const f of m.fields) add(f.column, valuePaths(f.source));
  for (const l of m.lookups)
    add(
      l.column,
      l.candidates.map((c) => c.path),
    );
  if (m.owner) add('ownerid', [m.owner.path]);
  if (m.state) {
    add('statecode', [m.state.path]);
    add('statuscode', [m.state.path]);
  }
  if (m.key.kind === 'match') add(m.key.column, [m.key.source]);
  else if (m.key.kind === 'alternate') add(m.key.column, m.key.sources);
  return out;
}

/** Where each mapping's columns come from in the source, read from the spec's IR. */
export function sourceMap(ir: Ir): SourceMap {
  return new Map(ir.mappings.map((m) => [m.name, mappingSources(m)]));
}

/** The value at a path; `[]` maps the rest of the path over the elements of a list. */
export function valueAt(record: unknown, path: readonly string[]): unknown {
  let value: unknown = record;
  for (const [i, segment] of path.entries()) {
    if (segment === '[]') {
      return Array.isArray(value) ? value.map((item) => valueAt(item, path.slice(i + 1))) : undefined;
    }
    value = field(value, segment);
  }
  return value;
}

/** The source values of one column of one record (empty without a source map). */
export function sourceValues(
  sources: SourceMap | undefined,
  mapping: string,
  column: string,
  record: SourceRecord,
): SourceValue[] {
  const paths = sources?.get(mapping)?.get(column) ?? [];
  return paths.map((p) => ({ path: p.join('.').replaceAll('.[]', '[]'), value: valueAt(record, p) }));
}
