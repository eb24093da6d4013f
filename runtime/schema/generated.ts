import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import type { IrSchemaPlan } from '../../compiler/ir/types.ts';
import type { GeneratedModule } from '../mapping/index.ts';

/** What `flitstack compile` wrote: the transformer module and the schema plan. */
export interface Generated {
  readonly module: GeneratedModule;
  readonly plan: IrSchemaPlan;
  /** Where it was read from. */
  readonly dir: string;
}

/**
 * Loads generated/transformer.ts and generated/schema-plan.json from `root` (the directory holding
 * generated/). The module is TypeScript: it is loaded through tsx at run time, so a fresh compile
 * takes effect with no build step, from the sources and from the bundle alike.
 */
export async function loadGenerated(root: string): Promise<Generated> {
  const dir = join(root, 'generated');
  const module = (await tsImport(
    pathToFileURL(join(dir, 'transformer.ts')).href,
    import.meta.url,
  )) as GeneratedModule;
  const plan = JSON.parse(readFileSync(join(dir, 'schema-plan.json'), 'utf8')) as IrSchemaPlan;
  return { module, plan, dir };
}
