import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal } from '../../runtime/journal/index.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { clients, flitstack, sandboxes } from '../support/migration.ts';
import { tempDir } from '../support/tmp.ts';

let sb: Sandboxes;

beforeAll(async () => {
  sb = await sandboxes({ scale: 0.05, seed: 5 });
  expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
}, 60_000);

afterAll(async () => {
  await sb?.close();
});

describe('flitstack sample, when a row it wrote was deleted in Dataverse since', () => {
  it('says the row was deleted after flitstack wrote it, not only that there is no such row', async () => {
    const dir = tempDir('flitstack-sample-missing-');
    const journalFile = join(dir, 'journal.db');
    const sample = (out: string) =>
      flitstack(
        sb,
        'sample',
        '--journal',
        journalFile,
        '--rate',
        '1000',
        '--out',
        join(dir, out),
        '--format',
        'json',
      );
    const first = await sample('first');
    expect(first.code, first.err).toBe(0);
    const journal = Journal.open(journalFile, { readonly: true });
    const created = [...journal.operations(JSON.parse(first.out).run, { action: 'create' })].find(
      (op) => op.mapping === 'patient',
    )!;
    journal.close();
    // As a user deleting the contact in Dynamics would: through the Web API.
    const { dataverse } = clients(sb);
    expect(await dataverse.delete('contacts', created.targetId!)).toBe(true);
    await dataverse.close();

    const second = await sample('second');
    expect(second.code).toBe(1);
    const json = JSON.parse(second.out);
    expect(json.tallies.find((t: { mapping: string }) => t.mapping === 'patient').missing).toBe(1);
    const md = readFileSync(join(dir, 'second', 'sample.md'), 'utf8');
    const at = md.indexOf(`### patient ${created.sourceId}: missing`);
    expect(at).toBeGreaterThan(0);
    expect(md.slice(at).split('\n').slice(0, 5).join('\n')).toContain(
      `no such row in Dataverse, though run ${json.run} journaled its row as unchanged: it was deleted in Dataverse after flitstack wrote it; a run leaves it alone while what the spec makes of the record is unchanged: 'flitstack run --rewrite' writes again the rows the last 'flitstack reconcile' reported ('--rewrite all': every row).`,
    );
  });
});
