import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { formatText } from '../../compiler/diagnostics/format.ts';
import { loadSpec, type SpecInput } from '../../compiler/load/spec-dir.ts';
import { readSourceModel } from '../../compiler/model/read-models.ts';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import type { AuditReport } from '../../runtime/audit/index.ts';
import { propose } from '../../runtime/propose/index.ts';
import type { ProposeCliOptions } from '../commands/propose.ts';
import { UsageError } from '../errors.ts';
import type { CliIo } from '../io.ts';
import { parseJsonFile } from '../json-file.ts';
import { readSpecDir, sourceLookup } from '../spec-files.ts';

const DEFAULT_AUDIT = '.flitstack/audit/audit.json';

function readAudit(path: string | undefined, cwd: string): AuditReport | undefined {
  const file = resolve(cwd, path ?? DEFAULT_AUDIT);
  if (!existsSync(file)) {
    if (path) throw new UsageError(`audit report '${path}' not found: run flitstack audit first`);
    return undefined;
  }
  const shown = path ?? DEFAULT_AUDIT;
  const again = 'give the audit.json that `flitstack audit` wrote, or run flitstack audit again';
  const report = parseJsonFile(readFileSync(file, 'utf8'), shown, again) as Partial<AuditReport> | null;
  if (report?.version !== 1 || !Array.isArray(report.resources))
    throw new UsageError(`${shown} is not an audit report of this version: run flitstack audit again`);
  return report as AuditReport;
}

/** `--only`'s resource names; undefined without the option. */
function onlyOption(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const only = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (only.length === 0)
    throw new UsageError('--only needs resource names, comma-separated, e.g. --only patients,appointments');
  return only;
}

/**
 * Refuses `--only` names the source model does not have: propose would draft nothing for them and say
 * so as if the spec were complete. Called once the spec validates, so its source model is there.
 */
function checkOnly(only: readonly string[], input: SpecInput): void {
  const model = loadSpec(input).sourceModel;
  if (!model) return;
  const resources = [...readSourceModel(model.file.data, model.file.path).resources.keys()].sort();
  const unknown = only.filter((name) => !resources.includes(name));
  if (unknown.length > 0)
    throw new UsageError(
      `--only: ${unknown.map((n) => `'${n}'`).join(', ')} ${unknown.length === 1 ? 'is not a resource' : 'are not resources'} of the source model ${model.file.path}; give resource names, one or more of: ${resources.join(', ')}`,
    );
}

/** Drafts proposals and writes them into the spec; returns the exit code. */
export function proposeCommand(options: ProposeCliOptions, io: CliIo): number {
  const only = onlyOption(options.only);
  const input = readSpecDir(options.spec, io.cwd);
  const specDir = isAbsolute(options.spec) ? options.spec : resolve(io.cwd, options.spec);
  const audit = readAudit(options.audit, io.cwd);
  if (!audit)
    io.err(
      `propose: no ${DEFAULT_AUDIT}: drafting from the source model alone (run flitstack audit for lengths and fill rates)\n`,
    );
  const result = propose(input, createSchemaValidators(), {
    ...(audit ? { audit } : {}),
    ...(only ? { only } : {}),
  });
  if ('refused' in result) {
    io.err(formatText(result.refused, sourceLookup(input)));
    io.err('propose: the spec has errors; fix them first (nothing drafted)\n');
    return 1;
  }
  if (only) checkOnly(only, input);
  if (!options.dryRun) {
    for (const f of result.files) {
      const path = join(specDir, f.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.contents);
    }
  }
  const marked = options.dryRun ? 'would be marked' : 'marked';
  for (const l of result.limits)
    io.err(
      [
        `propose: warning: the drafts take ${l.table} to ${l.count}/${l.limit} custom columns on Sales Professional (${l.before} without them); a load will not start until this is resolved or acknowledged`,
        `  drafts adding them (${marked} "# over the limit" in their files): ${l.drafts.join('; ')}`,
        `  hint: remove some of these drafts; or set license: enterprise; or move columns to a custom table; or acknowledge it in migration.yaml (acknowledge: - { flag: custom-columns-per-table, table: ${l.table}, reason: ... })\n`,
      ].join('\n'),
    );
  if (options.format === 'json') {
    const { files, diagnostics: _d, ...rest } = result;
    io.out(
      `${JSON.stringify({ ...rest, files: files.map((f) => ({ path: f.path, created: f.created })) }, null, 2)}\n`,
    );
    return 0;
  }
  const verb = options.dryRun ? 'would draft' : 'drafted';
  for (const d of result.drafted)
    io.out(
      `${verb} ${d.kind} ${input.root}/${d.file}: ${d.what} (confidence ${d.confidence}; ${d.reason})\n`,
    );
  for (const s of result.skipped)
    io.out(`left out ${s.resource}${s.path ? `.${s.path}` : ''}: ${s.reason}\n`);
  for (const d of result.dropped) io.out(`dropped ${d.what}: ${d.because}\n`);
  const lines = result.drafted.filter((d) => d.kind === 'line').length;
  const mappings = result.drafted.filter((d) => d.kind === 'mapping').length;
  const files = result.files.length;
  if (lines + mappings === 0) {
    const listed =
      result.skipped.length + result.dropped.length > 0 ? ', apart from what is listed above' : '';
    io.out(`nothing to draft: every source field is mapped or left out on purpose${listed}\n`);
    return 0;
  }
  const where = options.dryRun ? 'would be drafted' : `drafted in ${files} file${files === 1 ? '' : 's'}`;
  io.out(
    `${lines} line${lines === 1 ? '' : 's'} and ${mappings} mapping${mappings === 1 ? '' : 's'} ${where}; review them, then run flitstack compile and flitstack confirm\n`,
  );
  return 0;
}
