import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startSandboxes } from '../../sandbox/index.ts';
import type { CliIo } from '../io.ts';
import { faultsOption, numberOption, sandboxUsers } from '../options.ts';
import { compile } from './compile.ts';
import { runCommand } from './run.ts';
import { apply } from './schema.ts';

/**
 * The README's main command: sandboxes in this process, compile, schema apply, run. The journal and the
 * archive go to `--dir` (emptied first: the sandboxes start empty every time).
 */
export async function demo(
  options: { spec: string; scale: string; seed: string; rate: string; faults?: string; dir: string },
  io: CliIo,
): Promise<number> {
  const rate = numberOption('rate', options.rate);
  const faults = faultsOption(options.faults);
  const dir = resolve(io.cwd, options.dir);
  rmSync(dir, { recursive: true, force: true });
  const started = Date.now();
  const sandboxes = await startSandboxes({
    seed: numberOption('seed', options.seed, { integer: true, zero: true }),
    scale: numberOption('scale', options.scale),
    rate,
    faults,
    extraUsers: sandboxUsers(options.spec, io.cwd),
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
