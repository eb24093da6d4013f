import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../generated/transformer.ts';
import { Journal, type OperationRecord } from '../../runtime/journal/index.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { comparable, flitstack, sandboxes } from '../support/migration.ts';
import { ROOT } from '../support/tmp.ts';

const generated: GeneratedModule = generatedModule;
const TABLES = [...new Set(Object.values(generated.MAPPINGS).map((m) => m.target))];

let sb: Sandboxes | undefined;
let dir: string | undefined;
afterAll(async () => {
  await sb?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Operations a rollback run journaled so far (read only, while the rollback writes). */
function journaled(path: string): OperationRecord[] {
  const journal = Journal.open(path, { readonly: true });
  try {
    const rollback = journal.latestRun({ kind: 'rollback' });
    return rollback ? [...journal.operations(rollback.id)] : [];
  } catch {
    return [];
  } finally {
    journal.close();
  }
}

/** `flitstack rollback` as its own process, killed with SIGKILL once the journal holds `killAt` operations. */
function killedRollback(env: Record<string, string>, journal: string, killAt: number) {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'bin/flitstack.js'), 'rollback', '--run', '1', '--journal', journal, '--batch-size', '10'],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'ignore' },
  );
  const poll = setInterval(() => {
    if (journaled(journal).length >= killAt) child.kill('SIGKILL');
  }, 20);
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once('exit', (code, signal) => {
      clearInterval(poll);
      done({ code, signal });
    });
  });
}

describe('a rollback killed with SIGKILL halfway', () => {
  it('ends, when run again, in the state a clean rollback reaches: no row left, none undone twice; a new run loads everything again', async () => {
    sb = await sandboxes({ scale: 0.05 });
    dir = mkdtempSync(join(tmpdir(), 'flitstack-rollback-killed-'));
    const journal = join(dir, 'journal.db');
    expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
    const before = comparable(sb.dataverse.snapshot(TABLES).tables, TABLES);
    expect((await flitstack(sb, 'run', '--journal', journal, '--rate', '1000')).code).toBe(0);
    const loaded = comparable(sb.dataverse.snapshot(TABLES).tables, TABLES);
    const j = Journal.open(journal, { readonly: true });
    const toUndo =
      [...j.createdBy(1)].length + [...j.updatedBy(1)].filter((o) => o.mapping === 'staff-user').length;
    j.close();

    const killed = await killedRollback(sb.env, journal, Math.floor(toUndo / 2));
    expect(killed.signal).toBe('SIGKILL');
    const halfway = journaled(journal).length;
    expect(halfway).toBeGreaterThan(0);
    expect(halfway).toBeLessThan(toUndo);

    const resumed = await flitstack(sb, 'rollback', '--run', '1', '--journal', journal, '--format', 'json');
    expect(resumed.code).toBe(0);
    const result = JSON.parse(resumed.out);
    expect(result).toMatchObject({
      rollback: 2,
      resumed: true,
      status: 'completed',
      targetStatus: 'rolled_back',
    });
    const after = comparable(sb.dataverse.snapshot(TABLES).tables, TABLES);
    for (const table of TABLES) expect(after[table], table).toEqual(before[table]);

    const ops = journaled(journal);
    const undone = ops.map((o) => o.undoes);
    expect(undone.every((id) => id !== null)).toBe(true);
    expect(new Set(undone).size).toBe(ops.length);
    expect(ops.length).toBe(toUndo);
    const final = Journal.open(journal, { readonly: true });
    try {
      expect(final.run(2)).toMatchObject({
        kind: 'rollback',
        status: 'completed',
        attempts: 2,
        parentRun: 1,
      });
      expect(final.integrityCheck()).toEqual([]);
      expect(final.crosswalk.count()).toBe(0);
    } finally {
      final.close();
    }
    // The crosswalk no longer knows the rows: a new run creates them all again.
    const again = await flitstack(sb, 'run', '--journal', journal, '--rate', '1000', '--format', 'json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out).run).toBe(3);
    const reloaded = comparable(sb.dataverse.snapshot(TABLES).tables, TABLES);
    for (const table of TABLES) expect(reloaded[table], table).toEqual(loaded[table]);
  }, 60_000);
});
