import { type Sandboxes, type SandboxesOptions, startSandboxes } from '../../sandbox/index.ts';
import { UsageError } from '../errors.ts';
import type { CliIo } from '../io.ts';
import { faultsOption, numberOption, sandboxUsers } from '../options.ts';

/**
 * Starts the sandboxes; a port that cannot be listened on is a usage error naming its option. Both
 * servers start one after the other, so the error's port tells which option asked for it.
 */
async function startOnPorts(options: SandboxesOptions): Promise<Sandboxes> {
  const ports = [
    ['practicehub-port', options.practiceHubPort],
    ['dataverse-port', options.dataversePort],
  ] as const;
  if (options.practiceHubPort && options.practiceHubPort === options.dataversePort)
    throw new UsageError(
      `--practicehub-port and --dataverse-port are both ${options.practiceHubPort}: give them different ports, or leave one out for a free port`,
    );
  try {
    return await startSandboxes(options);
  } catch (error) {
    const { code, port } = error as NodeJS.ErrnoException & { port?: number };
    const option = ports.find(([, p]) => p !== undefined && p !== 0 && p === port)?.[0];
    if (!option) throw error;
    if (code === 'EADDRINUSE')
      throw new UsageError(
        `--${option} ${port}: the port is already in use (another program, or a sandbox still running, listens on it); stop that program, choose another port, or leave --${option} out for a free port`,
      );
    if (code === 'EACCES')
      throw new UsageError(
        `--${option} ${port}: not allowed to listen on this port (ports below 1024 need privileges); choose a port from 1024 up, or leave --${option} out for a free port`,
      );
    throw error;
  }
}

/** Starts both sandboxes, prints `export NAME=value` lines, and runs until stopped (see `stopped`). */
export async function sandbox(
  options: Record<string, string | boolean | undefined>,
  io: CliIo,
): Promise<number> {
  const licence = options.licence;
  if (licence !== 'professional' && licence !== 'enterprise')
    throw new UsageError(`--licence must be professional or enterprise, got '${String(licence)}'`);
  const sandboxes = await startOnPorts({
    seed: numberOption('seed', options.seed, { integer: true, zero: true }),
    scale: numberOption('scale', options.scale),
    rate: numberOption('rate', options.rate),
    projection: options.projection === true,
    faults: faultsOption(options.faults),
    licence,
    practiceHubPort: numberOption('practicehub-port', options.practicehubPort, {
      integer: true,
      zero: true,
      max: 65_535,
    }),
    dataversePort: numberOption('dataverse-port', options.dataversePort, {
      integer: true,
      zero: true,
      max: 65_535,
    }),
    extraUsers: sandboxUsers(String(options.spec ?? 'spec'), io.cwd, io.err),
  });
  // Listening before the environment is printed, so that a kill as soon as it is read stops cleanly.
  const stop = stopped();
  for (const [name, value] of Object.entries(sandboxes.env)) io.out(`export ${name}=${value}\n`);
  io.err(
    `# PracticeHub sandbox ${sandboxes.practicehub.baseUrl} (seed ${options.seed}, scale ${options.scale}, ${options.rate} request/s)\n`,
  );
  io.err(
    `# Dataverse sandbox ${sandboxes.dataverse.url}; inspection at ${sandboxes.dataverse.url}/_sandbox/snapshot\n`,
  );
  io.err('# Running until interrupted (Ctrl-C, kill), or until the process that started it ends.\n');
  await stop;
  await sandboxes.close();
  return 0;
}

/** How often the sandbox looks whether the process that started it is still there. */
const PARENT_POLL_MS = 200;

/**
 * Resolves on SIGINT, SIGTERM or SIGHUP, or once the process that started this one has ended. `npx
 * flitstack sandbox &` runs node under `npm exec` and a `sh -c` of its own; a script, which has no job
 * control, signals npm alone with `kill %1` or `kill $!`, and the shell npm then stops leaves node
 * behind, listening. Node re-parented (process.ppid changes, read anew at each call) is that case.
 */
function stopped(): Promise<void> {
  const parent = process.ppid;
  return new Promise<void>((resolve) => {
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const stop = () => {
      clearInterval(watch);
      for (const signal of signals) process.off(signal, stop);
      resolve();
    };
    const watch = setInterval(() => {
      if (process.ppid !== parent) stop();
    }, PARENT_POLL_MS);
    for (const signal of signals) process.once(signal, stop);
  });
}
