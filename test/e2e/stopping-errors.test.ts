import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataverseClient, optionsFromEnv } from '../../runtime/dataverse/index.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { flitstack, journalPath, sandboxes } from '../support/migration.ts';

/*
 * An error that stops a command is printed with Dataverse's own words, which a plug-in writes with the
 * row's values as it likes. A plug-in refusing with 403 (a rule about who may write the row) fails a
 * bulk request (UpsertMultiple, which the custom payment table takes) as a whole rather than one of
 * its items: the run stops (exit 2) and prints the error, which must not quote the values the request
 * sent.
 */

describe('an error that stops a command', () => {
  let sb: Sandboxes;
  let reference: string | undefined;
  beforeAll(async () => {
    sb = await sandboxes({
      scale: 0.03,
      seed: 29,
      dataverse: {
        plugins: [
          {
            table: 'fs_payment',
            status: 403,
            refuse: (row) =>
              row.fs_reference === reference
                ? `Only the finance team may record "${row.fs_name}" (reference ${row.fs_reference}); ask them.`
                : undefined,
          },
        ],
      },
    });
    reference = [...sb.practicehub.records('payments')]
      .map((p) => p.reference)
      .find((r): r is string => typeof r === 'string' && r.length >= 6);
  }, 60_000);
  afterAll(() => sb?.close());

  it('prints Dataverse words without the values the request sent', async () => {
    expect(reference).toBeDefined();
    expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
    const journal = journalPath();
    const run = await flitstack(sb, 'run', '--journal', journal, '--rate', '1000');
    expect(run.code, run.err).toBe(2);
    expect(run.err).toContain(
      'error: UpsertMultiple into fs_payments failed: Only the finance team may record "<value>" (reference <value>); ask them. (HTTP 403, code 0x80040265',
    );
    expect(run.err).not.toContain(reference);
    // Nor does what the journal keeps of the stopped run, as `runs` and `log` show it.
    for (const args of [['runs'], ['runs', '--run', '1'], ['log', '--run', '1', '--format', 'json']]) {
      const shown = await flitstack(sb, ...args, '--journal', journal);
      expect(shown.code, shown.err).toBe(0);
      expect(`${shown.out}${shown.err}`).not.toContain(reference);
    }
  }, 120_000);

  it("keeps the names a schema request sent, which Dataverse's message names on purpose", async () => {
    const client = new DataverseClient(optionsFromEnv(sb.env));
    try {
      const created = client.createAttribute('contact', {
        '@odata.type': 'Microsoft.Dynamics.CRM.StringAttributeMetadata',
        SchemaName: 'xx_Allergy',
        MaxLength: 100,
      });
      await expect(created).rejects.toThrow('The schema name xx_Allergy for type');
    } finally {
      await client.close();
    }
  });
});
