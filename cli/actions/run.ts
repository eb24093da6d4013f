import { type RunResult, runMigration } from '../../runtime/run/pipeline.ts';
import { checkSchema, readLiveSchema } from '../../runtime/schema/verify.ts';
import { UsageError } from '../errors.ts';
import type { CliIo } from '../io.ts';
import { confirmedSpec, dataverseFromEnv, openJournal, practiceHubFromEnv } from '../migration.ts';
import { progressReporter } from '../progress.ts';
import { findingLines } from './schema.ts';

export interface RunCommandOptions {
  readonly spec: string;
  readonly journal: string;
  readonly resume: boolean;
  readonly format: 'text' | 'json';
  readonly rate?: string;
  readonly archiveDir?: string;
}

/** The per-mapping accounting as a table: extracted = loaded + rejected + skipped. */
export function accountingTable(result: RunResult): string {
  const rows = Object.entries(result.summary);
  const width = Math.max(7, ...rows.map(([name]) => name.length));
  const line = (cells: (string | number)[]) =>
    `${String(cells[0]).padEnd(width)}  ${cells
      .slice(1)
      .map((c) => String(c).padStart(9))
      .join('  ')}\n`;
  let text = line(['mapping', 'extracted', 'loaded', 'rejected', 'skipped', 'balanced']);
  for (const [name, c] of rows)
    text += line([
      name,
      c.extracted,
      c.loaded,
      c.rejected,
      c.skipped,
      c.extracted === c.loaded + c.rejected + c.skipped ? 'yes' : 'NO',
    ]);
  return text;
}

/** `flitstack run`: refuses to start unless the spec, generated code, licence flags and schema are ready. */
export async function runCommand(options: RunCommandOptions, io: CliIo): Promise<number> {
  const spec = await confirmedSpec(options.spec, io);
  if (typeof spec === 'number') return spec;
  const { module, plan } = spec.generated;
  const blocking = plan.flags.filter((f) => f.blocking);
  if (blocking.length > 0) {
    for (const f of blocking)
      io.err(
        `refusing to load: ${f.kind === 'custom-tables' ? 'custom tables' : `custom columns on ${f.table}`} ${f.count}/${f.limit} on Sales Professional (${f.rule}).\n  resolve it: ${f.resolutions.join('; or ')}\n`,
      );
    return 1;
  }
  const dataverse = dataverseFromEnv(io.env);
  const rate = options.rate === undefined ? undefined : Number(options.rate);
  if (rate !== undefined && !(rate > 0))
    throw new UsageError(`--rate must be a positive number of requests per second, got '${options.rate}'`);
  const practicehub = practiceHubFromEnv(io.env, spec.generated, { requestsPerSecond: rate });
  const journal = openJournal(options.journal, io.cwd);
  const progress = progressReporter(io);
  try {
    const findings = checkSchema(await readLiveSchema(dataverse, plan, module.TABLES), plan, module.TABLES);
    if (findings.length > 0) {
      io.err(
        `refusing to load: the organisation lacks what the spec writes (nothing was written):\n${findingLines(findings)}`,
      );
      return 1;
    }
    const result = await runMigration(
      {
        module,
        practicehub,
        dataverse,
        journal,
        account: `${module.MIGRATION.account ?? 'account'}.${module.MIGRATION.region}`,
        specHash: spec.specHash,
        codeHash: spec.codeHash,
        archiveDir: options.archiveDir,
        onEvent: progress.onEvent,
      },
      { resume: options.resume },
    );
    progress.stop();
    if (options.format === 'json') {
      io.out(
        `${JSON.stringify({ run: result.run.id, status: result.run.status, resumed: result.resumed, rejected: result.rejected, unbalanced: result.unbalanced, summary: result.summary, practicehub: practicehub.stats(), dataverse: dataverse.stats() }, null, 2)}\n`,
      );
    } else {
      io.out(
        `run ${result.run.id} ${result.run.status}${result.resumed ? ' (resumed)' : ''}\n${accountingTable(result)}`,
      );
      if (result.rejected > 0)
        io.out(
          `${result.rejected} records rejected: \`flitstack log --run ${result.run.id}\` lists them with their reasons\n`,
        );
      if (result.unbalanced.length > 0)
        io.out(`accounting does not balance for ${result.unbalanced.join(', ')}\n`);
    }
    return result.rejected > 0 || result.unbalanced.length > 0 ? 1 : 0;
  } finally {
    progress.stop();
    journal.close();
    await Promise.all([practicehub.close(), dataverse.close()]);
  }
}
