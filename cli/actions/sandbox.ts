import { startSandboxes } from '../../sandbox/index.ts';
import { UsageError } from '../errors.ts';
import type { CliIo } from '../io.ts';
import { faultsOption, numberOption, sandboxUsers } from '../options.ts';

/** Starts both sandboxes, prints `export NAME=value` lines, and waits for SIGINT/SIGTERM. */
export async function sandbox(
  options: Record<string, string | boolean | undefined>,
  io: CliIo,
): Promise<number> {
  const licence = options.licence;
  if (licence !== 'professional' && licence !== 'enterprise')
    throw new UsageError(`--licence must be professional or enterprise, got '${String(licence)}'`);
  const sandboxes = await startSandboxes({
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
    extraUsers: sandboxUsers(String(options.spec ?? 'spec'), io.cwd),
  });
  for (const [name, value] of Object.entries(sandboxes.env)) io.out(`export ${name}=${value}\n`);
  io.err(
    `# PracticeHub sandbox ${sandboxes.practicehub.baseUrl} (seed ${options.seed}, scale ${options.scale}, ${options.rate} request/s)\n`,
  );
  io.err(
    `# Dataverse sandbox ${sandboxes.dataverse.url}; inspection at ${sandboxes.dataverse.url}/_sandbox/snapshot\n`,
  );
  io.err('# Running until interrupted (Ctrl-C).\n');
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await sandboxes.close();
  return 0;
}
