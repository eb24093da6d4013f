import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { bufferIo } from '../../cli/io.ts';
import { run } from '../../cli/main.ts';
import { DataverseClient, optionsFromEnv } from '../../runtime/dataverse/index.ts';
import { Journal } from '../../runtime/journal/index.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import { PracticeHubClient } from '../../runtime/practicehub/index.ts';
import { type RunDeps, type RunOptions, runMigration } from '../../runtime/run/pipeline.ts';
import type { Snapshot } from '../../sandbox/dataverse/index.ts';
import { type Sandboxes, type SandboxesOptions, startSandboxes } from '../../sandbox/index.ts';
import { ROOT, tempDir } from './tmp.ts';

/** The spec's fallback owner (spec/migration.yaml): the sandbox organisation has this user. */
export const FALLBACK_OWNER = 'migration.owner@harbourside.example';

/**
 * Dataverse sandbox options under which alternate keys are Active as soon as they are made, so that a
 * schema apply does not wait a two-second poll for them: for tests that are not about keys (waiting for
 * keys is proven in test/e2e/schema-keys.test.ts).
 */
export const KEYS_ACTIVE_AT_ONCE = { keyActivationDelayMs: 0 } as const;

/** Both sandboxes with the shipped spec's fallback owner, for end-to-end tests. */
export function sandboxes(options: SandboxesOptions = {}): Promise<Sandboxes> {
  return startSandboxes({
    scale: 0.05,
    rate: 1000,
    extraUsers: [{ email: FALLBACK_OWNER, firstName: 'Migration', lastName: 'Owner' }],
    ...options,
  });
}

/**
 * Fresh sandboxes for the describe it is called in, with a Dataverse client, made ready by `prepare`
 * before its tests and closed after them; read `sb` and `client` inside the tests.
 */
export function freshOrganisation(
  prepare: (client: DataverseClient, sb: Sandboxes) => Promise<unknown> = async () => {},
  options: SandboxesOptions = {},
) {
  const o = {} as { sb: Sandboxes; client: DataverseClient };
  beforeAll(async () => {
    o.sb = await sandboxes(options);
    o.client = new DataverseClient(optionsFromEnv(o.sb.env));
    await prepare(o.client, o.sb);
  }, 60_000);
  afterAll(async () => {
    await o.client?.close();
    await o.sb?.close();
  });
  return o;
}

/** Clients of both sandboxes, as the CLI builds them (fast rate: the sandbox allows it). */
export function clients(sb: Sandboxes): { practicehub: PracticeHubClient; dataverse: DataverseClient } {
  return {
    practicehub: new PracticeHubClient({
      baseUrl: sb.practicehub.baseUrl,
      apiKey: sb.practicehub.apiKey,
      appDetails: `flitstack=${FALLBACK_OWNER}`,
      requestsPerSecond: 1000,
      pageSize: 100,
    }),
    dataverse: new DataverseClient(optionsFromEnv(sb.env)),
  };
}

/**
 * What a run, a delta or a sample needs against the sandboxes: fresh clients (the caller closes them),
 * the journal, and the archive in `dir`.
 */
export function loadDeps(sb: Sandboxes, journal: Journal, module: GeneratedModule, dir: string): RunDeps {
  return {
    ...clients(sb),
    module,
    journal,
    account: 'harbourside.eu',
    specHash: 'spec',
    codeHash: 'code',
    archiveDir: join(dir, 'archive'),
  };
}

/** Runs the CLI in this process, in the project root, with the sandboxes' environment. */
export function flitstack(sb: Sandboxes, ...args: string[]) {
  return flitstackWith(sb, {}, ...args);
}

/** The commands that archive files and logs, by default under the project's .flitstack/archive. */
const ARCHIVING = new Set(['run', 'delta', 'sample']);
/** The commands that write reports, by default under the project's .flitstack/<command>. */
const REPORTING = new Set(['reconcile', 'audit']);

/**
 * Runs the CLI in this process, in the project root, with the sandboxes' environment and `env` over it.
 * A loading command given no --archive-dir archives, and a reporting command given no --out reports,
 * in a temporary directory, not in the project.
 */
export async function flitstackWith(sb: Sandboxes, env: NodeJS.ProcessEnv, ...args: string[]) {
  const io = bufferIo(ROOT, { ...process.env, ...sb.env, ...env });
  const archive =
    ARCHIVING.has(args[0]!) && !args.includes('--archive-dir')
      ? ['--archive-dir', join(tempDir(), 'archive')]
      : [];
  const reports = REPORTING.has(args[0]!) && !args.includes('--out') ? ['--out', tempDir()] : [];
  const code = await run(['node', 'flitstack', ...args, ...archive, ...reports], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

/** A fresh journal path. */
export function journalPath(): string {
  return join(tempDir('flitstack-journal-'), 'journal.db');
}

/** Columns Dataverse sets itself (times, versions): left out when two organisations are compared. */
const VOLATILE = new Set([
  'createdon',
  'modifiedon',
  'overriddencreatedon',
  'versionnumber',
  'createdby',
  'modifiedby',
  'importsequencenumber',
  'timezoneruleversionnumber',
  'utcconversiontimezonecode',
]);

/** The same tables with each table's rows in one order (by their JSON text), to compare as sets. */
export function sortedRows(
  tables: Record<string, Record<string, unknown>[]>,
): Record<string, Record<string, unknown>[]> {
  return Object.fromEntries(
    Object.entries(tables).map(([t, rows]) => [
      t,
      [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    ]),
  );
}

/** The tables a generated module's mappings write. */
/**
 * A parent clinic deleted as soon as created (so never loaded) and a child location of it, whose row
 * loads with its parent left empty; and the account row of a clinic by its PracticeHub id.
 */
export function clinicWithUnloadedParent(sb: Sandboxes): {
  parent: string;
  child: string;
  account: (clinic: string) => Record<string, unknown> | undefined;
} {
  const [parent] = sb.practicehub.mutate({ resource: 'clinics', action: 'create' });
  const [child] = sb.practicehub.mutate({
    resource: 'clinics',
    action: 'create',
    patch: { parent_clinic_id: parent! },
  });
  sb.practicehub.mutate({ resource: 'clinics', action: 'delete', ids: [parent!] });
  const account = (clinic: string) =>
    sb.dataverse.snapshot(['account']).tables.account!.find((r) => r.fs_practicehubid === `clinic-${clinic}`);
  return { parent: parent!, child: child!, account };
}

/** The clinics of `parentLeftEmpty`, the delta that left the parent empty and the child's row id. */
export type ParentLeftEmpty = ReturnType<typeof clinicWithUnloadedParent> & {
  first: Awaited<ReturnType<typeof runMigration>>;
  childId: string;
};

/**
 * A delta that loads a child clinic whose parent was deleted before it read it (the child's parent is
 * left empty), then the parent restored in PracticeHub: the next delta loads it.
 */
export async function parentLeftEmpty(m: Migrated): Promise<ParentLeftEmpty> {
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const clinics = clinicWithUnloadedParent(m.sb);
  const first = await runMigration(m.deps, { kind: 'delta', since: m.since() });
  const childId = clinics.account(clinics.child)!.accountid as string;
  expect(clinics.account(clinics.child)!.parentaccountid ?? null).toBeNull();
  await new Promise((resolve) => setTimeout(resolve, 1100));
  m.sb.practicehub.mutate({ resource: 'clinics', action: 'restore', ids: [clinics.parent] });
  return { ...clinics, first, childId };
}

export function tablesOf(module: GeneratedModule): string[] {
  return [...new Set(Object.values(module.MAPPINGS).map((m) => m.target))];
}

/** The sandbox organisation's rows of `tables`, comparable across runs and each table in one order. */
export function organisation(
  sb: Sandboxes,
  tables: readonly string[],
): Record<string, Record<string, unknown>[]> {
  return sortedRows(comparable(sb.dataverse.snapshot(tables).tables, tables));
}

/** Asserts the organisation holds the rows `before` held, table by table (a failure names the table). */
export function expectOrganisation(
  sb: Sandboxes,
  tables: readonly string[],
  before: Record<string, Record<string, unknown>[]>,
): void {
  const after = organisation(sb, tables);
  for (const table of tables) expect(after[table], table).toEqual(before[table]);
}

/** Rows of the tables a migration writes, without volatile columns, comparable across runs. */
export function comparable(
  snapshot: Snapshot['tables'],
  tables: readonly string[],
): Record<string, Record<string, unknown>[]> {
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const table of tables) {
    out[table] = (snapshot[table] ?? []).map((row) =>
      Object.fromEntries(
        Object.entries(row).filter(
          ([k]) => !VOLATILE.has(k) && !k.startsWith('_createdby') && !k.startsWith('_modifiedby'),
        ),
      ),
    );
  }
  return out;
}

/** A migration already run once against fresh sandboxes, for tests of what follows (deltas, rollbacks). */
export interface Migrated {
  readonly sb: Sandboxes;
  readonly journal: Journal;
  readonly deps: RunDeps;
  /** The watermarks of the runs so far, as a delta's `since`. */
  since(): RunOptions['since'];
  close(): Promise<void>;
}

/**
 * Starts both sandboxes (scale 0.05, `seed`), applies the schema, opens a journal in a temporary
 * directory and runs `module` once; the run must reject nothing.
 */
export async function migrated(
  module: GeneratedModule,
  seed: number,
  options: Omit<SandboxesOptions, 'scale' | 'seed'> = {},
): Promise<Migrated> {
  const sb = await sandboxes({ ...options, scale: 0.05, seed });
  // Not tempDir: that is removed after each test, and a migration serves the tests of a whole file.
  const dir = mkdtempSync(join(tmpdir(), 'flitstack-migrated-'));
  const journal = Journal.open(join(dir, 'journal.db'));
  const deps = loadDeps(sb, journal, module, dir);
  const close = async () => {
    journal.close();
    await Promise.all([deps.practicehub.close(), deps.dataverse.close(), sb.close()]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const applied = await flitstack(sb, 'schema', 'apply');
    if (applied.code !== 0) throw new Error(`schema apply failed: ${applied.err}`);
    const first = await runMigration(deps);
    if (first.rejected !== 0) throw new Error(`the first run rejected ${first.rejected} records`);
  } catch (e) {
    await close();
    throw e;
  }
  const since = () => Object.fromEntries(journal.watermarks.all().map((w) => [w.resource, w.maxUpdatedAt]));
  return { sb, journal, deps, since, close };
}

/** Accounting of one mapping, as `--format json` prints it. */
export type Counts = { extracted: number; loaded: number; rejected: number; skipped: number };

/** A first migration through the CLI, as a user runs it, and deltas after it (see `migratedByCli`). */
export interface CliMigrated {
  readonly sb: Sandboxes;
  readonly journal: string;
  /** `flitstack delta --format json` on the journal; throws with its stderr unless it exits 0. */
  delta(): Promise<{
    code: number;
    out: string;
    err: string;
    json: { run: number; base: number; summary: Record<string, Counts> };
  }>;
  close(): Promise<void>;
}

/**
 * Sandboxes, `flitstack schema apply`, then `flitstack run` into a journal of its own (in a folder that
 * serves the tests of a whole file). `beforeRun` sees Dataverse between the two.
 */
export async function migratedByCli(
  options: SandboxesOptions,
  beforeRun: (sb: Sandboxes) => void = () => undefined,
): Promise<CliMigrated> {
  const sb = await sandboxes(options);
  const dir = mkdtempSync(join(tmpdir(), 'flitstack-cli-migrated-'));
  const journal = join(dir, 'journal.db');
  const close = async () => {
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  };
  const applied = await flitstack(sb, 'schema', 'apply');
  if (applied.code !== 0) {
    await close();
    throw new Error(`schema apply failed: ${applied.err}`);
  }
  beforeRun(sb);
  const first = await flitstack(sb, 'run', '--journal', journal, '--rate', '1000');
  if (first.code !== 0 || first.err.includes('error:')) {
    await close();
    throw new Error(`the first run failed (exit ${first.code}): ${first.err}`);
  }
  return {
    sb,
    journal,
    async delta() {
      const result = await flitstack(sb, 'delta', '--journal', journal, '--rate', '1000', '--format', 'json');
      if (result.code !== 0) throw new Error(result.err);
      return { ...result, json: JSON.parse(result.out) };
    },
    close,
  };
}
