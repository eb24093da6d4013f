import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import * as generatedModule from '../../generated/transformer.ts';
import { Journal, MIGRATIONS, migrate } from '../../runtime/journal/index.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import type { RollbackPhase } from '../../runtime/rollback/index.ts';
import { stagedWrites } from '../../runtime/rollback/staged.ts';
import { guid } from '../runtime/journal/helpers.ts';
import { tempDir } from '../support/tmp.ts';

const module: GeneratedModule = generatedModule;

describe('writes whose answer was never journaled, as a rollback reads them from staged images', () => {
  it('go to the step that undoes them, and images staged before journal schema 6 name their record and table through the crosswalk, the spec or the key', () => {
    const path = join(tempDir(), 'journal.db');
    const db = new Database(path);
    migrate(db, MIGRATIONS.slice(0, 5));
    db.prepare(
      `INSERT INTO runs (id, kind, status, started_at, heartbeat_at, spec_hash, code_hash, options, owner_pid,
         owner_host) VALUES (1, 'delta', 'failed', 't', 't', 's', 'c', '{}', 1, 'h')`,
    ).run();
    db.prepare(
      `INSERT INTO crosswalk (mapping, row_key, source_id, target_table, target_id, created_by, written_by)
       VALUES ('patient', 'patient-1', '1', 'contact', ?, 1, 1)`,
    ).run(guid(1));
    const stage = db.prepare(
      `INSERT INTO staged_images (run_id, mapping, row_key, target_id, action, pre_image, staged_at)
       VALUES (1, ?, ?, ?, ?, ?, '2025-01-01T00:00:00.000Z')`,
    );
    stage.run('patient', 'patient-1', guid(1), 'update', '{"firstname":"First"}');
    stage.run('patient', 'patient-2', guid(2), 'update', null);
    stage.run('appointment', 'appointment-3', guid(3), 'deactivate', '{"statecode":0,"statuscode":1}');
    stage.run('payment', 'payment-4', guid(4), 'delete', '{"fs_name":"Fee"}');
    db.close();

    const journal = Journal.open(path);
    try {
      expect(journal.images.get(1, 'patient', 'patient-1')).toMatchObject({ sourceId: null, table: null });
      const step = (phase: RollbackPhase) =>
        [...stagedWrites(journal, module, 1, phase)].map((w) => [w.key, w.action, w.sourceId, w.table, w.id]);
      expect(step('recreate')).toEqual([['payment-4', 'delete', 'payment-4', 'fs_payment', null]]);
      // Restored newest first: in one staging, in reverse load order (appointments after patients).
      expect(step('restore')).toEqual([
        ['appointment-3', 'deactivate', 'appointment-3', 'appointment', null],
        ['patient-1', 'update', '1', 'contact', null],
      ]);
      // An update of a row that was not there created it: the delete step removes it.
      expect(step('delete')).toEqual([['patient-2', 'create', 'patient-2', 'contact', null]]);
    } finally {
      journal.close();
    }
  });
});
