import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { parseFaults } from '../sandbox/shared/faults.ts';
import { UsageError } from './errors.ts';

/**
 * A numeric option written as plain digits (no sign, exponent or hex): above zero (or zero with `zero`),
 * whole with `integer`, at most `max`; anything else is a usage error naming the option and the range.
 */
export function numberOption(
  name: string,
  value: unknown,
  {
    integer = false,
    zero = false,
    max = Number.MAX_SAFE_INTEGER,
  }: { integer?: boolean; zero?: boolean; max?: number } = {},
): number {
  const text = String(value).trim();
  const n = Number(text);
  const plain = integer ? /^\d+$/ : /^\d+(\.\d+)?$/;
  if (
    !plain.test(text) ||
    n < (zero ? 0 : Number.MIN_VALUE) ||
    n > max ||
    (integer && !Number.isSafeInteger(n))
  )
    throw new UsageError(
      `--${name} must be a ${zero ? '' : 'positive '}${integer ? 'whole ' : ''}number${max < Number.MAX_SAFE_INTEGER ? ` up to ${max}` : ''}, got '${String(value)}'`,
    );
  return n;
}

/** `--run <id>`: a run of the journal. */
export function runOption(value: string): number {
  return numberOption('run', value, { integer: true });
}

/** The journal path, which must exist: a rollback or a report of a journal that is not there is a mistake. */
export function existingJournal(path: string, cwd: string): string {
  const absolute = resolve(cwd, path);
  if (!existsSync(absolute))
    throw new UsageError(`no journal at ${absolute} (pass the file the run used with --journal)`);
  return absolute;
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
 * migration.yaml), as the real organisation would have it. A --spec other than the default that holds
 * no migration.yaml is a usage error; the default missing, or a migration.yaml that cannot be read, gets
 * a warning through `warn`: the sandboxes still start, and a run would stop at the missing owner.
 */
export function sandboxUsers(specDir: string, cwd: string, warn: (line: string) => void) {
  const file = join(resolve(cwd, specDir), 'migration.yaml');
  const without =
    'so the Dataverse sandbox has no user for owners.fallback (a run would stop for want of it)';
  if (!existsSync(file)) {
    if (specDir !== 'spec')
      throw new UsageError(
        `--spec ${specDir}: there is no migration.yaml in ${resolve(cwd, specDir)}; pass the spec directory, the one holding migration.yaml`,
      );
    warn(`warning: no ${file}, ${without}; run from the project folder or pass --spec <dir>\n`);
    return [];
  }
  try {
    const owner = (parse(readFileSync(file, 'utf8')) as { owners?: { fallback?: unknown } } | null)?.owners
      ?.fallback;
    if (typeof owner === 'string') return [{ email: owner, firstName: 'Migration', lastName: 'Owner' }];
    warn(`warning: ${file} names no owners.fallback, ${without}\n`);
    return [];
  } catch (error) {
    warn(
      `warning: ${file} could not be read (${(error as Error).message.split('\n')[0]}), ${without}; \`flitstack validate\` shows where\n`,
    );
    return [];
  }
}
