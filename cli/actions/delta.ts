import type { Journal, RunRecord } from '../../runtime/journal/index.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import { runMigration } from '../../runtime/run/pipeline.ts';
import { UsageError } from '../errors.ts';
import type { CliIo } from '../io.ts';
import { openLoad, type RunCommandOptions, reportLoad } from './run.ts';

export interface DeltaCommandOptions extends RunCommandOptions {
  readonly overlap: string;
}

const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `90`, `90s`, `10m`, `2h`, `1d` in seconds. */
export function durationSeconds(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(text.trim());
  const seconds = match ? Number(match[1]) * UNITS[match[2] || 's']! : Number.NaN;
  // Ten years is more than any clock skew; beyond it the instant to read from is not a date.
  if (!(seconds <= 10 * 365 * 86_400))
    throw new UsageError(
      `--overlap must be a duration such as 90s, 10m or 2h (a number without a unit is seconds), at most 3650d, got '${text}'`,
    );
  return seconds;
}

/** The newest completed run or delta: what a delta picks up from. */
export function baseRun(journal: Journal): RunRecord | undefined {
  return journal
    .runs()
    .filter((r) => (r.kind === 'run' || r.kind === 'delta') && r.status === 'completed')
    .at(-1);
}

/**
 * Per resource, the instant a delta reads from: the earlier of the greatest `updated_at` seen and the
 * moment extraction began (a record changed mid-extraction may sit on a page read before), less the
 * overlap for clock skew. The watermark is that of the newest delta not rolled back, or with none the
 * first full run's: a full run's whole read lists no deletion, so a delta after it still reads from the
 * delta or run before it; after a rollback the delta reads again what the rolled back one had read.
 * A resource without a watermark is read whole.
 */
export function deltaSince(
  journal: Journal,
  module: GeneratedModule,
  overlapSeconds: number,
): Record<string, string> {
  const since: Record<string, string> = {};
  for (const resource of new Set(Object.values(module.MAPPINGS).map((m) => m.source))) {
    const mark = journal.watermarks.get(resource);
    if (!mark) continue;
    const times = [Date.parse(mark.maxUpdatedAt)];
    if (mark.extractionStartedAt) times.push(Date.parse(mark.extractionStartedAt));
    const from = Math.min(...times.filter(Number.isFinite)) - overlapSeconds * 1000;
    since[resource] = `${new Date(from).toISOString().slice(0, 19)}Z`;
  }
  return since;
}

/** `flitstack delta`: loads what changed in PracticeHub since the last delta (or the first run), and its deletions. */
export async function deltaCommand(options: DeltaCommandOptions, io: CliIo): Promise<number> {
  const overlap = durationSeconds(options.overlap);
  const ctx = await openLoad(options, io, (journal) => {
    if (baseRun(journal)) return undefined;
    io.err(
      `refusing to pick up changes: ${journal.path} holds no completed run to start from.\n  run \`flitstack run\` first\n`,
    );
    return 1;
  });
  if (typeof ctx === 'number') return ctx;
  try {
    const base = baseRun(ctx.journal)!;
    if (base.specHash !== ctx.spec.specHash)
      io.err(
        `note: the spec changed since run ${base.id}; a delta applies it only to records changed since. Run \`flitstack run\` to apply it to every record.\n`,
      );
    const since = deltaSince(ctx.journal, ctx.module, overlap);
    for (const resource of new Set(Object.values(ctx.module.MAPPINGS).map((m) => m.source)))
      io.err(
        since[resource]
          ? `${resource}: changed since ${since[resource]}\n`
          : `${resource}: no watermark, read whole\n`,
      );
    const result = await runMigration(ctx.deps, {
      kind: 'delta',
      resume: options.resume,
      parentRun: base.id,
      since,
      options: { overlap: options.overlap },
    });
    return reportLoad(ctx, result, options.format, io, { base: base.id, since });
  } finally {
    await ctx.close();
  }
}
