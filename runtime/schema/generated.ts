import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
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
 * generated/). The module is TypeScript: it is bundled with the runtime helpers it imports into one
 * ES module (esbuild, in memory) and imported from a private temporary file, so a fresh compile takes
 * effect with no build step, from the sources and from the bundle alike, at a third of the start-up
 * time of a TypeScript loader.
 */
export async function loadGenerated(root: string): Promise<Generated> {
  const dir = join(root, 'generated');
  const bundled = await build({
    entryPoints: [join(dir, 'transformer.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  });
  const file = moduleFile(bundled.outputFiles[0]!.text);
  const module = (await import(pathToFileURL(file).href)) as GeneratedModule;
  const plan = JSON.parse(readFileSync(join(dir, 'schema-plan.json'), 'utf8')) as IrSchemaPlan;
  return { module, plan, dir };
}

/**
 * The private temporary file holding `code`, named by its hash: several processes load the same code
 * at once (two commands, a test suite), and one that wrote the file in place truncated it under another
 * importing it, which then got a module with no exports. A complete file is left as it is; a missing
 * or partial one is written under a name of this process's own and renamed over it, which replaces it
 * whole.
 */
export function moduleFile(code: string): string {
  const cache = join(tmpdir(), `flitstack-${process.getuid?.() ?? 'user'}`);
  mkdirSync(cache, { recursive: true, mode: 0o700 });
  const file = join(cache, `transformer-${createHash('sha256').update(code).digest('hex').slice(0, 24)}.mjs`);
  if (existsSync(file) && statSync(file).size === Buffer.byteLength(code)) return file;
  const part = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.part`;
  writeFileSync(part, code, { mode: 0o600 });
  renameSync(part, file);
  return file;
}
