import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataverseClient, optionsFromEnv } from '../../runtime/dataverse/index.ts';
import { Journal } from '../../runtime/journal/index.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { flitstack, sandboxes } from '../support/migration.ts';

let sb: Sandboxes;
let dir: string;
let journal: string;
let client: DataverseClient;

const rollback = (...args: string[]) => flitstack(sb, 'rollback', '--journal', journal, ...args);
const contact = (id: string) =>
  sb.dataverse.snapshot(['contact']).tables.contact?.find((r) => r.contactid === id);

/** The contact ids a run journaled as created or updated for patients. */
function patientRows(runId: number, action: 'create' | 'update'): string[] {
  const j = Journal.open(journal);
  try {
    return [...j.operations(runId, { action, mapping: 'patient' })]
      .filter((o) => o.error === null)
      .map((o) => o.targetId!);
  } finally {
    j.close();
  }
}

beforeAll(async () => {
  sb = await sandboxes({ scale: 0.05 });
  client = new DataverseClient(optionsFromEnv({ ...sb.env }));
  dir = mkdtempSync(join(tmpdir(), 'flitstack-rollback-changed-'));
  journal = join(dir, 'journal.db');
  expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
  expect((await flitstack(sb, 'run', '--journal', journal, '--rate', '1000')).code).toBe(0);
}, 60_000);
afterAll(async () => {
  await client?.close();
  await sb?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('flitstack rollback of rows changed in Dataverse after the run wrote them', () => {
  it('leaves a row a user edited after a delta updated it, naming it, until --discard-changes', async () => {
    sb.practicehub.mutate({
      resource: 'patients',
      action: 'update',
      count: 2,
      patch: { last_name: 'Changed' },
    });
    const delta = await flitstack(sb, 'delta', '--journal', journal, '--rate', '1000', '--format', 'json');
    expect(delta.code).toBe(0);
    const runId = JSON.parse(delta.out).run as number;
    const [edited, other] = patientRows(runId, 'update');
    expect(other).toBeDefined();
    // modifiedon has whole seconds: the edit comes in a later second than the delta's write.
    await delay(2100);
    await client.update('contacts', edited!, { telephone1: '+44 20 7946 0001' });

    const refused = await rollback('--run', String(runId));
    expect(refused.code).toBe(1);
    expect(refused.out).toContain(edited);
    expect(refused.out).toContain('--discard-changes');
    expect(contact(edited!)?.telephone1).toBe('+44 20 7946 0001');
    expect(contact(edited!)?.lastname).toBe('Changed');
    expect(contact(other!)?.lastname).not.toBe('Changed');

    const forced = await rollback('--run', String(runId), '--discard-changes');
    expect(forced.code).toBe(0);
    expect(contact(edited!)?.lastname).not.toBe('Changed');
  }, 40_000);

  it('does not delete a created row a user edited after the run, until --discard-changes', async () => {
    const [edited] = patientRows(1, 'create');
    await delay(2100);
    await client.update('contacts', edited!, { telephone1: '+44 20 7946 0002' });

    const refused = await rollback('--run', '1');
    expect(refused.out).toMatch(
      /clinic account \S+, not deleted: patient row \S+ \(parentcustomerid\), which is left as it is, points to the row/,
    );
    expect(refused.code).toBe(1);
    expect(refused.out).toContain(edited);
    expect(contact(edited!)?.telephone1).toBe('+44 20 7946 0002');
    expect(sb.dataverse.snapshot(['contact']).tables.contact?.length).toBeGreaterThan(0);

    const again = await rollback('--run', '1');
    expect(again.code).toBe(1);
    expect(contact(edited!)).toBeDefined();

    const forced = await rollback('--run', '1', '--discard-changes');
    expect(forced.code).toBe(0);
    expect(contact(edited!)).toBeUndefined();
  }, 40_000);
});
