import { expect } from 'vitest';
import {
  type BatchItem,
  type BatchRequest,
  DataverseClient,
  optionsFromEnv,
} from '../../runtime/dataverse/index.ts';
import type { RunRecord } from '../../runtime/journal/index.ts';
import { type RunDeps, type RunOptions, runMigration } from '../../runtime/run/pipeline.ts';

/** The requests of a `$batch`, change sets opened. */
export const requestsOf = (items: readonly BatchItem[]): BatchRequest[] =>
  items.flatMap((item) => ('changeSet' in item ? item.changeSet : [item]));

/**
 * A Dataverse client whose process dies right after Dataverse took a matching `$batch`: the batch is
 * sent and applied, its answer is lost, and every later request fails, as nothing follows a killed
 * process. The run stops where a kill would leave it: the rows changed, their page not journaled.
 * `onDeath` runs at that moment (a test marks the run interrupted there, as Ctrl-C does).
 */
export class DiesAfter extends DataverseClient {
  dead = false;
  constructor(
    env: Record<string, string>,
    private readonly matches: (requests: readonly BatchRequest[]) => boolean,
    private readonly onDeath: () => void = () => undefined,
  ) {
    super(optionsFromEnv(env));
  }
  private check(): void {
    if (this.dead) throw new Error('the process was killed');
  }
  override async batch(...args: Parameters<DataverseClient['batch']>) {
    this.check();
    const results = await super.batch(...args);
    if (this.matches(requestsOf(args[0]))) {
      this.dead = true;
      this.onDeath();
      this.check();
    }
    return results;
  }
  override async upsertMultiple(...args: Parameters<DataverseClient['upsertMultiple']>) {
    this.check();
    return super.upsertMultiple(...args);
  }
  override query<T>(...args: Parameters<DataverseClient['query']>): AsyncGenerator<T> {
    this.check();
    return super.query<T>(...args);
  }
}

/**
 * Runs `options` with a client that dies after Dataverse took a `$batch` matching `matches` (see
 * DiesAfter): the run must stop there. `onDeath` runs at that moment. Returns the run as it was left.
 */
export async function diesAfter(
  deps: RunDeps,
  env: Record<string, string>,
  matches: (requests: readonly BatchRequest[]) => boolean,
  options: RunOptions = {},
  onDeath?: () => void,
): Promise<RunRecord> {
  const dying = new DiesAfter(env, matches, onDeath);
  try {
    await expect(runMigration({ ...deps, dataverse: dying }, options)).rejects.toThrow();
    expect(dying.dead).toBe(true);
  } finally {
    await dying.close();
  }
  return deps.journal.latestRun({ kind: options.kind ?? 'run' })!;
}
