import type { ObjectSpec } from '../model/spec.ts';
import type { SpecContext } from './context.ts';

/** Why one mapping must load after another. */
export interface Dependency {
  readonly from: string;
  readonly to: string;
  readonly reason: 'lookup' | 'updates' | 'routing' | 'owner';
  /** A lookup that may be bound in a second pass (nullable, not forced by defer: false). */
  readonly deferrable: boolean;
  /** Forced into the second pass by defer: true. */
  readonly forced: boolean;
  readonly mapping: string;
  readonly fieldIndex: number | undefined;
  readonly file: string;
  readonly pointer: string;
}

/** The load order: mappings in order, lookups bound in a second pass, and cycles that cannot be broken. */
export interface LoadOrder {
  readonly order: readonly string[];
  readonly deferred: readonly Dependency[];
  readonly cycles: readonly (readonly Dependency[])[];
}

/** The base mapping whose rows `name` writes (extensions resolve to the mapping they extend). */
export function baseName(ctx: SpecContext, name: string): string {
  const o = ctx.objectsByName.get(name);
  return o?.extends && ctx.objectsByName.has(o.extends) ? o.extends : name;
}

/** The upsert mapping whose rows an update-mode mapping changes, if any. */
export function updatedBase(ctx: SpecContext, o: ObjectSpec): ObjectSpec | undefined {
  if (o.mode !== 'update' || !o.key?.column) return undefined;
  return ctx.objects.find(
    (b) =>
      b !== o &&
      b.mode === 'upsert' &&
      !b.extends &&
      b.target === o.target &&
      b.key?.column === o.key!.column &&
      b.key?.prefix === o.key!.prefix,
  );
}

/** Every dependency between base mappings, in file and field order. */
export function dependencies(ctx: SpecContext): Dependency[] {
  const deps: Dependency[] = [];
  for (const o of ctx.objects) {
    const from = baseName(ctx, o.name);
    o.fields.forEach((f, i) => {
      if (!f.lookup) return;
      for (const target of f.lookup.objects) {
        if (!ctx.objectsByName.has(target)) continue;
        deps.push({
          from,
          to: baseName(ctx, target),
          reason: 'lookup',
          deferrable: !f.lookup.required && f.lookup.defer !== false,
          forced: f.lookup.defer === true,
          mapping: o.name,
          fieldIndex: i,
          file: o.file,
          pointer: `${f.pointer}/lookup`,
        });
      }
    });
    const updated = updatedBase(ctx, o);
    if (updated) {
      deps.push({
        from,
        to: updated.name,
        reason: 'updates',
        deferrable: false,
        forced: false,
        mapping: o.name,
        fieldIndex: undefined,
        file: o.file,
        pointer: '/key',
      });
    }
    // Owners are matched by the staff member's email: staff mappings load (and match users) first.
    const staff = ctx.migration?.staff?.resource;
    if (o.owner?.staff && staff) {
      for (const s of ctx.objects) {
        if (s.source === staff && !s.extends && s.name !== o.name) {
          deps.push({
            from,
            to: s.name,
            reason: 'owner',
            deferrable: false,
            forced: false,
            mapping: o.name,
            fieldIndex: undefined,
            file: o.file,
            pointer: '/owner/staff',
          });
        }
      }
    }
    o.where.forEach((c) => {
      if (c.notMatchedBy && ctx.objectsByName.has(c.notMatchedBy)) {
        deps.push({
          from,
          to: baseName(ctx, c.notMatchedBy),
          reason: 'routing',
          deferrable: false,
          forced: false,
          mapping: o.name,
          fieldIndex: undefined,
          file: o.file,
          pointer: `${c.pointer}/not_matched_by`,
        });
      }
    });
  }
  return deps;
}

/** Strongly connected components (Tarjan), each sorted, in a deterministic order. */
function components(nodes: readonly string[], edges: readonly Dependency[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let counter = 0;
  const next = (n: string) => edges.filter((e) => e.from === n).map((e) => e.to);
  const visit = (n: string) => {
    index.set(n, counter);
    low.set(n, counter);
    counter += 1;
    stack.push(n);
    onStack.add(n);
    for (const m of next(n)) {
      if (!index.has(m)) {
        visit(m);
        low.set(n, Math.min(low.get(n)!, low.get(m)!));
      } else if (onStack.has(m)) low.set(n, Math.min(low.get(n)!, index.get(m)!));
    }
    if (low.get(n) === index.get(n)) {
      const component: string[] = [];
      let m: string;
      do {
        m = stack.pop()!;
        onStack.delete(m);
        component.push(m);
      } while (m !== n);
      out.push(component.sort());
    }
  };
  for (const n of nodes) if (!index.has(n)) visit(n);
  return out;
}

/**
 * Topological load order of the base mappings (dependencies first, ties by name). Lookups inside a
 * cycle that may be empty are moved to a second pass; a cycle of required lookups is reported.
 */
export function loadOrder(ctx: SpecContext): LoadOrder {
  const nodes = ctx.objects
    .filter((o) => !o.extends || !ctx.objectsByName.has(o.extends))
    .map((o) => o.name)
    .sort();
  const all = dependencies(ctx).filter((d) => nodes.includes(d.from) && nodes.includes(d.to));
  // The cycle each mapping is in: a lookup between two different cycles is no part of either.
  const cycleOf = new Map<string, number>();
  for (const [i, component] of components(nodes, all).entries()) {
    const selfLoop =
      component.length === 1 && all.some((d) => d.from === component[0] && d.to === component[0]);
    if (component.length > 1 || selfLoop) for (const n of component) cycleOf.set(n, i);
  }
  const inCycle = (d: Dependency) => cycleOf.has(d.from) && cycleOf.get(d.from) === cycleOf.get(d.to);
  const deferred = all.filter((d) => d.forced || (d.deferrable && inCycle(d)));
  const hard = all.filter((d) => !deferred.includes(d));
  const cycles: Dependency[][] = [];
  for (const component of components(nodes, hard)) {
    const inside = hard.filter((d) => component.includes(d.from) && component.includes(d.to));
    if (component.length > 1 || inside.length > 0) cycles.push(inside);
  }
  // Kahn's algorithm with a sorted ready list, so the order is the same on every machine.
  const remaining = new Set(nodes);
  const order: string[] = [];
  const acyclic = hard.filter((d) => d.from !== d.to);
  while (remaining.size > 0) {
    const ready = [...remaining]
      .filter((n) => !acyclic.some((d) => d.from === n && remaining.has(d.to)))
      .sort();
    const pick = ready[0] ?? [...remaining].sort()[0]!;
    order.push(pick);
    remaining.delete(pick);
  }
  return { order, deferred, cycles };
}
