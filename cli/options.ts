import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseFaults } from '../sandbox/shared/faults.ts';
import { UsageError } from './errors.ts';

/**
 * A numeric option: a finite number above zero (or zero with `zero`), whole with `integer`; anything else
 * is a usage error naming the option.
 */
export function numberOption(
  name: string,
  value: unknown,
  { integer = false, zero = false }: { integer?: boolean; zero?: boolean } = {},
): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !zero) || (integer && !Number.isInteger(n)))
    throw new UsageError(
      `--${name} must be a ${zero ? '' : 'positive '}${integer ? 'whole ' : ''}number, got '${String(value)}'`,
    );
  return n;
}

/** `--rate`: PracticeHub requests per second; undefined keeps the spec's source.rate_limit. */
export function rateOption(value: string | undefined): number | undefined {
  return value === undefined ? undefined : numberOption('rate', value);
}

/** `--faults` of the sandboxes, the same faults on both servers. */
export function faultsOption(value: unknown) {
  if (typeof value !== 'string') return undefined;
  try {
    const faults = parseFaults(value);
    return { practicehub: faults, dataverse: faults };
  } catch (error) {
    throw new UsageError(`--faults: ${(error as Error).message}`);
  }
}

/**
 * The users the sandbox organisation gets beyond its own: the spec's fallback owner (owners.fallback in
 * migration.yaml), as the real organisation would have it.
 */
export function sandboxUsers(specDir: string, cwd: string) {
  const file = join(cwd, specDir, 'migration.yaml');
  if (!existsSync(file)) return [];
  try {
    const owner = (parse(readFileSync(file, 'utf8')) as { owners?: { fallback?: unknown } } | null)?.owners
      ?.fallback;
    return typeof owner === 'string' ? [{ email: owner, firstName: 'Migration', lastName: 'Owner' }] : [];
  } catch {
    return [];
  }
}
