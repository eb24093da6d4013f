import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../../runtime/journal/index.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { flitstack, journalPath, KEYS_ACTIVE_AT_ONCE, sandboxes } from '../support/migration.ts';

const open: Sandboxes[] = [];
afterEach(async () => {
  for (const sb of open.splice(0)) await sb.close();
});

/**
 * Sandboxes with the schema applied: a new organisation each time (each start has its own tenant), its
 * keys Active at once.
 */
async function organisation(): Promise<Sandboxes> {
  const sb = await sandboxes({ scale: 0.02, dataverse: KEYS_ACTIVE_AT_ONCE });
  open.push(sb);
  expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
  return sb;
}

/** What the journal at `path` holds: its organisation and runs. */
function held(path: string) {
  const journal = Journal.open(path, { readonly: true });
  try {
    return { organization: journal.organization, runs: journal.runs().map((r) => [r.id, r.kind, r.status]) };
  } finally {
    journal.close();
  }
}

/** Rows of the spec's tables the runs write (contacts carry the spec's keys). */
const written = (sb: Sandboxes) =>
  (sb.dataverse.snapshot(['contact']).tables.contact ?? []).filter((row) => row.fs_practicehubid != null);

describe('a journal belongs to the organisation its runs wrote to', () => {
  it('is refused, naming both organisations, by every command that reads or writes another one', async () => {
    const first = await organisation();
    const path = journalPath();
    expect((await flitstack(first, 'run', '--journal', path, '--rate', '1000')).code).toBe(0);
    const firstId = first.dataverse.ids().organizationId;
    expect(held(path).organization).toBe(firstId);
    const before = held(path);

    // The sandbox started again: a new, empty organisation, and the journal of the first.
    await first.close();
    open.splice(open.indexOf(first), 1);
    const second = await organisation();
    const secondId = second.dataverse.ids().organizationId;
    expect(secondId).not.toBe(firstId);
    for (const args of [
      ['run', '--journal', path, '--rate', '1000'],
      ['sample', '--journal', path, '--rate', '1000'],
      ['delta', '--journal', path, '--rate', '1000'],
      ['rollback', '--run', '1', '--journal', path],
      ['reconcile', '--journal', path, '--rate', '1000', '--out', journalPath().replace(/journal\.db$/, '')],
    ]) {
      const result = await flitstack(second, ...args);
      expect([args[0], result.code]).toEqual([args[0], 2]);
      expect(result.err).toContain(`holds the runs written to organisation ${firstId}`);
      expect(result.err).toContain(`DATAVERSE_URL is organisation ${secondId}`);
      expect(result.err).toContain('--journal <new file>');
    }
    expect(written(second)).toEqual([]);
    expect(held(path)).toEqual(before);

    // A journal of its own: the same migration runs there.
    const own = journalPath();
    expect((await flitstack(second, 'run', '--journal', own, '--rate', '1000')).code).toBe(0);
    expect(held(own).organization).toBe(secondId);
    expect(written(second).length).toBeGreaterThan(0);
  });

  it("is refused as another organisation's before delta or reconcile looks for a completed run in it", async () => {
    const elsewhere = '5e1f0c2a-0000-4000-8000-00000000abcd';
    const path = journalPath();
    const journal = Journal.open(path);
    journal.belongsTo(elsewhere);
    const run = journal.startRun({ kind: 'run', specHash: 's', codeHash: 'c' });
    journal.finishRun(run.id, 'interrupted');
    journal.close();
    const sb = await organisation();
    for (const args of [
      ['delta', '--journal', path, '--rate', '1000'],
      ['reconcile', '--journal', path, '--rate', '1000', '--out', journalPath().replace(/journal\.db$/, '')],
    ]) {
      const result = await flitstack(sb, ...args);
      expect([args[0], result.code]).toEqual([args[0], 2]);
      expect(result.err).toContain(`holds the runs written to organisation ${elsewhere}`);
      expect(result.err).not.toContain('holds no completed run');
    }
  });

  it('ties a journal written before journals kept their organisation only where the rows it wrote last are', async () => {
    const [first, second] = [await organisation(), await organisation()];
    const path = journalPath();
    expect((await flitstack(first, 'run', '--journal', path, '--rate', '1000')).code).toBe(0);
    const db = new Database(path);
    db.prepare(`DELETE FROM meta WHERE key = 'organization_id'`).run();
    db.close();
    const before = held(path);
    expect(before.organization).toBeUndefined();

    for (const args of [
      ['rollback', '--run', '1', '--journal', path],
      ['run', '--journal', path, '--rate', '1000'],
    ]) {
      const refused = await flitstack(second, ...args);
      expect([args[0], refused.code]).toEqual([args[0], 2]);
      expect(refused.err).toContain('holds runs from before journals kept their organisation');
      expect(refused.err).toContain(`none of the 3 rows it wrote last`);
      expect(refused.err).toContain(`organisation ${second.dataverse.ids().organizationId}`);
    }
    expect(written(second)).toEqual([]);
    expect(held(path)).toEqual(before);

    // Where its runs wrote, the journal is tied and used: a second run skips every record as unchanged.
    expect((await flitstack(first, 'run', '--journal', path, '--rate', '1000')).code).toBe(0);
    expect(held(path).organization).toBe(first.dataverse.ids().organizationId);
  });
});

/** A new journal of `sb`'s organisation holding one run of spec `specHash`, left `status` by this process. */
function journalWithRun(sb: Sandboxes, specHash: string, status: 'running' | 'interrupted'): string {
  const path = journalPath();
  const journal = Journal.open(path);
  journal.belongsTo(sb.dataverse.ids().organizationId);
  const run = journal.startRun({ kind: 'run', specHash, codeHash: 'c' });
  if (status !== 'running') journal.finishRun(run.id, status);
  journal.close();
  return path;
}

describe('a run interrupted under another spec', () => {
  it('is not continued, and the run that starts anew says so, naming both specs', async () => {
    const sb = await organisation();
    const path = journalWithRun(sb, 'a1b2c3d4e5f6a7b8', 'interrupted');

    const result = await flitstack(sb, 'run', '--journal', path, '--rate', '1000');
    expect(result.code).toBe(0);
    expect(result.err).toMatch(
      /^note: run 1 stopped under spec a1b2c3d4e5f6, not this spec [0-9a-f]{12}: run 2 starts anew rather than continuing it, and run 1 stays interrupted; no later run continues it, under either spec$/m,
    );
    expect(result.err).toMatch(
      /^ {2}to undo what run 1 wrote, roll back once run 2 ends, newest first: `flitstack rollback --run 2`, then `flitstack rollback --run 1 --force`$/m,
    );
    expect(held(path).runs).toEqual([
      [1, 'run', 'interrupted'],
      [2, 'run', 'completed'],
    ]);
    // A run of this spec continued, or a new run with nothing left behind, says nothing of the kind.
    const again = await flitstack(sb, 'run', '--journal', path, '--rate', '1000');
    expect(again.code).toBe(0);
    expect(again.err).not.toContain('note: run');

    // What the note advises works, in its order (after run 3, built on run 2 since); run 1 alone is
    // refused for the runs built on it.
    const alone = await flitstack(sb, 'rollback', '--run', '1', '--force', '--journal', path);
    expect([alone.code, alone.err]).toEqual([1, expect.stringContaining('later runs built on run 1')]);
    for (const run of ['3', '2']) {
      const rolled = await flitstack(sb, 'rollback', '--run', run, '--journal', path);
      expect([run, rolled.code, rolled.err]).toEqual([run, 0, expect.any(String)]);
    }
    expect((await flitstack(sb, 'rollback', '--run', '1', '--force', '--journal', path)).code).toBe(0);
    expect(held(path).runs.slice(0, 3)).toEqual([
      [1, 'run', 'rolled_back'],
      [2, 'run', 'rolled_back'],
      [3, 'run', 'rolled_back'],
    ]);
    expect(written(sb)).toEqual([]);
  });
});

describe('a journal in use by a run that is still running', () => {
  it('is refused with exit 2 by rollback, as by run, naming the process', async () => {
    const sb = await organisation();
    // This process is alive, so the run stays running, as one in another terminal does.
    const path = journalWithRun(sb, 's', 'running');
    for (const args of [
      ['rollback', '--run', '1', '--journal', path],
      ['run', '--journal', path, '--rate', '1000'],
    ]) {
      const result = await flitstack(sb, ...args);
      expect([args[0], result.code]).toEqual([args[0], 2]);
      expect(result.err).toMatch(
        new RegExp(`run 1 (\\(run\\) )?is still running (in )?\\(?process ${process.pid}`),
      );
    }
    expect(held(path).runs).toEqual([[1, 'run', 'running']]);
  });
});
