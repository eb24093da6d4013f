import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { IrSchemaPlan } from '../../compiler/ir/types.ts';
import * as shipped from '../../generated/transformer.ts';
import { generatedOracle } from '../../runtime/compare/entries.ts';
import { compareRun } from '../../runtime/compare/run.ts';
import { Journal } from '../../runtime/journal/index.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { clients, flitstack, sandboxes } from '../support/migration.ts';
import { ROOT, tempDir } from '../support/tmp.ts';

const MODULE: GeneratedModule = shipped;
const PLAN = JSON.parse(readFileSync(join(ROOT, 'generated', 'schema-plan.json'), 'utf8')) as IrSchemaPlan;

const open: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

/** A practitioner with an enabled user and appointments: their staff id and systemuserid. */
function ownerWithAppointments(sb: Sandboxes): { staffId: string; userId: string } {
  const users = sb.dataverse.snapshot(['systemuser']).tables.systemuser ?? [];
  const byEmail = new Map(users.map((u) => [String(u.internalemailaddress).toLowerCase(), u]));
  const booked = new Set([...sb.practicehub.records('appointments')].map((a) => String(a.practitioner_id)));
  for (const s of sb.practicehub.records('practitioners')) {
    const user = byEmail.get(String(s.email).toLowerCase());
    if (user?.isdisabled === false && booked.has(String(s.id)))
      return { staffId: String(s.id), userId: String(user.systemuserid) };
  }
  throw new Error('the sandbox has no practitioner with an enabled user and appointments');
}

describe('reconcile after an owner is disabled', () => {
  it('passes: the rows the run gave the user while enabled keep them, noted as owner since disabled', async () => {
    const sb = await sandboxes();
    open.push(() => sb.close());
    const journal = join(tempDir(), 'journal.db');
    const j = ['--journal', journal, '--rate', '1000'];
    expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
    expect((await flitstack(sb, 'run', ...j)).code).toBe(0);
    const before = await flitstack(sb, 'reconcile', ...j);
    expect(before.code).toBe(0);
    expect(before.out).not.toContain('disabled since');

    const { staffId, userId } = ownerWithAppointments(sb);
    sb.dataverse.tamper({ table: 'systemuser', id: userId, set: { isdisabled: true } });
    const reports = tempDir();
    const after = await flitstack(sb, 'reconcile', ...j, '--out', reports);
    expect(after.code, after.out).toBe(0);
    // Counted per mapping: the rows the run created for the user's appointments.
    const theirs = new Set(
      [...sb.practicehub.records('appointments')]
        .filter((a) => String(a.practitioner_id) === staffId)
        .map((a) => String(a.id)),
    );
    const journaled = Journal.open(journal, { readonly: true });
    const created = [
      ...journaled.operations(journaled.latestRun({ kind: 'run' })!.id, { mapping: 'appointment' }),
    ].filter((op) => op.action === 'create' && theirs.has(op.sourceId)).length;
    journaled.close();
    expect(created).toBeGreaterThan(0);
    const line = after.out.split('\n').find((l) => l.startsWith('  appointment:'))!;
    expect(line).toContain(`, ${created} rows owned by users disabled since`);
    const markdown = readFileSync(join(reports, 'reconcile.md'), 'utf8');
    expect(markdown).toContain(`\n\nRows owned by users disabled since the run gave them the rows`);
    expect(markdown).toContain(`\n- appointment: ${created}\n`);

    // The appointment still belongs to the user, and compare says why.
    const opened = Journal.open(journal);
    open.push(() => opened.close());
    const { dataverse, practicehub } = clients(sb);
    open.push(() => Promise.all([dataverse.close(), practicehub.close()]));
    const appointment = [...sb.practicehub.records('appointments')].find(
      (a) => String(a.practitioner_id) === staffId,
    )!;
    const [comparison] = await compareRun(
      { module: MODULE, plan: PLAN, journal: opened, dataverse, account: 'harbourside.eu' },
      {
        runId: opened.latestRun({ kind: 'run' })!.id,
        records: new Map([['appointments', [appointment]]]),
        oracle: generatedOracle,
        claims: 'journal',
        staffEmail: (id) => opened.staff.get(id),
      },
    );
    const owner = comparison!.rows[0]!.fields.find((f) => f.column === 'ownerid')!;
    expect(owner).toMatchObject({
      verdict: 'match',
      expected: userId,
      note: 'owner since disabled: the owner was an enabled Dynamics user when the row was written and is disabled now',
    });
  });
});
