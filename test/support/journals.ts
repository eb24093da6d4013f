import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { Journal, type OperationRecord } from '../../runtime/journal/index.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { flitstack, KEYS_ACTIVE_AT_ONCE, sandboxes } from './migration.ts';
import { tempDir } from './tmp.ts';

/** The operations of one run of a journal file with one action. */
export function operations(
  file: string,
  runId: number,
  action: OperationRecord['action'],
): OperationRecord[] {
  const journal = Journal.open(file, { readonly: true });
  try {
    return [...journal.operations(runId, { action })];
  } finally {
    journal.close();
  }
}

/** The ids of the runs of a journal file, oldest first. */
export function runIds(file: string): number[] {
  const journal = Journal.open(file, { readonly: true });
  try {
    return journal.runs().map((r) => r.id);
  } finally {
    journal.close();
  }
}

const started: Sandboxes[] = [];
afterEach(async () => {
  for (const sb of started.splice(0)) await sb.close();
});

/**
 * Fresh sandboxes (scale 0.05, `seed`) with the schema applied, closed after the test, and the CLI
 * against them with journals named by file in one temporary directory; its keys Active at once.
 */
export async function freshOrganisation(seed: number) {
  const box = await sandboxes({ scale: 0.05, seed, dataverse: KEYS_ACTIVE_AT_ONCE });
  started.push(box);
  expect((await flitstack(box, 'schema', 'apply')).code).toBe(0);
  return { box, ...journalsCli(box) };
}

/** The CLI against `box` with journals named by file in one temporary directory. */
function journalsCli(box: Sandboxes) {
  const dir = tempDir('flitstack-journals-');
  const cli = (journal: string, ...args: string[]) =>
    flitstack(box, ...args, '--journal', join(dir, journal));
  /** A loading command (run, delta) with its JSON summary's run id. */
  const load = async (journal: string, ...args: string[]) => {
    const result = await cli(journal, ...args, '--format', 'json', '--rate', '1000');
    expect(result.code, result.err).toBe(0);
    return { ...result, run: JSON.parse(result.out).run as number };
  };
  return { dir, cli, load, file: (journal: string) => join(dir, journal) };
}
