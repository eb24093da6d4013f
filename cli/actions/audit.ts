import { writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { isMap, parse, parseDocument } from 'yaml';
import { hasErrors } from '../../compiler/diagnostics/diagnostic.ts';
import { buildIr } from '../../compiler/ir/build.ts';
import type { Ir } from '../../compiler/ir/types.ts';
import { validateSpec } from '../../compiler/validate/index.ts';
import { createSchemaValidators, type ErrorObject } from '../../compiler/validate/schemas.ts';
import {
  type AuditReport,
  attachmentsOf,
  auditMarkdown,
  buildReport,
  duration,
  isEmptyDiff,
  readTarget,
  rewriteSourceModel,
  rewriteTargetSnapshot,
  takeInventory,
  unnameable,
} from '../../runtime/audit/index.ts';
import { DataverseClient } from '../../runtime/dataverse/index.ts';
import { PracticeHubConfigError, resolveBaseUrl } from '../../runtime/practicehub/index.ts';
import { correspondenceColumns } from '../../runtime/propose/correspondences.ts';
import { missingVariables } from '../../runtime/shared/env.ts';
import type { AuditCliOptions } from '../commands/audit.ts';
import { UsageError } from '../errors.ts';
import type { CliIo } from '../io.ts';
import { dataverseOptionsFromEnv, practiceHubContact } from '../migration.ts';
import { rateOption } from '../options.ts';
import { laterOutputDirectory } from '../output.ts';
import { readSpecDir } from '../spec-files.ts';

const DATAVERSE_ENV = ['DATAVERSE_URL', 'AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET'] as const;

function samplePages(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 1000)
    throw new UsageError(`--sample-pages must be a whole number from 0 to 1000, got '${text}'`);
  return n;
}

function summary(r: AuditReport, written: readonly string[]): string {
  const served = r.resources.filter((x) => x.served);
  const d = r.diff;
  const lines = [
    `audited ${served.length} resources, ${served.reduce((n, x) => n + x.total, 0)} records (${r.requests.made} requests in ${duration(r.requests.seconds)})`,
    `model differences: ${d.new_resources.length} new resources, ${d.new_fields.length} new fields, ${d.unseen_fields.length} fields not seen, ${d.type_changes.length} type changes, ${d.new_values.length} fields with unlisted values`,
    'unavailable' in r.estimate
      ? `no estimate: ${r.estimate.unavailable}`
      : `estimate of a full run: ${r.estimate.source.requests} PracticeHub requests, ${r.estimate.load.requests} Dataverse requests, ${duration(r.estimate.wall_seconds)}`,
    ...written.map((w) => `wrote ${w}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** The first schema error as `at /pointer: message`. */
function schemaError(errors: readonly ErrorObject[] | null | undefined): string {
  const first = errors?.[0];
  return first
    ? `at ${first.instancePath || '/'}: ${first.message ?? 'does not match the schema'}`
    : 'does not match its schema';
}

/**
 * Refuses, before the inventory (minutes at the account's limit), a spec file the audit is to rewrite
 * that does not parse as a YAML mapping: the rewrite edits its text in place, so it could not be done.
 */
function checkRewritable(root: string, rel: string, text: string | undefined, option: string): void {
  const doc = parseDocument(text ?? '');
  const error = doc.errors[0];
  if (!error && isMap(doc.contents)) return;
  const at = error?.linePos?.[0];
  const where = at ? `:${at.line}:${at.col}` : '';
  const what = error ? 'does not parse as YAML' : 'is not a YAML mapping';
  throw new UsageError(
    `${root}/${rel}${where}: ${option} rewrites this file, and it ${what}: fix it first (flitstack validate shows how), then audit again`,
  );
}

/** Runs the audit; returns the exit code. */
export async function audit(options: AuditCliOptions, io: CliIo): Promise<number> {
  const pages = samplePages(options.samplePages);
  const rateOverride = rateOption(options.rate);
  const out = laterOutputDirectory('--out', options.out, io.cwd, ['audit.json', 'audit.md']);
  const input = readSpecDir(options.spec, io.cwd);
  const specDir = isAbsolute(options.spec) ? options.spec : resolve(io.cwd, options.spec);
  const validators = createSchemaValidators();
  const validation = validateSpec(input, validators);
  const { migration, source: model } = validation.context;
  if (!migration?.account || !migration.region)
    throw new UsageError(`set source.account and source.region in ${input.root}/migration.yaml`);
  const { missing, renames } = missingVariables(
    ['PRACTICEHUB_API_KEY', ...(options.target ? DATAVERSE_ENV : [])],
    io.env,
  );
  if (missing) throw new UsageError(`set ${missing}${renames} (see flitstack audit --help)`);
  // The organisation's settings are checked before the inventory, which takes minutes.
  const dataverseOptions = options.target ? dataverseOptionsFromEnv(io.env) : undefined;
  const contact = practiceHubContact(io.env, migration.fallbackOwner);
  if (!contact)
    throw new UsageError(
      'set PRACTICEHUB_CONTACT_EMAIL or owners.fallback: PracticeHub asks for a contact email',
    );
  const apiKey = io.env.PRACTICEHUB_API_KEY!;
  let baseUrl: string;
  try {
    baseUrl = resolveBaseUrl({
      account: migration.account,
      region: migration.region,
      apiKey,
      override: io.env.PRACTICEHUB_BASE_URL,
    });
  } catch (error) {
    if (error instanceof PracticeHubConfigError) throw new UsageError(error.message);
    throw error;
  }
  const sourceModel = options.writeModel ? validation.spec.sourceModel : undefined;
  const targetMetadata = options.target ? validation.spec.targetMetadata : undefined;
  if (sourceModel)
    checkRewritable(input.root, sourceModel.name, input.files.get(sourceModel.name), '--write-model');
  if (targetMetadata)
    checkRewritable(input.root, targetMetadata.name, input.files.get(targetMetadata.name), '--target');
  const valid = !hasErrors(validation.diagnostics);
  const rate = rateOverride ?? migration.requestsPerSecond;
  let ir: Ir | undefined;
  try {
    ir = valid ? buildIr(validation.context) : undefined;
  } catch {
    ir = undefined;
  }
  // The estimate is of a run at the same rate as the audit's.
  if (ir) ir = { ...ir, migration: { ...ir.migration, requestsPerSecond: rate } };
  const auditedAt = new Date();
  // The cheapest authenticated request (WhoAmI) first: a wrong AZURE_CLIENT_SECRET or DATAVERSE_URL
  // fails here in seconds instead of after the PracticeHub inventory, which takes minutes at 1 request/s.
  const dataverse = dataverseOptions ? new DataverseClient(dataverseOptions) : undefined;
  try {
    // The organisation's id names it in the report and the snapshot: DATAVERSE_URL stays out of both.
    let organizationId = '';
    if (dataverse) {
      io.err('audit: signing in to Dataverse\n');
      organizationId = (await dataverse.whoAmI()).organizationId;
    }
    // An unreachable or refusing PracticeHub (or Dataverse, below) is the environment, as for `run`:
    // its error reaches the CLI's handler, which prints it and exits 2.
    const inventory = await takeInventory({
      client: {
        baseUrl,
        apiKey,
        appDetails: `flitstack=${contact}`,
        requestsPerSecond: rate,
        pageSize: migration.pageSize,
      },
      model,
      samplePages: pages,
      attachments: ir ? attachmentsOf(ir, model) : [],
      onProgress: (line) => io.err(`audit: ${line}\n`),
    });
    let report: AuditReport = buildReport(inventory, {
      auditedAt,
      account: migration.account,
      region: migration.region,
      baseUrl,
      requestsPerSecond: rate,
      pageSize: migration.pageSize,
      samplePages: pages,
      model,
      ir,
      ...(validation.context.target ? { target: validation.context.target } : {}),
      unavailable: valid
        ? 'the spec could not be compiled into a load plan'
        : `${input.root} has errors: run flitstack validate`,
    });
    // Both spec files are rewritten and checked before either is written: a refused rewrite leaves
    // the spec as it was, and the reports are written either way.
    const rewrites: { rel: string; text: string; kind: 'source-model' | 'target-metadata' }[] = [];
    if (dataverse && dataverseOptions && targetMetadata) {
      io.err('audit: reading the Dataverse organisation\n');
      const tables = [...(validation.context.target?.tables.keys() ?? [])];
      const target = await readTarget(
        dataverse,
        validation.context,
        organizationId,
        auditedAt,
        correspondenceColumns(tables),
      );
      report = { ...report, target };
      const rel = targetMetadata.name;
      rewrites.push({
        rel,
        text: rewriteTargetSnapshot(input.files.get(rel)!, target),
        kind: 'target-metadata',
      });
    }
    const skipped = options.writeModel ? unnameable(report) : [];
    if (sourceModel) {
      const rel = sourceModel.name;
      rewrites.push({
        rel,
        text: rewriteSourceModel(input.files.get(rel)!, report),
        kind: 'source-model',
      });
    }
    out.make();
    writeFileSync(join(out.dir, 'audit.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(out.dir, 'audit.md'), auditMarkdown(report));
    const written = [join(options.out, 'audit.md'), join(options.out, 'audit.json')];
    const refused = rewrites.flatMap(({ rel, text, kind }) => {
      const check = validators[kind];
      return check(parse(text)) ? [] : [`${input.root}/${rel}: ${schemaError(check.errors)}`];
    });
    if (refused.length > 0) {
      io.err(
        `error: audit could not rewrite the spec, so it wrote no spec file (${written.join(' and ')} hold the audit):\n${refused.map((r) => `  ${r}\n`).join('')}  edit the file by hand from audit.md\n`,
      );
      return 2;
    }
    for (const { rel, text } of rewrites) {
      writeFileSync(join(specDir, rel), text);
      written.push(`${input.root}/${rel}`);
    }
    for (const u of skipped)
      io.err(
        `audit: not added to the source model: ${u.path ? `${u.resource} field ${u.path}` : `resource ${u.resource}`}: a model name is lower-case letters, digits and _, so no mapping can read it; if one must, rename it in PracticeHub\n`,
      );
    if (options.format === 'json') io.out(`${JSON.stringify(report, null, 2)}\n`);
    else io.out(summary(report, written));
    return skipped.length === 0 && (isEmptyDiff(report.diff) || options.writeModel) ? 0 : 1;
  } finally {
    await dataverse?.close();
  }
}
