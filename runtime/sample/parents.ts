import type { GeneratedModule, MappingDefinition, Outcome } from '../mapping/index.ts';

/** A source record another record needs loaded first: a lookup target, an owner, a row it updates. */
export interface ParentRef {
  readonly resource: string;
  readonly id: string;
}

/**
 * The resources a mapping's rows point into: lookup targets, the staff resource of owners, the
 * mapping an update mapping changes, the mappings that route records away from it.
 */
function parentResources(module: GeneratedModule, m: MappingDefinition): string[] {
  const mappings = [
    ...m.lookups.flatMap((l) => l.candidates.map((c) => c.mapping)),
    ...(m.updates ? [m.updates] : []),
    ...m.notMatchedBy,
  ];
  const staff = m.owner?.kind === 'staff' ? module.MIGRATION.staff?.resource : undefined;
  return [...new Set([...mappings.map((n) => module.MAPPINGS[n]!.source), ...(staff ? [staff] : [])])];
}

/**
 * The records one record's rows need: each lookup candidate's record (a lookup value is the source id
 * of the referenced record, whose key is its prefix and id), the owner's staff record, and the record
 * whose row an update mapping changes (its key less the updated mapping's prefix). Lookups to a
 * mapping keyed by matching (an email) name no record and are left out.
 */
export function parentsOf(
  module: GeneratedModule,
  m: MappingDefinition,
  outcome: Outcome<Readonly<Record<string, unknown>>>,
): ParentRef[] {
  if (outcome.kind !== 'rows') return [];
  const out = new Map<string, ParentRef>();
  const add = (resource: string, id: string | null | undefined) => {
    if (id) out.set(`${resource} ${id}`, { resource, id });
  };
  const staff = module.MIGRATION.staff?.resource;
  const updated = m.updates ? module.MAPPINGS[m.updates] : undefined;
  for (const row of outcome.rows) {
    for (const [i, definition] of m.lookups.entries()) {
      const pending = row.lookups[i];
      definition.candidates.forEach((c, j) => {
        const target = module.MAPPINGS[c.mapping]!;
        if (target.key.kind !== 'match') add(target.source, pending?.values[j]);
      });
    }
    if (row.owner?.kind === 'staff' && staff) add(staff, row.owner.value);
    if (updated && updated.key.kind !== 'match' && row.key.startsWith(updated.key.prefix))
      add(updated.source, row.key.slice(updated.key.prefix.length));
  }
  return [...out.values()];
}

/**
 * The order the sample reads resources in, so that a picked record's parents are read after it (and
 * can still be picked): the staff resource first (held whole: owners are judged by it), then every
 * resource before the resources it points into. Cycles (a clinic's parent clinic) are broken by load
 * order; a parent read earlier is fetched by id.
 */
export function readOrder(module: GeneratedModule): string[] {
  const position = new Map<string, number>();
  for (const [i, name] of module.LOAD_ORDER.entries()) {
    const resource = module.MAPPINGS[name]!.source;
    if (!position.has(resource)) position.set(resource, i);
  }
  const needs = new Map<string, Set<string>>();
  for (const resource of position.keys()) needs.set(resource, new Set());
  for (const m of Object.values(module.MAPPINGS))
    for (const p of parentResources(module, m))
      if (p !== m.source && needs.has(p)) needs.get(m.source)!.add(p);
  const staff = module.MIGRATION.staff?.resource;
  const order: string[] = staff && needs.has(staff) ? [staff] : [];
  const left = new Set([...position.keys()].filter((r) => !order.includes(r)));
  while (left.size > 0) {
    // Ready: no resource still to read points into it. The latest in load order goes first.
    const pointedInto = (r: string) => [...left].some((o) => o !== r && needs.get(o)!.has(r));
    const byLoad = [...left].sort((a, b) => position.get(b)! - position.get(a)!);
    const next = byLoad.find((r) => !pointedInto(r)) ?? byLoad[0]!;
    order.push(next);
    left.delete(next);
  }
  return order;
}
