import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startSandboxes } from '../../sandbox/index.ts';
import { parseFaults } from '../../sandbox/shared/faults.ts';
import { UsageError } from '../errors.ts';
import type { CliIo } from '../io.ts';

function positive(name: string, value: string | boolean | undefined, integer = true): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n)))
    throw new UsageError(`--${name} must be a ${integer ? 'whole ' : ''}number, got '${String(value)}'`);
  return n;
}

/** The spec's fallback owner, so the organisation has the user records fall back to. */
function fallbackOwner(specDir: string, cwd: string): string | undefined {
  const file = join(cwd, specDir, 'migration.yaml');
  if (!existsSync(file)) return undefined;
  try {
    const owner = (parse(readFileSync(file, 'utf8')) as { owners?: { fallback?: unknown } } | null)?.owners
      ?.fallback;
    return typeof owner === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}

/** Starts both sandboxes, prints `export NAME=value` lines, and waits for SIGINT/SIGTERM. */
export async function sandbox(
  options: Record<string, string | boolean | undefined>,
  io: CliIo,
): Promise<number> {
  const licence = options.licence;
  if (licence !== 'professional' && licence !== 'enterprise')
    throw new UsageError(`--licence must be professional or enterprise, got '${String(licence)}'`);
  let faults: ReturnType<typeof parseFaults> | undefined;
  try {
    faults = typeof options.faults === 'string' ? parseFaults(options.faults) : undefined;
  } catch (error) {
    throw new UsageError(`--faults: ${(error as Error).message}`);
  }
  const owner = fallbackOwner(String(options.spec ?? 'spec'), io.cwd);
  const sandboxes = await startSandboxes({
    seed: positive('seed', options.seed),
    scale: positive('scale', options.scale, false),
    rate: positive('rate', options.rate, false),
    projection: options.projection === true,
    faults: faults ? { practicehub: faults, dataverse: faults } : undefined,
    licence,
    practiceHubPort: positive('practicehub-port', options.practicehubPort),
    dataversePort: positive('dataverse-port', options.dataversePort),
    extraUsers: owner ? [{ email: owner, firstName: 'Migration', lastName: 'Owner' }] : [],
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
