import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../generated/transformer.ts';
import { Journal } from '../../runtime/journal/index.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { createRng } from '../../sandbox/shared/rng.ts';
import { comparable, flitstack, KEYS_ACTIVE_AT_ONCE, sandboxes, sortedRows } from '../support/migration.ts';
import { ROOT } from '../support/tmp.ts';

const generated: GeneratedModule = generatedModule;
const TABLES = [...new Set(Object.values(generated.MAPPINGS).map((m) => m.target))];
// The same organisation identity on both sides, so seeded ids (app user, business unit) compare equal.
const OPTIONS = {
  scale: 0.2,
  seed: 3,
  dataverse: {
    ...KEYS_ACTIVE_AT_ONCE,
    tenantId: '6f1c1e9e-6a53-4a39-9d8e-3a4c1a2b5c6d',
    clientId: '0b9a8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d',
    clientSecret: 'sandbox-secret-for-tests',
  },
} as const;
const RATE = '20';

const dirs: string[] = [];
const open: Sandboxes[] = [];
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function prepared() {
  const sb = await sandboxes(OPTIONS);
  open.push(sb);
  const applied = await flitstack(sb, 'schema', 'apply');
  expect(applied.code, applied.err).toBe(0);
  const dir = mkdtempSync(join(tmpdir(), 'flitstack-resume-'));
  dirs.push(dir);
  return { sb, journal: join(dir, 'journal.db'), archive: join(dir, 'archive') };
}

/** When to kill a run: `delayMs` after its progress output (stderr) shows what `after` finds in it. */
interface Kill {
  readonly after: (stderr: string) => boolean;
  readonly delayMs: number;
}

/** The kill `delayMs` after the progress output starts the pass of `pass` (the line "<pass>: <mappings>"). */
const inPass = (pass: string, delayMs: number): Kill => ({
  after: (stderr) => stderr.includes(`\n${pass}: `),
  delayMs,
});

/**
 * `flitstack run` as its own process. With `kill`, it is killed with SIGKILL when its progress output
 * shows the point `kill` waits for: mid-run, where the output says, whatever the speed of the machine.
 */
function runProcess(
  sb: Sandboxes,
  journal: string,
  archive: string,
  kill?: Kill,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'bin/flitstack.js'), 'run', '--journal', journal, '--archive-dir', archive, '--rate', RATE],
    {
      cwd: ROOT,
      env: { ...process.env, ...sb.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let text = '';
  let timer: NodeJS.Timeout | undefined;
  child.stderr.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
    if (kill && timer === undefined && kill.after(text))
      timer = setTimeout(() => child.kill('SIGKILL'), kill.delayMs);
  });
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr: text });
    });
  });
}

describe('a run killed with SIGKILL, the source changed, and the run resumed', () => {
  it('loads every record, though records read before the kill were deleted and as many created', async () => {
    const { sb, journal, archive } = await prepared();
    // Killed on the line of the tenth page of payments (of 16; one line every ten pages): the pages the
    // first write of the pass took (500 rows, of 100 records a page) are journaled by then, whatever
    // the load, and six pages are left to read.
    const tenth = /\n {2}payments: (\d+)\/(\d+) records/;
    const { code } = await runProcess(sb, journal, archive, {
      after: (stderr) => {
        const m = tenth.exec(stderr);
        return m !== null && Number(m[1]) < Number(m[2]);
      },
      delayMs: 0,
    });
    expect(code).toBeNull();
    const before = Journal.open(journal, { readonly: true });
    const [stopped] = before.runs();
    const read = before.progress(stopped!.id, 'payments');
    expect(read?.done).toBe(false);
    const gone = [
      ...before.pageIds(stopped!.id, 'payments', 1, (read?.nextPage ?? 1) - 1).flatMap((ids) => [...ids]),
    ];
    before.close();
    // Pages were read before the kill, and the deletions come from them: the total stays the same.
    expect(gone.length).toBeGreaterThan(100);
    const total = sb.practicehub.counts().payments;
    sb.practicehub.mutate({ resource: 'payments', action: 'delete', ids: gone.slice(-20) });
    sb.practicehub.mutate({ resource: 'payments', action: 'create', count: 20 });
    expect(sb.practicehub.counts().payments).toBe(total);
    expect((await runProcess(sb, journal, archive)).code).toBe(0);
    const after = Journal.open(journal, { readonly: true });
    try {
      const run = after.runs().find((r) => r.status === 'completed')!;
      expect(run.id).toBe(stopped!.id);
      const missing = [...sb.practicehub.records('payments')]
        .map((r) => String(r.id))
        .filter((id) => !after.journaled(run.id, 'payment', id));
      expect(missing).toEqual([]);
    } finally {
      after.close();
    }
  }, 120_000);
});

describe('a run killed with SIGKILL and resumed', () => {
  it('ends with the same Dataverse state as a clean run: no duplicate, no missing row', async () => {
    const clean = await prepared();
    expect((await runProcess(clean.sb, clean.journal, clean.archive)).code).toBe(0);
    const expected = sortedRows(comparable(clean.sb.dataverse.snapshot(TABLES).tables, TABLES));

    const killed = await prepared();
    const rng = createRng(20261125);
    let kills = 0;
    // One kill in each of five passes across the run, up to 150 ms after the pass starts: between a
    // page and its write, in the middle of a flush, among file downloads, in the grouped mappings
    // and the second pass that follow the last one. Each resumed run starts where the last one died.
    for (const pass of ['patients', 'appointments', 'payments', 'policy_documents', 'training_records']) {
      const { code, stderr } = await runProcess(
        killed.sb,
        killed.journal,
        killed.archive,
        inPass(pass, rng.int(0, 150)),
      );
      // A run that ends before its kill says why on its last lines.
      expect(code, `the run killed in ${pass} ended with ${code}:\n${stderr.slice(-2000)}`).toBeNull();
      kills++;
    }
    expect(kills).toBe(5);
    expect((await runProcess(killed.sb, killed.journal, killed.archive)).code).toBe(0);

    const actual = sortedRows(comparable(killed.sb.dataverse.snapshot(TABLES).tables, TABLES));
    for (const table of TABLES) expect(actual[table], table).toEqual(expected[table]);
    const journal = Journal.open(killed.journal, { readonly: true });
    try {
      expect(journal.integrityCheck()).toEqual([]);
      const runs = journal.runs();
      const done = runs.filter((r) => r.status === 'completed');
      expect(done).toHaveLength(1);
      for (const c of Object.values(done[0]!.summary ?? {}))
        expect(c.extracted).toBe(c.loaded + c.rejected + c.skipped);
    } finally {
      journal.close();
    }
    const again = await flitstack(
      killed.sb,
      'run',
      '--journal',
      killed.journal,
      '--archive-dir',
      killed.archive,
      '--rate',
      RATE,
      '--format',
      'json',
    );
    expect(JSON.parse(again.out).dataverse.recordsWritten).toBe(0);
  }, 240_000);
});
