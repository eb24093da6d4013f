import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeDirectory } from '../../runtime/shared/paths.ts';
import { startSandboxes } from '../../sandbox/index.ts';
import { UsageError } from '../errors.ts';
import type { CliIo } from '../io.ts';
import { faultsOption, numberOption, sandboxUsers } from '../options.ts';
import { compile } from './compile.ts';
import { runCommand } from './run.ts';
import { apply } from './schema.ts';

/**
 * The file a demo leaves in its `--dir`. Only a directory holding it is one the demo made, and only there
 * does a later demo remove anything: `--dir` names a path the user typed, which may hold anything.
 */
const MARKER = '.flitstack-demo';

/** What a demo writes into its directory, and all that a later demo removes from it. */
const DEMO_ENTRIES = ['journal.db', 'journal.db-wal', 'journal.db-shm', 'journal.db-journal', 'archive'];

/**
 * Makes `dir` ready for a demo: created when missing; when it exists, used only if it is empty or an
 * earlier demo made it, whose journal and archive are then removed (the sandboxes start empty every
 * time, so an earlier run's journal would not match them). Anything else is refused untouched.
 */
function prepareDir(dir: string, given: string): void {
  const stat = statSync(dir, { throwIfNoEntry: false });
  if (stat && !stat.isDirectory())
    throw new UsageError(
      `--dir ${given}: ${dir} is a file, not a directory; choose another --dir (a new or empty directory)`,
    );
  try {
    if (stat) {
      const entries = readdirSync(dir);
      // A directory holding only what a demo writes is an earlier demo's, from before the marker.
      const demoMade = entries.includes(MARKER) || entries.every((e) => DEMO_ENTRIES.includes(e));
      if (!demoMade)
        throw new UsageError(
          `--dir ${given}: ${dir} already holds files and was not made by flitstack demo (it has no ${MARKER}); choose another --dir, or remove that directory yourself`,
        );
      for (const name of DEMO_ENTRIES) rmSync(join(dir, name), { recursive: true, force: true });
    } else makeDirectory(dir);
    writeFileSync(
      join(dir, MARKER),
      'flitstack demo keeps its journal and archive here; the next demo with this --dir replaces them.\n',
    );
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `--dir ${given}: cannot prepare ${dir}: ${(error as Error).message}; choose another --dir`,
    );
  }
}

/**
 * The README's main command: sandboxes in this process, compile, schema apply, run. The journal and the
 * archive go to `--dir`, which must be new, empty, or an earlier demo's.
 */
export async function demo(
  options: { spec: string; scale: string; seed: string; rate: string; faults?: string; dir: string },
  io: CliIo,
): Promise<number> {
  // The numeric and fault options are checked before the directory is touched (the spec is read later).
  const rate = numberOption('rate', options.rate);
  const faults = faultsOption(options.faults);
  const seed = numberOption('seed', options.seed, { integer: true, zero: true });
  const scale = numberOption('scale', options.scale);
  const dir = resolve(io.cwd, options.dir);
  prepareDir(dir, options.dir);
  const started = Date.now();
  const sandboxes = await startSandboxes({
    seed,
    scale,
    rate,
    faults,
    extraUsers: sandboxUsers(options.spec, io.cwd, io.err),
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
    // A run refused before it started (an unconfirmed spec, say) left no journal to point at.
    if (!existsSync(journal)) {
      io.err(`\ndemo stopped after ${seconds} s: the run did not start (see above)\n`);
      return code === 0 ? 1 : code;
    }
    io.out(
      `\ndemo ${code === 0 ? 'finished' : `ended (exit ${code})`} in ${seconds} s\n  journal: ${journal}\n  archive: ${join(dir, 'archive')}\n  audit log: npx flitstack log --journal ${journal} --run 1\n`,
    );
    return code;
  } finally {
    await sandboxes.close();
  }
}
