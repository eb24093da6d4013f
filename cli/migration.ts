import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { hasErrors } from '../compiler/diagnostics/diagnostic.ts';
import { formatText } from '../compiler/diagnostics/format.ts';
import type { SpecInput } from '../compiler/load/spec-dir.ts';
import { createSchemaValidators } from '../compiler/validate/schemas.ts';
import { checkConfirmed, fileHashes, LOCK_FILE, setHash } from '../runtime/confirm/index.ts';
import { DataverseClient, type DataverseClientOptions, optionsFromEnv } from '../runtime/dataverse/index.ts';
import { Journal, otherOrganization } from '../runtime/journal/index.ts';
import type { GeneratedModule } from '../runtime/mapping/index.ts';
import { characterName, PracticeHubClient, resolveBaseUrl } from '../runtime/practicehub/index.ts';
import { type Generated, loadGenerated } from '../runtime/schema/generated.ts';
import { missingVariables } from '../runtime/shared/env.ts';
import { BUILD_ID } from './build-id.ts';
import { UsageError } from './errors.ts';
import type { CliIo } from './io.ts';
import { generatedSpecDir, readSpecDir, sourceLookup } from './spec-files.ts';
import { diskCachedParser } from './yaml-cache.ts';

/** A spec checked against its generated code, ready to run. */
export interface CheckedSpec {
  readonly input: SpecInput;
  readonly generated: Generated;
  /** SHA-256 of every spec file (path and text), and of the generated files. */
  readonly specHash: string;
  readonly codeHash: string;
  /** Where generated/ lives (the directory holding it). */
  readonly root: string;
}

/**
 * Hash of a set of files, independent of the order they were read in: the lock's hash (setHash of
 * fileHashes), so the spec hash `flitstack runs` shows for a run is the one `flitstack confirm` printed
 * and wrote to the lock.
 */
export function filesHash(
  files: ReadonlyMap<string, string> | readonly { path: string; contents: string }[],
): string {
  const map = Array.isArray(files)
    ? new Map(files.map((f) => [f.path, f.contents] as const))
    : (files as ReadonlyMap<string, string>);
  return setHash(fileHashes(map));
}

/**
 * Validates the spec and checks that generated/ is what it compiles to (a run must execute the code
 * the reviewed spec produces), then loads the generated module. Spec errors and a stale generated/
 * are refusals (exit 1), the latter with the command that fixes it.
 */
export async function checkedSpec(
  specDir: string,
  io: CliIo,
  root = io.cwd,
  build: string | undefined = BUILD_ID,
): Promise<CheckedSpec | number> {
  const input = readSpecDir(specDir, io.cwd);
  const specHash = filesHash(input.files);
  const cache = join(io.cwd, '.flitstack', 'cache', 'compiled');
  const known = compiledBefore(cacheEntry(cache, specHash, build), root);
  if (known) {
    const generated = await generatedOf(root);
    return { input, generated, specHash, codeHash: known, root };
  }
  const { compileSpec } = await import('../compiler/compile.ts');
  const result = compileSpec(input, createSchemaValidators(), {
    typecheck: false,
    specDir: generatedSpecDir(specDir, io.cwd, root),
    parseFile: diskCachedParser(join(io.cwd, '.flitstack', 'cache', 'yaml')),
  });
  if (hasErrors(result.diagnostics)) {
    io.err(formatText(result.diagnostics, sourceLookup(input)));
    return 1;
  }
  const stale = result.files.filter((f) => {
    const path = join(root, f.path);
    return !existsSync(path) || readFileSync(path, 'utf8') !== f.contents;
  });
  // A refusal, as spec errors are (and as confirm's is): exit 1.
  if (stale.length > 0) {
    io.err(
      `refused: generated/ does not match the spec (${stale.map((f) => f.path).join(', ')}): run \`npx flitstack compile\` first\n`,
    );
    return 1;
  }
  const codeHash = filesHash(result.files);
  rememberCompiled(cache, cacheEntry(cache, specHash, build), result.files);
  const generated = await generatedOf(root);
  return { input, generated, specHash, codeHash, root };
}

/**
 * The compile check's result is kept per build and spec (`.flitstack/cache/compiled`): the same
 * compiler given the same spec writes the same files, so when the files on disk still hash as they
 * did, the spec need not be compiled again (most of a run's start-up time). Off when running from
 * source, where the compiler may change under the cache.
 */
function cacheEntry(dir: string, specHash: string, build: string | undefined): string | undefined {
  return build
    ? join(dir, `${createHash('sha256').update(`${build}\u0000${specHash}`).digest('hex')}.json`)
    : undefined;
}

function compiledBefore(entry: string | undefined, root: string): string | undefined {
  if (!entry) return undefined;
  try {
    const paths = JSON.parse(readFileSync(entry, 'utf8')) as { paths: string[]; codeHash: string };
    const files = paths.paths.map((path) => ({ path, contents: readFileSync(join(root, path), 'utf8') }));
    return filesHash(files) === paths.codeHash ? paths.codeHash : undefined;
  } catch {
    return undefined;
  }
}

function rememberCompiled(
  dir: string,
  entry: string | undefined,
  files: readonly { path: string; contents: string }[],
): void {
  if (!entry) return;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(entry, JSON.stringify({ paths: files.map((f) => f.path), codeHash: filesHash(files) }), {
      mode: 0o600,
    });
  } catch {
    // A read-only or full disk only means no cache.
  }
}

/**
 * `checkedSpec`, then the confirmation: a run moves records only for the spec a person confirmed
 * (`flitstack confirm`), with no proposed line left and nothing changed since. Refusals exit 1.
 */
export async function confirmedSpec(specDir: string, io: CliIo): Promise<CheckedSpec | number> {
  const spec = await checkedSpec(specDir, io);
  if (typeof spec === 'number') return spec;
  const dir = resolve(io.cwd, spec.input.root);
  const check = checkConfirmed({ ...spec.input, root: dir }, join(spec.root, 'generated'), {
    lock: join(dir, LOCK_FILE),
  });
  if (check.ok) return spec;
  const lock = join(spec.input.root, LOCK_FILE);
  const listed = check.changed.map((c) => `  ${c.change}: ${c.file}\n`).join('');
  if (check.reason === 'unconfirmed' && check.problem)
    io.err(
      `refusing to load: ${lock} cannot be read: ${check.problem}.\n  ${
        check.problem.includes('merge conflict')
          ? `do not merge the lock by hand: finish merging spec/, run \`flitstack compile\`, review the merged spec (\`flitstack diff\`), then run \`flitstack confirm --spec ${spec.input.root}\`, which writes the lock again`
          : `review the spec, then run \`flitstack confirm --spec ${spec.input.root}\` with this release, which writes the lock again`
      }\n`,
    );
  else if (check.reason === 'unconfirmed')
    io.err(
      `refusing to load: the spec has not been confirmed (no ${lock}).\n  review it, then run \`flitstack confirm --spec ${spec.input.root}\`\n`,
    );
  else if (check.reason === 'proposed')
    io.err(
      `refusing to load: the spec holds proposed lines not yet reviewed (\`flitstack validate\` lists them as FS140).\n  review each, remove its \`proposed:\` block, then run \`flitstack confirm\`\n${listed}`,
    );
  else
    io.err(
      `refusing to load: the spec changed since it was confirmed (${lock}):\n${listed}  review the change (\`flitstack diff --base <ref>\` against the commit that was confirmed, e.g. HEAD), then run \`flitstack confirm\`\n`,
    );
  return 1;
}

/** The Dataverse client from the environment (exit 2 naming what is missing). */
export function dataverseFromEnv(env: NodeJS.ProcessEnv): DataverseClient {
  return new DataverseClient(dataverseOptionsFromEnv(env));
}

/** The Dataverse client's options from the environment; a missing or malformed variable is a usage error. */
export function dataverseOptionsFromEnv(env: NodeJS.ProcessEnv): DataverseClientOptions {
  try {
    return optionsFromEnv(env);
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (see \`flitstack sandbox\` for a local organisation)`);
  }
}

/**
 * The contact email PracticeHub asks for in x-app-details: PRACTICEHUB_CONTACT_EMAIL, or else the
 * spec's fallback owner; undefined when there is neither. A value the header cannot carry, or that is
 * not an email address, is refused naming the variable.
 */
export function practiceHubContact(
  env: NodeJS.ProcessEnv,
  fallbackOwner: string | undefined,
): string | undefined {
  const set = env.PRACTICEHUB_CONTACT_EMAIL;
  if (!set) return fallbackOwner;
  const unsafe = /[^\x21-\x7e]/.exec(set);
  if (unsafe)
    throw new UsageError(
      `PRACTICEHUB_CONTACT_EMAIL holds ${characterName(unsafe[0])} at character ${unsafe.index + 1}, which the x-app-details header cannot carry: set it to the contact email alone`,
    );
  if (!/^[^@=]+@[^@=]+\.[^@=]+$/.test(set))
    throw new UsageError(
      `PRACTICEHUB_CONTACT_EMAIL is not an email address (${JSON.stringify(set)}): set it to the email PracticeHub may contact about this integration, or unset it to send owners.fallback`,
    );
  return set;
}

/** The PracticeHub client from the environment and the spec's region and account. */
export function practiceHubFromEnv(
  env: NodeJS.ProcessEnv,
  generated: Generated,
  options: { requestsPerSecond?: number } = {},
): PracticeHubClient {
  const apiKey = env.PRACTICEHUB_API_KEY;
  if (!apiKey)
    throw new UsageError(
      `set PRACTICEHUB_API_KEY to reach PracticeHub${missingVariables(['PRACTICEHUB_API_KEY'], env).renames} (see \`flitstack sandbox\` for a local account)`,
    );
  const m = generated.module.MIGRATION;
  let baseUrl: string;
  try {
    baseUrl = resolveBaseUrl({
      account: m.account ?? 'account',
      region: m.region,
      apiKey,
      override: env.PRACTICEHUB_BASE_URL,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return new PracticeHubClient({
    baseUrl,
    apiKey,
    appDetails: `flitstack=${practiceHubContact(env, m.fallbackOwner) ?? 'migration@flitstack.invalid'}`,
    requestsPerSecond: options.requestsPerSecond ?? m.requestsPerSecond,
    pageSize: m.pageSize,
    // Enough pages read ahead to keep requests going while a batch is written to Dataverse.
    prefetchPages: Math.ceil(m.batchSize / m.pageSize) + 1,
  });
}

/**
 * Opens (creating, with its directory) the journal file; a path that cannot hold one is refused with
 * a JournalError naming it (exit 2).
 */
export function openJournal(path: string, cwd: string): Journal {
  return Journal.open(resolve(cwd, path));
}

/** How many rows a journal with runs but no organisation is looked for by (see checkJournalOrganization). */
const PROBED_ROWS = 3;

/**
 * Asks Dataverse which organisation DATAVERSE_URL is (`GET WhoAmI`, one request) and checks that the
 * journal belongs to it, tying a journal that belongs to none yet: a JournalError (exit 2) when it
 * belongs to another, before anything is read or written. A journal with runs but no organisation
 * (written before journals kept theirs) is tied only when one of the rows its crosswalk names last is
 * in this organisation, or when it names none.
 */
export async function checkJournalOrganization(
  journal: Journal,
  dataverse: DataverseClient,
  tables: GeneratedModule['TABLES'],
): Promise<void> {
  const { organizationId } = await dataverse.whoAmI();
  if (journal.organization === undefined && journal.runs().length > 0) {
    const rows = journal.crosswalk.latest(PROBED_ROWS).filter((row) => tables[row.table] !== undefined);
    const here = await Promise.all(
      rows.map((row) => {
        const table = tables[row.table]!;
        return dataverse.retrieve(table.entitySet, row.targetId, [table.primaryId]);
      }),
    );
    if (rows.length > 0 && here.every((row) => row === undefined))
      throw otherOrganization(
        journal.path,
        `holds runs from before journals kept their organisation, and none of the ${rows.length} rows it wrote last (${rows.map((r) => `${r.table} ${r.targetId}`).join(', ')}) is in organisation ${organizationId}, the one DATAVERSE_URL is`,
      );
  }
  journal.belongsTo(organizationId);
}

/**
 * Loads generated/ from `root`, the one way every command does: code that does not build or load is a
 * usage error naming the directory and what to do (exit 2), not a bundler's stack trace.
 */
export async function generatedOf(root: string): Promise<Generated> {
  try {
    return await loadGenerated(root);
  } catch (error) {
    const message = (error as Error).message;
    // The generated transformer imports FlitStack's runtime by relative path (../runtime/...).
    const hint = message.includes('Could not resolve "../runtime/')
      ? 'generated/transformer.ts imports the FlitStack runtime from ../runtime/: keep spec/ and generated/ in the FlitStack checkout and run flitstack there'
      : 'run `npx flitstack compile` in the project directory';
    throw new UsageError(
      `cannot load ${join(root, 'generated', 'transformer.ts')}: ${message.trim()}\n  hint: ${hint}`,
    );
  }
}
