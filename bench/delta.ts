/**
 * Bench: Dataverse requests per record deleted in PracticeHub, under each deleted_records policy.
 * Loads the shipped spec into the sandboxes, deletes 10% of the payments (rows nothing refers to) and
 * 2% of the patients (contacts their appointments refer to) in PracticeHub, and runs a delta, counting
 * the Dataverse requests the sandbox serves during the delta beyond those of a delta that finds no
 * change. Run: `npx tsx bench/delta.ts [--scale 0.2]`.
 * Target: the deletions' requests grow with batches of rows, not with rows (well under one per row).
 *
 * Then the PracticeHub requests of a delta in which one patient arrives while many appointments wait,
 * each for a patient of its own (measureWaits), with the waits journaled as this version does and as an
 * earlier journal holds them. Target: the delta reads again the one appointment whose patient arrived.
 *
 * Then the same for a grouping mapping and a second-pass lookup (measureGroupsAndParents): staff training
 * groups waiting each for the contact of a staff member of its own, and clinics whose parent clinic was
 * not loaded, when one staff member and one parent clinic arrive. Target: one request for the group's
 * record (with the resource read whole, once, as for any group a delta touches), none for the clinic.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { bufferIo } from '../cli/io.ts';
import { run } from '../cli/main.ts';
import * as generatedModule from '../generated/transformer.ts';
import { DataverseClient, optionsFromEnv } from '../runtime/dataverse/index.ts';
import { Journal } from '../runtime/journal/index.ts';
import type { GeneratedModule } from '../runtime/mapping/index.ts';
import { PracticeHubClient } from '../runtime/practicehub/index.ts';
import { runMigration } from '../runtime/run/pipeline.ts';
import { type Sandboxes, startSandboxes } from '../sandbox/index.ts';

const shipped: GeneratedModule = generatedModule;
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const at = process.argv.indexOf('--scale');
const scale = at > 0 ? Number(process.argv[at + 1]) : 0.2;
const out = (line = '') => process.stdout.write(`${line}\n`);

/** A migration of `module` run once into fresh sandboxes, and deltas after it (each on the last). */
async function migrated(module: GeneratedModule) {
  const sb = await startSandboxes({
    scale,
    rate: 1000,
    extraUsers: [{ email: 'migration.owner@harbourside.example', firstName: 'Migration', lastName: 'Owner' }],
  });
  const dir = mkdtempSync(join(tmpdir(), 'flitstack-bench-delta-'));
  const path = join(dir, 'journal.db');
  const journal = Journal.open(path);
  const practicehub = new PracticeHubClient({
    baseUrl: sb.practicehub.baseUrl,
    apiKey: sb.practicehub.apiKey,
    appDetails: 'flitstack-bench=bench@example.com',
    requestsPerSecond: 1000,
  });
  const dataverse = new DataverseClient(optionsFromEnv(sb.env));
  const deps = {
    module,
    journal,
    practicehub,
    dataverse,
    account: 'harbourside.eu',
    specHash: 'spec',
    codeHash: 'code',
    archiveDir: join(dir, 'archive'),
  };
  const close = async () => {
    journal.close();
    await Promise.all([practicehub.close(), dataverse.close(), sb.close()]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const io = bufferIo(ROOT, { ...process.env, ...sb.env });
    if ((await run(['node', 'flitstack', 'schema', 'apply'], io)) !== 0) throw new Error(io.stderr());
    let parentRun = (await runMigration(deps)).run.id;
    const since = () => Object.fromEntries(journal.watermarks.all().map((w) => [w.resource, w.maxUpdatedAt]));
    const served = () => ({
      dataverse: Object.values(sb.dataverse.stats().requests).reduce((n, v) => n + v, 0),
      practicehub: Object.values(sb.practicehub.stats().requests).reduce((n, k) => n + k.served, 0),
    });
    const delta = async () => {
      const before = served();
      const started = performance.now();
      const result = await runMigration(deps, { kind: 'delta', since: since(), parentRun });
      parentRun = result.run.id;
      const after = served();
      return {
        requests: after.dataverse - before.dataverse,
        practicehub: after.practicehub - before.practicehub,
        ms: performance.now() - started,
        result,
      };
    };
    return { sb, journal, path, delta, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function measure(policy: GeneratedModule['MIGRATION']['deletedRecords']): Promise<void> {
  const m = await migrated({ ...shipped, MIGRATION: { ...shipped.MIGRATION, deletedRecords: policy } });
  try {
    const { sb, journal, delta } = m;
    const idle = await delta();
    const counts = sb.practicehub.counts();
    const payments = sb.practicehub.mutate({
      resource: 'payments',
      action: 'delete',
      count: Math.round(counts.payments / 10),
    }).length;
    const patients = sb.practicehub.mutate({
      resource: 'patients',
      action: 'delete',
      count: Math.round(counts.patients / 50),
    }).length;
    const busy = await delta();
    const ops = [...journal.operations(busy.result.run.id)];
    const tally = (action: string) => ops.filter((o) => o.action === action).length;
    const extra = busy.requests - idle.requests;
    const records = payments + patients;
    out(
      `| ${policy} | ${payments} + ${patients} | ${tally('delete')} / ${tally('deactivate')} / ${tally('skip')} / ${tally('reject')} | ${idle.requests} | ${busy.requests} | ${(extra / records).toFixed(3)} | ${Math.round(busy.ms)} |`,
    );
  } finally {
    await m.close();
  }
}

// PracticeHub's timestamps are whole seconds: what changes after this is newer than what came before.
const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1100));

/** `WAITING` records of `resource` created with `patch`, in a second after every earlier change. */
async function created(sb: Sandboxes, resource: string, patch: Record<string, string>): Promise<string[]> {
  await nextSecond();
  return sb.practicehub.mutate({ resource, action: 'create', count: WAITING, patch });
}

/**
 * PracticeHub requests of a delta in which one patient arrives while `WAITING` appointments wait, each
 * for a patient of its own (rejected for a sex outside the value map, so the appointment is rejected for
 * its required lookup). `awaited: false` journals the waits as a journal of an earlier version holds
 * them, without the parent row each awaits: the delta then reads again every waiting appointment.
 */
async function measureWaits(awaited: boolean): Promise<void> {
  const m = await migrated(shipped);
  try {
    const { sb, delta } = m;
    const patients = await created(sb, 'patients', { sex: 'bogus' });
    for (const patient of patients)
      sb.practicehub.mutate({ resource: 'appointments', action: 'create', patch: { patient_id: patient } });
    // Records changed in a later second move the watermarks past those created above.
    await nextSecond();
    sb.practicehub.mutate({ resource: 'appointments', action: 'update', patch: { notes: 'moved' } });
    sb.practicehub.mutate({ resource: 'patients', action: 'update', patch: { notes: 'moved' } });
    await delta();
    if (!awaited) {
      const db = new Database(m.path);
      db.prepare('UPDATE operations SET awaits = NULL').run();
      db.close();
    }
    const idle = await delta();
    await nextSecond();
    sb.practicehub.mutate({
      resource: 'patients',
      action: 'update',
      ids: [patients[0]!],
      patch: { sex: 'male' },
    });
    const one = await delta();
    const appointments = one.result.summary.appointment!;
    out(
      `| ${awaited ? 'with the row each awaits (this version)' : 'without (an earlier journal)'} | ${WAITING} | ${idle.practicehub} | ${one.practicehub} | ${appointments.extracted} / ${appointments.loaded} | ${one.practicehub} s | ${Math.round(one.ms)} |`,
    );
  } finally {
    await m.close();
  }
}

const WAITING = 200;

/**
 * PracticeHub requests of a delta in which one staff member and one parent clinic arrive while `WAITING`
 * training groups wait, each for the contact of a staff member of its own (rejected for a role outside
 * the value map), and `WAITING` clinics have a parent clinic not loaded (deleted as soon as created).
 */
async function measureGroupsAndParents(): Promise<void> {
  const m = await migrated(shipped);
  try {
    const { sb, journal, delta } = m;
    const staff = await created(sb, 'practitioners', { role: 'volunteer' });
    for (const id of staff)
      for (const completed_on of ['2024-01-01', '2024-02-01'])
        sb.practicehub.mutate({
          resource: 'training_records',
          action: 'create',
          patch: { staff_id: id, completed_on },
        });
    const parents = sb.practicehub.mutate({ resource: 'clinics', action: 'create', count: WAITING });
    for (const parent of parents)
      sb.practicehub.mutate({ resource: 'clinics', action: 'create', patch: { parent_clinic_id: parent } });
    sb.practicehub.mutate({ resource: 'clinics', action: 'delete', ids: parents });
    await nextSecond();
    for (const resource of ['practitioners', 'training_records', 'clinics'])
      sb.practicehub.mutate({ resource, action: 'update', patch: {} });
    await delta();
    const idle = await delta();
    await nextSecond();
    sb.practicehub.mutate({
      resource: 'practitioners',
      action: 'update',
      ids: [staff[0]!],
      patch: { role: 'billing' },
    });
    sb.practicehub.mutate({ resource: 'clinics', action: 'restore', ids: [parents[0]!] });
    const one = await delta();
    const training = one.result.summary['training-record']!;
    const ops = [...journal.operations(one.result.run.id)];
    const groups = ops.filter((o) => o.mapping === 'training-record' && o.action === 'update').length;
    const binds = ops.filter((o) => o.action === 'bind' && o.error === null).length;
    out(
      `| ${WAITING} training groups, ${WAITING} clinics | ${idle.practicehub} | ${one.practicehub} | ${training.extracted} / ${groups} | ${binds} | ${Math.round(one.ms)} |`,
    );
  } finally {
    await m.close();
  }
}

out(`scale ${scale}: a delta after deleting 10% of the payments and 2% of the patients in PracticeHub\n`);
out(
  '| deleted_records | records deleted (payments + patients) | delete / deactivate / skip / reject | Dataverse requests, delta with no change | with the deletions | extra requests per deleted record | ms |',
);
out('| --- | ---: | --- | ---: | ---: | ---: | ---: |');
for (const policy of ['delete', 'deactivate'] as const) await measure(policy);

out(
  `\nscale ${scale}: a delta in which one patient arrives while ${WAITING} appointments wait, each for a patient of its own\n`,
);
out(
  '| waits journaled | appointments waiting | PracticeHub requests, delta with no change | delta with one patient arriving | appointments extracted / loaded | at 1 request/s | ms |',
);
out('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const awaited of [false, true]) await measureWaits(awaited);

out(
  `\nscale ${scale}: a delta in which one staff member and one parent clinic arrive while training groups and clinics wait for them\n`,
);
out(
  '| waiting | PracticeHub requests, delta with no change | delta with one of each arriving | training records extracted / groups loaded | parent clinics bound | ms |',
);
out('| --- | ---: | ---: | ---: | ---: | ---: |');
await measureGroupsAndParents();
