import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataverseClient } from '../../runtime/dataverse/index.ts';
import { Journal, type OperationRecord } from '../../runtime/journal/index.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { clients, flitstack, sandboxes } from '../support/migration.ts';
import { tempDir } from '../support/tmp.ts';

let sb: Sandboxes;
let dataverse: DataverseClient;

beforeAll(async () => {
  sb = await sandboxes({ scale: 0.05, seed: 5 });
  dataverse = clients(sb).dataverse;
  expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
}, 60_000);

afterAll(async () => {
  await dataverse?.close();
  await sb?.close();
});

interface Reconciled {
  ok: boolean;
  differences: { mapping: string; sourceId: string; key: string; kind: string; fields: string[] }[];
}

/** One row as Dataverse holds it now, or undefined when there is none. */
async function row(set: string, primaryId: string, id: string, select: string[]) {
  for await (const r of dataverse.query<Record<string, unknown>>(set, {
    select: [primaryId, ...select],
    filter: `${primaryId} eq ${id}`,
  }))
    return r;
  return undefined;
}

describe('flitstack run --rewrite', () => {
  it('writes again the rows reconcile reported deleted or changed in Dataverse, and its rollback undoes exactly that', async () => {
    const dir = tempDir('flitstack-rewrite-');
    const journalFile = join(dir, 'journal.db');
    const out = join(dir, 'reconcile');
    const cli = (...args: string[]) => flitstack(sb, ...args, '--journal', journalFile, '--rate', '1000');
    const reconcile = async () => {
      const res = await cli('reconcile', '--out', out);
      return {
        code: res.code,
        report: JSON.parse(readFileSync(join(out, 'reconcile.json'), 'utf8')) as Reconciled,
      };
    };
    const first = await cli('run', '--format', 'json');
    expect(first.code, first.err).toBe(0);
    const runId = JSON.parse(first.out).run as number;
    let journal = Journal.open(journalFile, { readonly: true });
    const creates = [...journal.operations(runId, { action: 'create' })];
    journal.close();
    const [tampered, deleted, closed] = creates.filter((op) => op.mapping === 'patient') as [
      OperationRecord,
      OperationRecord,
      OperationRecord,
    ];
    // A payment row: its table takes UpsertMultiple, addressed by alternate key.
    const payment = creates.find((op) => op.mapping === 'payment')!;
    const before = await row('contacts', 'contactid', tampered.targetId!, ['lastname']);

    // As README's walk does: the sandbox's tamper route, and a delete through the Web API.
    const tamper = await fetch(`${sb.dataverse.url}/_sandbox/tamper`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ table: 'contact', id: tampered.targetId, set: { lastname: 'Tampered' } }),
    });
    expect(tamper.status).toBeLessThan(300);
    // A contact deactivated in Dynamics: patients set no state, so reconcile expects it active.
    await dataverse.setState('contacts', closed.targetId!, 1, 2);
    expect(await dataverse.delete('contacts', deleted.targetId!)).toBe(true);
    expect(await dataverse.delete('fs_payments', payment.targetId!)).toBe(true);

    const failed = await reconcile();
    expect(failed.code).toBe(1);
    const found = failed.report.differences.map((d) => `${d.kind} ${d.mapping} ${d.sourceId} ${d.fields}`);
    expect(found).toContain(`mismatch patient ${tampered.sourceId} lastname`);
    expect(found).toContain(`missing patient ${deleted.sourceId} `);
    expect(found).toContain(`missing payment ${payment.sourceId} `);
    expect(found).toContain(`mismatch patient ${closed.sourceId} statecode`);

    // A plain run leaves them alone: their records did not change.
    const plain = await cli('run', '--format', 'json');
    expect(plain.code, plain.err).toBe(0);
    journal = Journal.open(journalFile, { readonly: true });
    expect([...journal.operations(JSON.parse(plain.out).run, { action: ['create', 'update'] })]).toEqual([]);
    journal.close();
    expect((await reconcile()).code).toBe(1);

    const repair = await cli(
      'run',
      '--rewrite',
      '--reconciled',
      join(out, 'reconcile.json'),
      '--format',
      'json',
    );
    expect(repair.code, repair.err).toBe(0);
    const repaired = JSON.parse(repair.out);
    for (const c of Object.values(repaired.summary) as {
      extracted: number;
      loaded: number;
      rejected: number;
      skipped: number;
    }[])
      expect(c.extracted).toBe(c.loaded + c.rejected + c.skipped);
    journal = Journal.open(journalFile, { readonly: true });
    const written = [...journal.operations(repaired.run, { action: ['create', 'update'] })];
    journal.close();
    // Only the rows reported are written: the contact's deletion took its appointments, notes and
    // prescriptions with it (Cascade) and emptied the payments' lookups, which reconcile reported too.
    const reported = failed.report.differences.filter((d) => d.kind === 'missing' || d.kind === 'mismatch');
    expect(reported.length).toBeGreaterThan(3);
    expect(new Set(written.map((op) => `${op.mapping} ${op.sourceId}`))).toEqual(
      new Set(reported.map((d) => `${d.mapping} ${d.sourceId}`)),
    );
    const action = (sourceId: string) => written.find((op) => op.sourceId === sourceId)!.action;
    expect([action(deleted.sourceId), action(payment.sourceId), action(tampered.sourceId)]).toEqual([
      'create',
      'create',
      'update',
    ]);
    // Under the ids the crosswalk and the rows pointing to them know.
    expect(written.find((op) => op.sourceId === deleted.sourceId)!.targetId).toBe(deleted.targetId);
    expect(await row('contacts', 'contactid', deleted.targetId!, [])).toBeDefined();
    expect(await row('fs_payments', 'fs_paymentid', payment.targetId!, [])).toBeDefined();
    expect((await row('contacts', 'contactid', tampered.targetId!, ['lastname']))!.lastname).toBe(
      before!.lastname,
    );
    // The tampered values are the update's pre-image.
    expect(written.find((op) => op.sourceId === tampered.sourceId)!.preImage).toMatchObject({
      lastname: 'Tampered',
    });
    expect((await row('contacts', 'contactid', closed.targetId!, ['statecode']))!.statecode).toBe(0);
    const passed = await reconcile();
    expect(passed.report.differences).toEqual([]);
    expect(passed.code).toBe(0);

    // The rollback of the repair puts Dataverse back as the repair found it.
    const rollback = await flitstack(sb, 'rollback', '--run', String(repaired.run), '--journal', journalFile);
    expect(rollback.code, rollback.err).toBe(0);
    expect(await row('contacts', 'contactid', deleted.targetId!, [])).toBeUndefined();
    expect(await row('fs_payments', 'fs_paymentid', payment.targetId!, [])).toBeUndefined();
    expect((await row('contacts', 'contactid', tampered.targetId!, ['lastname']))!.lastname).toBe('Tampered');
    expect((await row('contacts', 'contactid', closed.targetId!, ['statecode']))!.statecode).toBe(1);
    expect((await reconcile()).code).toBe(1);

    // --rewrite all needs no report: every row is written again, so the rows rolled back are right again.
    const all = await cli(
      'run',
      '--rewrite',
      'all',
      '--reconciled',
      join(dir, 'none.json'),
      '--format',
      'json',
    );
    expect(all.code, all.err).toBe(0);
    const summary = Object.values(JSON.parse(all.out).summary) as { loaded: number; skipped: number }[];
    expect(summary.reduce((n, c) => n + c.loaded, 0)).toBeGreaterThan(
      summary.reduce((n, c) => n + c.skipped, 0),
    );
    expect((await row('contacts', 'contactid', tampered.targetId!, ['lastname']))!.lastname).toBe(
      before!.lastname,
    );
    expect(await row('contacts', 'contactid', deleted.targetId!, [])).toBeDefined();
    // And the row deactivated in Dataverse is active again, its closed state the update's pre-image.
    expect((await row('contacts', 'contactid', closed.targetId!, ['statecode']))!.statecode).toBe(0);
    journal = Journal.open(journalFile, { readonly: true });
    const reopened = [...journal.operations(JSON.parse(all.out).run, { action: 'update' })].find(
      (op) => op.targetId === closed.targetId,
    );
    journal.close();
    expect(reopened?.preImage).toMatchObject({ statecode: 1, statuscode: 2 });
    expect((await reconcile()).report.differences).toEqual([]);
    const undone = await flitstack(
      sb,
      'rollback',
      '--run',
      String(JSON.parse(all.out).run),
      '--journal',
      journalFile,
    );
    expect(undone.code, undone.err).toBe(0);
    expect((await row('contacts', 'contactid', closed.targetId!, ['statecode']))!.statecode).toBe(1);
  }, 240_000);

  it('refuses a reconcile report of another journal, saying what to do (exit 2)', async () => {
    const dir = tempDir('flitstack-rewrite-other-');
    const journalFile = join(dir, 'journal.db');
    const report = join(dir, 'reconcile.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      report,
      JSON.stringify({ run: { id: 1, startedAt: '2020-01-01T00:00:00Z' }, differences: [] }),
    );
    const res = await flitstack(
      sb,
      'run',
      '--rewrite',
      '--reconciled',
      report,
      '--journal',
      journalFile,
      '--rate',
      '1000',
    );
    expect(res.code).toBe(2);
    expect(res.err).toContain(`reconciles run 1 of another journal than ${journalFile}`);
    expect(res.err).toContain('--rewrite all');
  });
});
