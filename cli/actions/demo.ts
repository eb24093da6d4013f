import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { startSandboxes } from '../../sandbox/index.ts';
import { parseFaults } from '../../sandbox/shared/faults.ts';
import { UsageError } from '../errors.ts';
import type { CliIo } from '../io.ts';
import { compile } from './compile.ts';
import { runCommand } from './run.ts';
import { apply } from './schema.ts';

function number(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`--${name} must be a positive number, got '${value}'`);
  return n;
}

/** The spec's fallback owner: the sandbox organisation gets this user, as the real one would have it. */
function fallbackOwner(specDir: string, cwd: string): string | undefined {
  try {
    const owner = (
      parse(readFileSync(join(cwd, specDir, 'migration.yaml'), 'utf8')) as { owners?: { fallback?: unknown } }
    ).owners?.fallback;
    return typeof owner === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The README's main command: sandboxes in this process, compile, schema apply, run. The journal and the
 * archive go to `--dir` (emptied first: the sandboxes start empty every time).
 */
export async function demo(
  options: { spec: string; scale: string; seed: string; rate: string; faults?: string; dir: string },
  io: CliIo,
): Promise<number> {
  const rate = number('rate', options.rate);
  let faults: ReturnType<typeof parseFaults> | undefined;
  try {
    faults = options.faults ? parseFaults(options.faults) : undefined;
  } catch (error) {
    throw new UsageError(`--faults: ${(error as Error).message}`);
  }
  const dir = resolve(io.cwd, options.dir);
  rmSync(dir, { recursive: true, force: true });
  const started = Date.now();
  const owner = fallbackOwner(options.spec, io.cwd);
  const sandboxes = await startSandboxes({
    seed: number('seed', options.seed),
    scale: number('scale', options.scale),
    rate,
    faults: faults ? { practicehub: faults, dataverse: faults } : undefined,
    extraUsers: owner ? [{ email: owner, firstName: 'Migration', lastName: 'Owner' }] : [],
  });
  try {
    io.err(
      `sandboxes: PracticeHub ${sandboxes.practicehub.baseUrl} (${rate} requests/s), Dataverse ${sandboxes.dataverse.url}\n`,
    );
    const env = { ...io.env, ...sandboxes.env };
    const local: CliIo = { ...io, env };
    io.err('compile\n');
    const compiled = compile({ spec: options.spec, out: '.' }, { ...local, out: (t) => io.err(t) });
    if (compiled !== 0) return compiled;
    io.err('schema apply\n');
    const applied = await apply({ spec: options.spec }, { ...local, out: (t) => io.err(t) });
    if (applied !== 0) return applied;
    io.err('run\n');
    const journal = join(dir, 'journal.db');
    const code = await runCommand(
      {
        spec: options.spec,
        journal,
        resume: false,
        format: 'text',
        rate: String(rate),
        archiveDir: join(dir, 'archive'),
      },
      local,
    );
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    io.out(
      `\ndemo finished in ${seconds} s\n  journal: ${journal}\n  archive: ${join(dir, 'archive')}\n  audit log: npx flitstack log --journal ${journal} --run 1\n`,
    );
    return code;
  } finally {
    await sandboxes.close();
  }
}
