import type { GeneratedModule, MappingDefinition } from '../mapping/index.ts';

/** One extraction of a resource, feeding the mappings that read it, in load order. */
export interface Pass {
  readonly resource: string;
  readonly mappings: readonly MappingDefinition[];
}

/**
 * Groups the load order into extraction passes: mappings that read the same resource share one pass
 * (one read of the resource under the rate limit) when every mapping they depend on loads in an earlier
 * pass or earlier in the same pass; otherwise the mapping gets a pass of its own.
 */
export function passesOf(module: GeneratedModule): Pass[] {
  const passes: { resource: string; mappings: MappingDefinition[] }[] = [];
  const passOf = new Map<string, number>();
  for (const name of module.LOAD_ORDER) {
    const m = module.MAPPINGS[name]!;
    const deps = [...m.dependsOn, ...m.notMatchedBy, ...(m.updates ? [m.updates] : [])];
    const earliest = Math.max(-1, ...deps.map((d) => passOf.get(d) ?? -1));
    let index = -1;
    for (let i = passes.length - 1; i >= Math.max(0, earliest); i--) {
      if (passes[i]!.resource === m.source) {
        index = i;
        break;
      }
    }
    if (index < 0) {
      passes.push({ resource: m.source, mappings: [] });
      index = passes.length - 1;
    }
    passes[index]!.mappings.push(m);
    passOf.set(name, index);
  }
  return passes;
}
