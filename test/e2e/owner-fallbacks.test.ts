import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { IrSchemaPlan } from '../../compiler/ir/types.ts';
import * as shipped from '../../generated/transformer.ts';
import { generatedOracle } from '../../runtime/compare/entries.ts';
import { compareRun } from '../../runtime/compare/run.ts';
import { Journal, type OperationRecord } from '../../runtime/journal/index.ts';
import type { GeneratedModule, SourceRecord } from '../../runtime/mapping/index.ts';
import { runMigration } from '../../runtime/run/pipeline.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { FALLBACK_OWNER, flitstack, loadDeps, sandboxes } from '../support/migration.ts';
import { ROOT, tempDir } from '../support/tmp.ts';

const MODULE: GeneratedModule = shipped;
const PLAN = JSON.parse(readFileSync(join(ROOT, 'generated', 'schema-plan.json'), 'utf8')) as IrSchemaPlan;

const open: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

/** Sandboxes with the schema applied; `before` changes them before the run, which then runs once. */
async function migratedAfter(before: (sb: Sandboxes) => void) {
  const sb = await sandboxes();
  open.push(() => sb.close());
  expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
  before(sb);
  const dir = tempDir();
  const journal = Journal.open(join(dir, 'journal.db'));
  open.push(() => journal.close());
  const deps = loadDeps(sb, journal, MODULE, dir);
  open.push(() => Promise.all([deps.practicehub.close(), deps.dataverse.close()]));
  const result = await runMigration(deps);
  const ops = (mapping: string) => [...journal.operations(result.run.id, { mapping })];
  /** The comparison of one source record's rows with what the spec expects, as reconcile makes it. */
  const compared = async (mapping: string, record: SourceRecord) => {
    const m = MODULE.MAPPINGS[mapping]!;
    const [comparison] = await compareRun(
      { module: MODULE, plan: PLAN, journal, dataverse: deps.dataverse, account: deps.account },
      {
        runId: result.run.id,
        records: new Map([[m.source, [record]]]),
        oracle: generatedOracle,
        claims: 'journal',
        staffEmail: (id) => journal.staff.get(id),
      },
    );
    return comparison!;
  };
  return { sb, result, ops, compared };
}

function users(sb: Sandboxes) {
  return sb.dataverse.snapshot(['systemuser']).tables.systemuser ?? [];
}

const ownerFlag = (op: OperationRecord) => op.flags.find((f) => f.code === 'owner_fallback')?.detail;

describe('owner fallbacks', () => {
  it('an email two enabled users share matches neither: the records go to the fallback owner, flagged with both user ids', async () => {
    let staffId = '';
    let email = '';
    let ids: string[] = [];
    const { sb, ops, compared } = await migratedAfter((sb) => {
      const byEmail = new Map(users(sb).map((u) => [String(u.internalemailaddress).toLowerCase(), u]));
      const admin = users(sb).find((u) => String(u.internalemailaddress).startsWith('crm.admin@'))!;
      const counts = new Map<string, number>();
      for (const a of sb.practicehub.records('appointments'))
        counts.set(String(a.practitioner_id), (counts.get(String(a.practitioner_id)) ?? 0) + 1);
      const staff = [...sb.practicehub.records('practitioners')].find((s) => {
        const user = byEmail.get(String(s.email).toLowerCase());
        return user?.isdisabled === false && (counts.get(String(s.id)) ?? 0) > 0;
      })!;
      staffId = String(staff.id);
      email = String(staff.email);
      ids = [String(byEmail.get(email.toLowerCase())!.systemuserid), String(admin.systemuserid)].sort();
      sb.dataverse.tamper({
        table: 'systemuser',
        id: String(admin.systemuserid),
        set: { internalemailaddress: email.toUpperCase() },
      });
    });
    const fallback = String(users(sb).find((u) => u.internalemailaddress === FALLBACK_OWNER)!.systemuserid);
    const theirs = [...sb.practicehub.records('appointments')].filter(
      (a) => String(a.practitioner_id) === staffId,
    );
    const rows = sb.dataverse.snapshot(['appointment']).tables.appointment ?? [];
    const detail = `the owner has an email that 2 enabled Dynamics users share (systemuserid ${ids.join(', ')}); owned by the fallback owner`;
    const appointments = new Map(ops('appointment').map((op) => [op.sourceId, op]));
    for (const a of theirs) {
      const row = rows.find((r) => r.fs_practicehubid === `appointment-${a.id}`)!;
      expect((row.ownerid as { id: string }).id).toBe(fallback);
      expect(ownerFlag(appointments.get(String(a.id))!)).toBe(detail);
    }
    // The staff-user mapping writes onto neither user, and says why without the email.
    const staffUser = ops('staff-user').find((op) => op.sourceId === staffId)!;
    expect(staffUser.action).toBe('skip');
    expect(staffUser.reason).toBe(
      `2 enabled Dynamics users have this internalemailaddress (systemuserid ${ids.join(', ')}), so it matches none of them`,
    );
    expect(JSON.stringify([...appointments.values()].map((op) => [op.reason, op.flags]))).not.toContain(
      email.toLowerCase().split('@')[0],
    );
    for (const id of ids)
      expect(users(sb).find((u) => u.systemuserid === id)?.fs_practicehubstaffid ?? null).toBeNull();
    // Compare expects what the run did.
    const comparison = await compared('appointment', theirs[0]!);
    expect(comparison.verdict).toBe('match');
    const owner = comparison.rows[0]!.fields.find((f) => f.column === 'ownerid')!;
    expect(owner.note).toBe(`fallback owner: ${detail.replace('; owned by the fallback owner', '')}`);
  });

  it('a staff id PracticeHub does not list is flagged as such, not as an owner without email', async () => {
    const unknown = '120000000099999999';
    let appointment = '';
    const { ops, compared, sb } = await migratedAfter((sb) => {
      appointment = String(sb.practicehub.records('appointments').next().value!.id);
      sb.practicehub.mutate({
        resource: 'appointments',
        action: 'update',
        ids: [appointment],
        patch: { practitioner_id: unknown },
      });
    });
    const op = ops('appointment').find((o) => o.sourceId === appointment)!;
    expect(op.action).toBe('create');
    expect(ownerFlag(op)).toBe(
      `the owner is staff id ${unknown}, which is not in PracticeHub; owned by the fallback owner`,
    );
    const comparison = await compared('appointment', sb.practicehub.get('appointments', appointment)!);
    expect(comparison.verdict).toBe('match');
    expect(comparison.rows[0]!.fields.find((f) => f.column === 'ownerid')!.note).toBe(
      `fallback owner: the owner is staff id ${unknown}, which is not in PracticeHub`,
    );
  });
});
