import { describe, expect, it } from 'vitest';
import * as generatedModule from '../../generated/transformer.ts';
import { readRows } from '../../runtime/compare/index.ts';
import type { DataverseClient } from '../../runtime/dataverse/index.ts';
import type { CrosswalkEntry } from '../../runtime/journal/index.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import { existing } from '../../runtime/reconcile/checks.ts';
import type { ReconcileDeps } from '../../runtime/reconcile/reconcile.ts';

const generated: GeneratedModule = generatedModule;
const GUID = '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';

/** A client that fails the test if any request is made: the errors come before any. */
const noRequests = new Proxy({} as DataverseClient, {
  get: (_, name) => () => {
    throw new Error(`unexpected request: ${String(name)}`);
  },
});

const deps = { module: generated, dataverse: noRequests } as unknown as ReconcileDeps;

const entry = (over: Partial<CrosswalkEntry>): CrosswalkEntry => ({
  mapping: 'payment',
  key: 'payment-41',
  sourceId: '41',
  table: 'fs_payment',
  targetId: GUID,
  payloadHash: null,
  sourceUpdatedAt: null,
  createdBy: 3,
  writtenBy: 3,
  ...over,
});

describe('reading crosswalk rows back', () => {
  it('names the row, its table and what to do when the spec no longer writes the table', async () => {
    const owned = new Map([['payment', [entry({ table: 'fs_oldpayment' })]]]);
    await expect(existing(deps, owned, [])).rejects.toThrow(
      `row payment-41 of payment (record 41), Dataverse ${GUID}, is in table fs_oldpayment, which the spec no longer writes; restore the mapping of payment to fs_oldpayment, or roll back run 3, which created the row (\`flitstack rollback --run 3\`)`,
    );
  });

  it('names the row and the table of an id that is not a GUID, before any request', async () => {
    const owned = new Map([['payment', [entry({ targetId: 'payment-41' })]]]);
    await expect(existing(deps, owned, [])).rejects.toThrow(
      "row payment-41 of payment (record 41) is tied to 'payment-41' in table fs_payment, which is not a Dataverse row id (a GUID)",
    );
  });

  it('names a row matched on a value by its record, never by its key', async () => {
    const email = 'anna.smith@clinic.example';
    const owned = new Map([
      ['staff-user', [entry({ mapping: 'staff-user', key: email, sourceId: '7', table: 'systemuser_old' })]],
    ]);
    const error = await existing(deps, owned, []).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('the staff-user row of record 7');
    expect((error as Error).message).not.toContain(email);
  });

  it('reads nothing for an id that is not a GUID, and says where it came from', async () => {
    await expect(
      readRows(noRequests, generated.TABLES.contact!, ['NOT-A-GUID'], [], (id) => `the row of ${id}`),
    ).rejects.toThrow("the row of not-a-guid is tied to 'not-a-guid' in table contact");
  });
});
