import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataverseClient, optionsFromEnv } from '../../runtime/dataverse/index.ts';
import { Journal } from '../../runtime/journal/index.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { flitstack, sandboxes } from '../support/migration.ts';

let sb: Sandboxes | undefined;
let dir: string | undefined;
afterAll(async () => {
  await sb?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a row Dataverse refuses to restore', () => {
  it('is journaled with the error, fails the rollback (exit 1), and is retried when the rollback runs again', async () => {
    sb = await sandboxes({ scale: 0.03 });
    dir = mkdtempSync(join(tmpdir(), 'flitstack-rollback-failure-'));
    const journal = join(dir, 'journal.db');
    const run = (...args: string[]) => flitstack(sb!, ...args, '--journal', journal);
    expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
    expect((await run('run', '--rate', '1000')).code).toBe(0);
    // Run 2 moves one appointment to another patient; then the first patient's contact disappears
    // behind the API's back, so the appointment's pre-image points at a row that no longer exists.
    const appointment = [...sb.practicehub.records('appointments')][0]!;
    const other = [...sb.practicehub.records('patients')].find((p) => p.id !== appointment.patient_id)!;
    sb.practicehub.mutate({
      resource: 'appointments',
      action: 'update',
      ids: [String(appointment.id)],
      patch: { patient_id: String(other.id) },
    });
    expect((await run('run', '--rate', '1000')).code).toBe(0);
    const j = Journal.open(journal, { readonly: true });
    const contact = j.crosswalk.get('patient', `patient-${appointment.patient_id}`)!.targetId;
    j.close();
    sb.dataverse.tamper({ table: 'contact', id: contact, delete: true });

    const failed = await run('rollback', '--run', '2', '--format', 'json');
    expect(failed.code).toBe(1);
    const result = JSON.parse(failed.out);
    expect(result).toMatchObject({ rollback: 3, status: 'failed', targetStatus: 'completed', failed: 1 });
    expect(result.summary.appointment).toEqual({ deleted: 0, restored: 0, skipped: 0, failed: 1 });
    const log = JSON.parse((await run('log', '--run', '3', '--format', 'json')).out) as Record<
      string,
      unknown
    >[];
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({
      action: 'restore',
      mapping: 'appointment',
      error_code: '0x80040217',
      error_message: `contact With Id = ${contact} Does Not Exist`,
    });
    expect(String(log[0]!.reason)).toMatch(
      /^undoes operation \d+ \(update in run 2\); restore failed: contact With Id/,
    );

    const client = new DataverseClient(optionsFromEnv({ ...sb.env }));
    await client.create('contacts', { lastname: 'Recreated' }, { id: contact });
    await client.close();
    const retried = await run('rollback', '--run', '2', '--format', 'json');
    expect(retried.code).toBe(0);
    expect(JSON.parse(retried.out)).toMatchObject({
      rollback: 3,
      resumed: true,
      status: 'completed',
      targetStatus: 'rolled_back',
      failed: 0,
      summary: { appointment: { deleted: 0, restored: 1, skipped: 0, failed: 0 } },
    });
    const regarding = sb.dataverse
      .snapshot(['appointment'])
      .tables.appointment!.find((r) => r.activityid === log[0]!.target_id)!.regardingobjectid;
    expect(regarding).toEqual({ table: 'contact', id: contact });
  }, 40_000);
});
