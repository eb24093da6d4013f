import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import { ROOT, tempDir } from './tmp.ts';

/**
 * Loads generated transformer text as a module: written to a temporary file whose imports of the
 * runtime point at this installation (the text itself imports them relative to generated/).
 */
export async function loadGenerated(text: string): Promise<GeneratedModule & Record<string, unknown>> {
  const dir = join(tempDir('flitstack-generated-'), 'generated');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'transformer.ts');
  writeFileSync(file, text.replaceAll('"../runtime/', `"${pathToFileURL(join(ROOT, 'runtime')).href}/`));
  return (await import(pathToFileURL(file).href)) as GeneratedModule & Record<string, unknown>;
}
