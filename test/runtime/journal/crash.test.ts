import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Journal, unbalanced } from '../../../runtime/journal/index.ts';
import { createRng } from '../../../sandbox/shared/rng.ts';
import { ROOT, tempDir } from '../../support/tmp.ts';

const WRITER = fileURLToPath(new URL('./fixtures/writer.ts', import.meta.url));
const PAGES = 120;

interface Writer {
  readonly child: ChildProcess;
  /** Resolves once the writer has committed `n` pages after it became ready. */
  pagesCommitted(n: number): Promise<void>;
  readonly exit: Promise<{ code: number | null; signal: string | null; output: string }>;
}

function startWriter(path: string, sync: 'full' | 'normal'): Writer {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, path, String(PAGES), sync], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let committed = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  child.stdout!.on('data', (data: Buffer) => {
    const text = data.toString();
    output += text;
    committed += text.split('\n').filter((line) => line.startsWith('page ')).length;
    for (const w of waiters.filter((w) => committed >= w.n)) w.resolve();
  });
  child.stderr!.on('data', (data: Buffer) => {
    output += data.toString();
  });
  const exit = new Promise<{ code: number | null; signal: string | null; output: string }>((resolve) => {
    child.on('exit', (code, signal) => {
      for (const w of waiters) w.resolve();
      resolve({ code, signal, output });
    });
  });
  return {
    child,
    exit,
    pagesCommitted: (n) => new Promise((resolve) => waiters.push({ n, resolve })),
  };
}

/** Checks everything a killed writer may have left, page by page; returns the pages journaled. */
function checkConsistent(path: string): number {
  const journal = Journal.open(path);
  try {
    expect(journal.integrityCheck()).toEqual([]);
    const run = journal.latestRun({ kind: 'run' });
    if (!run) return 0;
    const progress = journal.progress(run.id, 'patients');
    const pages = progress ? progress.nextPage - 1 : 0;
    const perPage = new Map<number, number>();
    const seen = new Set<string>();
    for (const op of journal.operations(run.id)) {
      perPage.set(op.page!, (perPage.get(op.page!) ?? 0) + 1);
      seen.add(`${op.mapping}/${op.sourceId}`);
    }
    // Every page is all there (300 operations) or absent, pages 1..N exactly, no operation twice.
    expect([...perPage.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: pages }, (_, i) => i + 1));
    for (const count of perPage.values()) expect(count).toBe(300);
    expect(seen.size).toBe(pages * 300);
    expect(progress?.extracted ?? 0).toBe(pages * 100);
    expect(journal.crosswalk.count('contact')).toBe(pages * 100);
    expect(journal.staging.count(run.id, 'policy')).toBe(pages * 10);
    expect(journal.deferred.counts(run.id).pending).toBe(pages * 5);
    const summary = journal.accounting(run.id);
    expect(unbalanced(summary)).toEqual([]);
    expect(summary.contact?.loaded ?? 0).toBe(pages * 100);
    return pages;
  } finally {
    journal.close();
  }
}

describe('crash safety', () => {
  it('survives SIGKILL at random moments: no torn page, exact resume, no duplicate, no gap', async () => {
    const path = join(tempDir('flitstack-crash-'), 'journal.db');
    const rng = createRng(20250101);
    let pagesBefore = 0;
    let killed = 0;
    for (let round = 0; round < 5; round += 1) {
      const writer = startWriter(path, round % 2 === 0 ? 'full' : 'normal');
      if (round === 0) {
        // While the file is being created and migrated, or the run started.
        await new Promise((resolve) => setTimeout(resolve, rng.int(100, 600)));
      } else {
        // A few pages in, then part-way through a later page.
        await writer.pagesCommitted(rng.int(1, 6));
        await new Promise((resolve) => setTimeout(resolve, rng.int(0, 12)));
      }
      writer.child.kill('SIGKILL');
      const { signal, output } = await writer.exit;
      expect(signal, output).toBe('SIGKILL');
      killed += 1;
      const pages = checkConsistent(path);
      expect(pages).toBeGreaterThanOrEqual(pagesBefore);
      pagesBefore = pages;
      const journal = Journal.open(path);
      const run = journal.latestRun({ kind: 'run' });
      if (run?.status === 'running') {
        // Its process is gone: the run is found and marked interrupted.
        expect(journal.markInterrupted().map((r) => r.id)).toEqual([run.id]);
      }
      journal.close();
    }
    expect(killed).toBe(5);
    expect(pagesBefore).toBeGreaterThan(0);
    expect(pagesBefore).toBeLessThan(PAGES);
    const { code, output } = await startWriter(path, 'full').exit;
    expect(code, output).toBe(0);
    expect(checkConsistent(path)).toBe(PAGES);
    const journal = Journal.open(path);
    const run = journal.latestRun({ kind: 'run' })!;
    expect(run.status).toBe('completed');
    expect(run.attempts).toBeGreaterThanOrEqual(5);
    expect(run.summary?.contact).toEqual({
      resource: 'patients',
      extracted: PAGES * 100,
      loaded: PAGES * 100,
      rejected: 0,
      skipped: 0,
    });
    expect(journal.watermarks.get('patients')?.maxUpdatedAt).toBe(
      new Date(Date.UTC(2024, 0, 1) + PAGES * 1000).toISOString(),
    );
    journal.close();
  });
});
