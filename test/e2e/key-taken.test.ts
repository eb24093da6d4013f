import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandboxes } from '../../sandbox/index.ts';
import { clients, flitstack, journalPath, KEYS_ACTIVE_AT_ONCE, sandboxes } from '../support/migration.ts';

let sb: Sandboxes;
beforeAll(async () => {
  sb = await sandboxes({ dataverse: KEYS_ACTIVE_AT_ONCE });
  const applied = await flitstack(sb, 'schema', 'apply');
  expect(applied.code, applied.err).toBe(0);
}, 60_000);
afterAll(() => sb?.close());

describe('a row created outside flitstack holding the key of a row a run creates', () => {
  it('is refused with a reason that names both causes and what to do about each, and loads once it is deleted', async () => {
    const [patient] = [...sb.practicehub.records('patients')];
    const key = `patient-${patient!.id}`;
    const { dataverse, practicehub } = clients(sb);
    try {
      const outside = await dataverse.create('contacts', {
        lastname: 'Entered by hand',
        fs_practicehubid: key,
      });
      const journal = journalPath();
      expect((await flitstack(sb, 'run', '--journal', journal, '--rate', '1000')).code).toBe(1);
      const log = await flitstack(
        sb,
        'log',
        '--run',
        '1',
        '--journal',
        journal,
        '--action',
        'reject',
        '--format',
        'json',
      );
      const refused = (JSON.parse(log.out) as { row_key: string; reason: string }[]).filter(
        (op) => op.row_key === key,
      );
      expect(refused).toHaveLength(1);
      const reason = refused[0]!.reason;
      expect(reason).toContain('Entity Key fs_practicehubid_key violated');
      expect(reason).toContain(
        'another row already holds these alternate-key values (fs_practicehubid), under another id',
      );
      expect(reason).toContain(
        'two source records get the same key value: make them differ in PracticeHub, or change the key in the spec',
      );
      expect(reason).toContain(
        "a row created outside flitstack (by hand, an import, another tool) holds the value: find it in Dataverse by this record's key value (`flitstack log` shows it) and delete it, or clear or change its fs_practicehubid",
      );
      expect(reason).toMatch(/then run the same command again$/);
      // Doing what it says: the row deleted, the same command loads the record under flitstack's id.
      await dataverse.delete('contacts', outside);
      expect((await flitstack(sb, 'run', '--journal', journal, '--rate', '1000')).code).toBe(0);
      const rows = sb.dataverse
        .snapshot(['contact'])
        .tables.contact!.filter((r) => r.fs_practicehubid === key);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.contactid).not.toBe(outside);
    } finally {
      await Promise.all([dataverse.close(), practicehub.close()]);
    }
  }, 120_000);
});
