import { execFileSync } from 'node:child_process';
import { readSpecDir } from '../../cli/spec-files.ts';
import { compileSpec } from '../../compiler/compile.ts';
import type { Ir } from '../../compiler/ir/types.ts';
import type { SpecInput } from '../../compiler/load/spec-dir.ts';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import { loadGenerated } from '../support/generated.ts';
import { ROOT } from '../support/tmp.ts';

/** The shipped spec with some files' text changed in memory. */
export function specVariant(edits: Readonly<Record<string, (text: string) => string>>): SpecInput {
  const input = readSpecDir('spec', ROOT);
  const files = new Map(input.files);
  for (const [path, edit] of Object.entries(edits)) {
    const text = files.get(path);
    if (text === undefined) throw new Error(`no spec file ${path}`);
    const changed = edit(text);
    if (changed === text) throw new Error(`the edit of ${path} changed nothing`);
    files.set(path, changed);
  }
  return { ...input, files };
}

/** Compiles a spec: its IR and its generated transformer, loaded as a module. */
export async function compiled(input: SpecInput): Promise<{ ir: Ir; module: GeneratedModule }> {
  const result = compileSpec(input, createSchemaValidators(), { typecheck: false });
  const transformer = result.files.find((f) => f.path === 'generated/transformer.ts');
  if (!result.ir || !transformer)
    throw new Error(`the spec does not compile: ${result.diagnostics.map((d) => d.message).join('; ')}`);
  return { ir: result.ir, module: await loadGenerated(transformer.contents) };
}

/** The installed Chromium (never downloaded): `.ci/run` installs it where it is missing. */
export function chromiumPath(): string {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const path = execFileSync('which', [name], { encoding: 'utf8' }).trim();
      if (path) return path;
    } catch {
      // not this name
    }
  }
  throw new Error('Chromium is not installed: `apt-get install -y chromium` (.ci/run does it on CI)');
}
