import { describe, expect, it } from 'vitest';
import * as generatedModule from '../../generated/transformer.ts';
import { Journal } from '../../runtime/journal/index.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import { runMigration } from '../../runtime/run/pipeline.ts';
import { freshOrganisation, operations, runIds } from '../support/journals.ts';
import { expectOrganisation, loadDeps, organisation, tablesOf } from '../support/migration.ts';

const generated: GeneratedModule = generatedModule;
const TABLES = tablesOf(generated);

/** The targets of the operations of a run of one mapping with one action. */
function targets(file: string, run: number, action: 'create' | 'update', mapping: string): Set<string> {
  return new Set(
    operations(file, run, action)
      .filter((op) => op.mapping === mapping)
      .map((op) => op.targetId!),
  );
}

describe('a journal that meets rows of a mapping another journal wrote', () => {
  it('finds the notes another journal wrote though none is among the first it writes', async () => {
    const { box, dir, load, cli, file } = await freshOrganisation(11);
    // Journal a.db wrote every row but those of the first 60 clinical notes, as a sample or a run
    // stopped part way may have: the notes journal b.db writes first are none of its.
    const a = Journal.open(file('a.db'));
    const deps = loadDeps(box, a, generated, dir);
    let notes = 0;
    try {
      const first = await runMigration(deps, {
        select: (resource) => resource !== 'clinical_notes' || ++notes > 60,
      });
      expect(first.rejected).toBe(0);
    } finally {
      await deps.dataverse.close();
      await deps.practicehub.close();
      a.close();
    }
    const written = targets(file('a.db'), 1, 'create', 'clinical-note');
    expect(written.size).toBeGreaterThan(0);
    const migrated = organisation(box, TABLES);

    const b = await load('b.db', 'run');
    for (const mapping of ['clinical-note', 'patient', 'appointment']) {
      const mine = targets(file('a.db'), 1, 'create', mapping);
      expect(targets(file('b.db'), b.run, 'update', mapping), mapping).toEqual(mine);
      for (const id of targets(file('b.db'), b.run, 'create', mapping)) expect(mine.has(id)).toBe(false);
    }
    expect(targets(file('b.db'), b.run, 'create', 'clinical-note').size).toBeGreaterThan(0);
    const rollback = await cli('b.db', 'rollback', '--run', String(b.run));
    expect(rollback.code, rollback.err).toBe(0);
    expectOrganisation(box, TABLES, migrated);
  }, 180_000);

  it('finds them among the rows its own sample did not write, in its full run', async () => {
    const { box, dir, cli, load, file } = await freshOrganisation(12);
    // b.db samples the fresh organisation, a.db then migrates it all, then b.db runs in full.
    const sample = await cli('b.db', 'sample', '--size', '20', '--out', `${dir}/sample`, '--rate', '1000');
    expect(sample.code, sample.err).toBe(0);
    await load('a.db', 'run');
    const migrated = organisation(box, TABLES);
    const [sampled] = runIds(file('b.db'));
    const b = await load('b.db', 'run');
    for (const mapping of ['patient', 'clinical-note', 'payment']) {
      // The rows a.db created are those b.db's sample had not: b.db's run finds them all.
      const theirs = targets(file('a.db'), 1, 'create', mapping);
      expect(theirs.size, mapping).toBeGreaterThan(0);
      for (const id of targets(file('b.db'), sampled!, 'create', mapping)) expect(theirs.has(id)).toBe(false);
      expect(targets(file('b.db'), b.run, 'update', mapping), mapping).toEqual(theirs);
    }
    expect(operations(file('b.db'), b.run, 'create')).toEqual([]);
    const rollback = await cli('b.db', 'rollback', '--run', String(b.run));
    expect(rollback.code, rollback.err).toBe(0);
    expectOrganisation(box, TABLES, migrated);
  }, 180_000);

  it("journals as updated the rows a delta picks up that another journal's run wrote", async () => {
    const { box, cli, load, file } = await freshOrganisation(13);
    await load('b.db', 'run');
    // A patient added in PracticeHub, which journal a.db's run loads before b.db's delta does.
    const [added] = box.practicehub.mutate({ resource: 'patients', action: 'create', count: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await load('a.db', 'run');
    const migrated = organisation(box, TABLES);
    const contact = () =>
      box.dataverse
        .snapshot(['contact'])
        .tables.contact!.find((r) => r.fs_practicehubid === `patient-${added}`);
    expect(contact()).toBeDefined();
    const delta = await load('b.db', 'delta');
    const updated = operations(file('b.db'), delta.run, 'update').filter((op) => op.sourceId === added);
    expect(updated.map((op) => op.mapping)).toContain('patient');
    expect(updated.every((op) => op.preImage !== null)).toBe(true);
    expect(operations(file('b.db'), delta.run, 'create').filter((op) => op.sourceId === added)).toEqual([]);
    const rollback = await cli('b.db', 'rollback', '--run', String(delta.run));
    expect(rollback.code, rollback.err).toBe(0);
    expect(contact()).toBeDefined();
    expectOrganisation(box, TABLES, migrated);
  }, 180_000);
});
