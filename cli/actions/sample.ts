import { join } from 'node:path';
import { compileSpec } from '../../compiler/compile.ts';
import type { Ir } from '../../compiler/ir/types.ts';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import { sampleHtml, sampleMarkdown } from '../../runtime/sample/render.ts';
import { type SampleResult, takeSample } from '../../runtime/sample/sample.ts';
import type { SelectEvent } from '../../runtime/sample/select.ts';
import { type SampleView, sampleView, unsampledText } from '../../runtime/sample/view.ts';
import { writePrivate } from '../../runtime/shared/private-file.ts';
import type { SampleCliOptions } from '../commands/sample.ts';
import { UsageError } from '../errors.ts';
import type { CliIo } from '../io.ts';
import type { CheckedSpec } from '../migration.ts';
import { numberOption } from '../options.ts';
import { laterOutputDirectory } from '../output.ts';
import { diskCachedParser } from '../yaml-cache.ts';
import { openLoad } from './run.ts';

/** The IR of the checked spec (compiled again: the check keeps only its files). */
function irOf(spec: CheckedSpec, io: CliIo): Ir {
  const result = compileSpec(spec.input, createSchemaValidators(), {
    typecheck: false,
    parseFile: diskCachedParser(join(io.cwd, '.flitstack', 'cache', 'yaml')),
  });
  if (!result.ir)
    throw new UsageError(
      `${spec.input.root} changed after it was checked and no longer compiles: run \`flitstack validate\`, then the sample again`,
    );
  return result.ir;
}

function selectLine(e: SelectEvent): string {
  return e.type === 'read'
    ? `  read ${e.resource}: ${e.records} records, ${e.pages} page${e.pages === 1 ? '' : 's'}\n`
    : `  sampled ${e.resource}: ${e.records} records\n`;
}

function summary(result: SampleResult, view: SampleView, files: readonly string[]): string {
  const r = result.selection.requests;
  const lines = [
    `sample run ${result.run.run.id} ${result.run.run.status}: ${view.records} source records, ${result.comparisons.length} compared, ${result.differences} differing from the spec`,
    `PracticeHub requests: ${r.made} to pick (minimum ${r.minimum}${r.byId > 0 ? `, ${r.byId} by id` : ''}), ${result.requests.practicehubLoad} to load; Dataverse requests to read back: ${result.requests.dataverseReadBack}`,
    ...result.tallies
      .filter((t) => t.mismatch + t.missing + t.unexpected > 0)
      .map(
        (t) => `  ${t.mapping}: ${t.mismatch} mismatching, ${t.missing} missing, ${t.unexpected} unexpected`,
      ),
    ...result.unsampled.map((u) => `  not checked: ${unsampledText(u, result.run.run.id)}`),
    ...(result.selection.dangling.length > 0
      ? [
          `  missing in PracticeHub, though sampled records refer to them: ${result.selection.dangling.slice(0, 10).join(', ')}${result.selection.dangling.length > 10 ? `, … (${result.selection.dangling.length} in all)` : ''}; what refers to them is journaled as the run resolved it (\`flitstack log --run ${result.run.run.id}\`)`,
        ]
      : []),
    ...files.map((f) => `wrote ${f} (holds data values)`),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Refuses a size below one record per mapping, before any record is read or written: the sample holds
 * at least one record of each mapping. Taking more than asked without a word would surprise, and a
 * sample that left mappings out would check less than it claims; the user picks the larger size.
 */
function checkSize(size: number, asked: boolean, mappings: number, specRoot: string): void {
  if (size >= mappings) return;
  const where = asked ? `--size ${size}` : `sample.size ${size} in ${specRoot}/migration.yaml`;
  throw new UsageError(
    `${where} is less than the ${mappings} mappings of the spec: a sample holds at least one record of each mapping; ${asked ? 'give' : 'set it to, or give'} --size ${mappings} or more`,
  );
}

/** `flitstack sample`: picks, loads, reads back and compares a sample; writes sample.md and sample.html. */
export async function sampleCommand(options: SampleCliOptions, io: CliIo): Promise<number> {
  const asked =
    options.size === undefined
      ? undefined
      : numberOption('size', options.size, { integer: true, max: 10_000 });
  const names = ['sample.md', 'sample.html'];
  // The reports hold patient data: their directory is private.
  const out = laterOutputDirectory('--out', options.out, io.cwd, names, 0o700);
  const ctx = await openLoad({ ...options, resume: false }, io);
  if (typeof ctx === 'number') return ctx;
  try {
    const ir = irOf(ctx.spec, io);
    const size = asked ?? ctx.module.MIGRATION.sampleSize;
    checkSize(size, asked !== undefined, ctx.module.LOAD_ORDER.length, ctx.spec.input.root);
    io.err(`picking a sample of about ${size} records (one read of each resource):\n`);
    const result = await takeSample({ ...ctx.deps, ir, onSelect: (e) => io.err(selectLine(e)) }, size);
    ctx.progress.stop();
    const view = sampleView(result, ir);
    const dir = out.make();
    const files = names.map((f) => join(dir, f));
    writePrivate(files[0]!, sampleMarkdown(view));
    writePrivate(files[1]!, sampleHtml(view));
    if (options.format === 'json') {
      io.out(
        `${JSON.stringify(
          {
            run: result.run.run.id,
            status: result.run.run.status,
            records: view.records,
            compared: view.compared,
            differences: result.differences,
            requests: view.requests,
            criteria: view.criteria,
            tallies: result.tallies,
            unsampled: result.unsampled,
            dangling: result.selection.dangling,
            files,
          },
          null,
          2,
        )}\n`,
      );
    } else io.out(summary(result, view, files));
    return result.differences > 0 || result.unsampled.length > 0 ? 1 : 0;
  } finally {
    await ctx.close();
  }
}
