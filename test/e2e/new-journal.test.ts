import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as generatedModule from '../../generated/transformer.ts';
import { DataverseClient, optionsFromEnv } from '../../runtime/dataverse/index.ts';
import { Journal } from '../../runtime/journal/index.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import { runMigration } from '../../runtime/run/pipeline.ts';
import { freshOrganisation, operations } from '../support/journals.ts';
import { expectOrganisation, loadDeps, organisation, tablesOf } from '../support/migration.ts';

const generated: GeneratedModule = generatedModule;
const TABLES = tablesOf(generated);

/** A fresh organisation migrated with journal a.db (run 1), and the CLI with journals of `dir`. */
async function migratedByJournalA(seed: number) {
  const fresh = await freshOrganisation(seed);
  const first = await fresh.cli('a.db', 'run', '--rate', '1000');
  expect(first.code, first.err).toBe(0);
  return { ...fresh, migrated: organisation(fresh.box, TABLES) };
}

describe('a run with a new journal against an organisation another journal migrated', () => {
  it('journals the rows already there with their values, so its rollback restores them and deletes none', async () => {
    const { box, dir, cli, migrated } = await migratedByJournalA(8);
    const created = operations(join(dir, 'a.db'), 1, 'create');
    expect(created.some((op) => op.mapping === 'clinical-note')).toBe(true);

    // .flitstack/ lost or moved: the migration again, with a journal that knows none of its rows, after
    // a patient changed and one was added in PracticeHub.
    const [changed] = box.practicehub.mutate({
      resource: 'patients',
      action: 'update',
      count: 1,
      patch: { last_name: 'Changedsince' },
    });
    const [added] = box.practicehub.mutate({ resource: 'patients', action: 'create', count: 1 });
    const second = await cli('b.db', 'run', '--format', 'json', '--rate', '1000');
    expect(second.code, second.err).toBe(0);
    const runB = JSON.parse(second.out).run as number;
    expect(operations(join(dir, 'b.db'), runB, 'create').map((op) => `${op.mapping} ${op.sourceId}`)).toEqual(
      [`patient ${added}`],
    );
    const contact = (id: string) =>
      box.dataverse.snapshot(['contact']).tables.contact!.find((r) => r.fs_practicehubid === `patient-${id}`);
    expect(contact(changed!)?.lastname).toBe('Changedsince');
    expect(contact(added!)).toBeDefined();
    const updates = operations(join(dir, 'b.db'), runB, 'update');
    for (const mapping of ['patient', 'clinical-note', 'payment']) {
      const mine = created.filter((op) => op.mapping === mapping);
      const again = updates.filter((op) => op.mapping === mapping);
      expect(new Set(again.map((op) => op.targetId)), mapping).toEqual(
        new Set(mine.map((op) => op.targetId)),
      );
      expect(again.every((op) => op.preImage !== null)).toBe(true);
      expect(second.err).toContain(`note: ${mapping}: ${mine.length} rows`);
    }
    // No values of a row in the note.
    const patient = updates.find((op) => op.sourceId === changed)!;
    expect(patient.preImage!.lastname).not.toBe('Changedsince');
    expect(second.err).not.toContain(String(patient.preImage!.lastname));

    const rollback = await cli('b.db', 'rollback', '--run', String(runB));
    expect(rollback.code, rollback.err).toBe(0);
    expectOrganisation(box, TABLES, migrated);
  }, 180_000);

  it('keeps journaling them so in the later runs of the journal: a sample, then a run', async () => {
    const { box, dir, cli, migrated } = await migratedByJournalA(10);
    const sample = await cli(
      'b.db',
      'sample',
      '--size',
      '20',
      '--out',
      join(dir, 'sample'),
      '--rate',
      '1000',
    );
    expect(sample.err).toContain('note: patient: ');
    // The journal now knows the sample's rows of each mapping: the run cannot tell the others by looking.
    const run = await cli('b.db', 'run', '--format', 'json', '--rate', '1000');
    expect(run.code, run.err).toBe(0);
    const runB = JSON.parse(run.out).run as number;
    expect(operations(join(dir, 'b.db'), runB, 'create')).toEqual([]);
    expect(run.err).toContain('note: patient: ');
    const journal = Journal.open(join(dir, 'b.db'), { readonly: true });
    const runs = journal.runs().map((r) => r.id);
    journal.close();
    for (const id of runs.reverse()) {
      const rollback = await cli('b.db', 'rollback', '--run', String(id));
      expect(rollback.code, rollback.err).toBe(0);
    }
    expectOrganisation(box, TABLES, migrated);
  }, 180_000);

  it('looks for the rows it creates with one read per mapping keyed by a column, one request per write of the others, on a fresh organisation', async () => {
    const { box: sb, dir } = await freshOrganisation(9);
    const reads = new Map<string, number>();
    // Per entity set: the $batch requests with GET parts (looks for rows), and the ids those parts name.
    const looks = new Map<string, { requests: number; ids: number }>();
    const journal = Journal.open(join(dir, 'journal.db'));
    const deps = loadDeps(sb, journal, generated, dir);
    const dataverse = new DataverseClient({
      ...optionsFromEnv(sb.env),
      onEvent: (e) => {
        if (e.type === 'request' && e.kind === 'data' && e.method === 'GET')
          reads.set(e.path, (reads.get(e.path) ?? 0) + 1);
      },
    });
    const batch = dataverse.batch.bind(dataverse);
    dataverse.batch = (items, o) => {
      const sets = new Set<string>();
      for (const item of items) {
        if (!('method' in item) || item.method !== 'GET') continue;
        const set = item.path.split('?')[0]!;
        const seen = looks.get(set) ?? { requests: 0, ids: 0 };
        const ids = decodeURIComponent(item.path).match(/'[0-9a-f-]{36}'/g) ?? [];
        looks.set(set, { requests: seen.requests + (sets.has(set) ? 0 : 1), ids: seen.ids + ids.length });
        sets.add(set);
      }
      return batch(items, o);
    };
    const flushes = new Map<string, number>();
    try {
      const result = await runMigration({
        ...deps,
        dataverse,
        onEvent: (e) => {
          if (e.type === 'flush') flushes.set(e.resource, (flushes.get(e.resource) ?? 0) + 1);
        },
      });
      expect(result.rejected).toBe(0);
      const ops = [...journal.operations(result.run.id)];
      const creating = (table: string) =>
        Object.values(generated.MAPPINGS).filter(
          (m) => m.target === table && ops.some((op) => op.mapping === m.name && op.action === 'create'),
        );
      // Tables only upsert mappings write (an update mapping reads the rows it changes).
      for (const table of ['appointment', 'fs_payment']) {
        const mappings = creating(table);
        expect(mappings.every((m) => m.mode === 'upsert' && m.key.kind === 'alternate')).toBe(true);
        const set = generated.TABLES[table]!.entitySet;
        // Keyed by a column: one read by key prefix finds none, and the run looks no further.
        expect(reads.get(set) ?? 0, set).toBe(mappings.length);
        expect(looks.get(set), set).toBeUndefined();
        expect(ops.filter((op) => op.table === table && op.action === 'update')).toEqual([]);
      }
      for (const table of ['annotation', 'connection']) {
        const mappings = creating(table);
        expect(mappings.every((m) => m.mode === 'upsert' && m.key.kind === 'derived')).toBe(true);
        const set = generated.TABLES[table]!.entitySet;
        const created = ops.filter((op) => op.table === table && op.action === 'create').length;
        // Derived ids: each row created was looked for once, in one request per write at most.
        expect(reads.get(set) ?? 0, set).toBe(0);
        if (table === 'annotation') expect(created).toBeGreaterThan(0);
        expect(looks.get(set)?.ids ?? 0, set).toBe(created);
        const writes = mappings.reduce((n, m) => n + (flushes.get(m.source) ?? 0), 0);
        expect(looks.get(set)?.requests ?? 0, set).toBeLessThanOrEqual(writes);
        expect(ops.filter((op) => op.table === table && op.action === 'update')).toEqual([]);
      }
    } finally {
      await dataverse.close();
      await deps.dataverse.close();
      await deps.practicehub.close();
      journal.close();
    }
  }, 120_000);
});
