import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { DataverseClient } from '../../../runtime/dataverse/client.ts';
import { recordPath, recordUri } from '../../../runtime/dataverse/odata.ts';
import { label } from '../../../runtime/dataverse/schema.ts';
import type { Snapshot, SnapshotValue } from '../../../sandbox/dataverse/index.ts';
import { NO_FAULTS, parseFaults } from '../../../sandbox/shared/faults.ts';
import { createRng } from '../../../sandbox/shared/rng.ts';
import { addContactKey, createVisitTable, rig } from './helpers.ts';

const ACCOUNT = 'c1c1c1c1-0000-4000-8000-000000000001';
const IDENTITY = {
  tenantId: '9a0c4b1e-5d2f-4c3a-8e7b-1f2a3b4c5d6e',
  clientId: '3e8d7c6b-5a49-4f38-b2a1-0c9d8e7f6a5b',
  clientSecret: 'sandbox-secret-for-tests',
};

/** A migration-shaped workload of idempotent writes: schema, single upserts, bulk, $batch, states, deletes. */
async function workload(c: DataverseClient): Promise<void> {
  await addContactKey(c);
  await createVisitTable(c);
  await c.create('accounts', { name: 'Central clinic' }, { id: ACCOUNT });
  await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      c.upsert(
        'contacts',
        { fs_practicehubid: `p-${i}` },
        {
          firstname: `First ${i}`,
          lastname: `Last ${i}`,
          'parentcustomerid_account@odata.bind': recordUri('accounts', ACCOUNT),
        },
      ),
    ),
  );
  const visits = Array.from({ length: 30 }, (_, i) => ({
    '@odata.id': recordUri('fs_visits', { fs_sourceid: `v-${i}` }, false),
    fs_name: `Visit ${i}`,
    fs_amount: i,
  }));
  await c.upsertMultiple('fs_visits', 'fs_visit', visits);
  const parts = Array.from({ length: 10 }, (_, i) => ({
    method: 'PATCH' as const,
    path: recordPath('contacts', { fs_practicehubid: `p-${i}` }),
    body: { jobtitle: `Role ${i}` },
  }));
  const results = await c.batch(parts, { continueOnError: true });
  expect(results.every((p) => p.status === 204)).toBe(true);
  await c.createMultiple('fs_visits', 'fs_visit', [
    { fs_visitid: 'd0d0d0d0-0000-4000-8000-000000000001', fs_name: 'Chosen 1', fs_sourceid: 'chosen-1' },
    { fs_visitid: 'd0d0d0d0-0000-4000-8000-000000000002', fs_name: 'Chosen 2', fs_sourceid: 'chosen-2' },
  ]);
  await c.setState('contacts', { fs_practicehubid: 'p-1' }, 1);
  await c.delete('contacts', { fs_practicehubid: 'p-2' });
  await c.update('accounts', ACCOUNT, { telephone1: '+44 20 7946 0000' });
}

const VOLATILE = new Set(['createdon', 'modifiedon', 'versionnumber', 'overriddencreatedon']);
const NATURAL: Record<string, string> = {
  account: 'name',
  contact: 'fs_practicehubid',
  fs_visit: 'fs_sourceid',
};

/** Rows keyed by their natural key: generated ids and timestamps differ between two runs, nothing else may. */
function normalize(snapshot: Snapshot): Record<string, Record<string, Record<string, unknown>>> {
  const names = new Map<string, string>();
  for (const [table, rows] of Object.entries(snapshot.tables)) {
    for (const row of rows) names.set(String(row[`${table}id`]), `${table}:${String(row[NATURAL[table]!])}`);
  }
  const value = (v: SnapshotValue) =>
    v !== null && typeof v === 'object'
      ? `${v.table}:${names.get(v.id) ?? v.id}`
      : typeof v === 'string'
        ? (names.get(v) ?? v)
        : v;
  const out: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const [table, rows] of Object.entries(snapshot.tables)) {
    out[table] = {};
    for (const row of rows) {
      const kept = Object.entries(row).filter(([k]) => !VOLATILE.has(k));
      out[table]![String(row[NATURAL[table]!])] = Object.fromEntries(kept.map(([k, v]) => [k, value(v)]));
    }
  }
  return out;
}

/** The first seed whose slow/fast draws follow `pattern` (true = slow), for a sandbox with only slow faults. */
function seedFor(pattern: readonly boolean[], rate = 0.5): number {
  for (let seed = 1; seed < 100_000; seed += 1) {
    const rng = createRng(seed);
    if (pattern.every((slow) => rng.next() < rate === slow)) return seed;
  }
  throw new Error('no seed');
}

/** A clock whose waits last 700 ms longer, so a retry reaches the server after the slow original ran. */
const lateRetries = { now: () => Date.now(), sleep: (ms: number) => delay(ms + 700) };

describe('dataverse client: injected faults', () => {
  it('survives 429s, 5xx, resets and slow answers with the same final state as a clean run', async () => {
    const clean = await rig({ ...IDENTITY });
    const faulty = await rig(
      { ...IDENTITY, faults: parseFaults('429=0.1,5xx=0.1,reset=0.08,slow=0.05@40,retry-after=0,seed=11') },
      { maxRetries: 10, maxConcurrency: 4 },
    );
    try {
      await workload(clean.client);
      await workload(faulty.client);
      const tables = ['account', 'contact', 'fs_visit'];
      const expected = normalize(clean.sb.snapshot(tables));
      expect(Object.keys(expected.contact!)).toHaveLength(11);
      expect(Object.keys(expected.fs_visit!)).toHaveLength(32);
      expect(normalize(faulty.sb.snapshot(tables))).toEqual(expected);
      expect(faulty.sb.stats().faultsInjected).toBeGreaterThanOrEqual(8);
      const stats = faulty.client.stats();
      expect(stats.retries).toBeGreaterThanOrEqual(6);
      expect(stats.recordsWritten).toBe(clean.client.stats().recordsWritten);
      const reasons = new Set(faulty.events.flatMap((e) => (e.type === 'retry' ? [e.reason] : [])));
      expect([...reasons].sort()).toEqual(['network', 'server_error', 'throttled']);
    } finally {
      await clean.close();
      await faulty.close();
    }
  });

  it('does not retry a create without its own id when the answer is lost', async () => {
    const r = await rig({ faults: { ...NO_FAULTS, rateReset: 1 } });
    try {
      const e = await r.client.create('accounts', { name: 'Once' }).catch((x: unknown) => x);
      expect(e).toMatchObject({ status: 0, code: 'network', method: 'POST', path: 'accounts' });
      expect((e as Error).message).toContain('whether the request took effect is unknown');
      expect(r.sb.stats().requests.data).toBe(1);
    } finally {
      await r.close();
    }
  });

  describe('writes that took effect although the answer timed out', () => {
    const timeouts = (pattern: boolean[], extra = {}) =>
      rig(
        { faults: { ...NO_FAULTS, rateSlow: 0.5, slowMs: 500, seed: seedFor(pattern) }, ...extra },
        // Long enough for a cold first request, shorter than a slow answer.
        { timeoutMs: 300, clock: lateRetries },
      );

    it('a create with its own id: DuplicateRecord on the retry means it was created', async () => {
      // Draws: the table lookup, the create (slow, times out), the retry.
      const r = await timeouts([false, true, false]);
      try {
        expect(await r.client.create('accounts', { name: 'Once' }, { id: ACCOUNT })).toBe(ACCOUNT);
        expect(r.sb.stats().recordsCreated).toBe(1);
        expect(r.events.some((e) => e.type === 'retry' && e.reason === 'timeout')).toBe(true);
      } finally {
        await r.close();
      }
    });

    it('a delete: 404 on the retry means it was deleted', async () => {
      const r = await timeouts([false, false, true, false]);
      try {
        await r.client.create('accounts', { name: 'Doomed' }, { id: ACCOUNT });
        expect(await r.client.delete('accounts', ACCOUNT)).toBe(true);
        expect(r.sb.stats().recordsDeleted).toBe(1);
      } finally {
        await r.close();
      }
    });

    it('a CreateMultiple with ids: DuplicateRecord on the retry returns the ids', async () => {
      const r = await timeouts([false, true, false], { bulkMessages: { account: true } });
      try {
        const ids = ['e0000000-0000-4000-8000-000000000001', 'e0000000-0000-4000-8000-000000000002'];
        const created = await r.client.createMultiple(
          'accounts',
          'account',
          ids.map((accountid, i) => ({ accountid, name: `Bulk ${i}` })),
        );
        expect(created).toEqual(ids);
        expect(r.sb.stats().recordsCreated).toBe(2);
      } finally {
        await r.close();
      }
    });

    it('a column: "already exists" on the retry means it was created, and its id is read back', async () => {
      const r = await timeouts([true, false, false]);
      try {
        const id = await r.client.createAttribute(
          'contact',
          {
            '@odata.type': 'Microsoft.Dynamics.CRM.StringAttributeMetadata',
            SchemaName: 'fs_Allergy',
            MaxLength: 100,
            DisplayName: label('Allergy'),
          },
          'flitstack',
        );
        const column = (await r.client.attributes('contact', false)).find(
          (a) => a.logicalName === 'fs_allergy',
        );
        expect(column?.metadataId).toBe(id);
      } finally {
        await r.close();
      }
    });
  });
});
