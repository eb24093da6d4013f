import { join } from 'node:path';
import { afterEach } from 'vitest';
import {
  Journal,
  type JournalOptions,
  type OperationInput,
  type ProgressUpdate,
} from '../../../runtime/journal/index.ts';
import { tempDir } from '../../support/tmp.ts';

/** A deterministic GUID for row n. */
export function guid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/**
 * A journal in a fresh temporary directory (closed and removed after the test). Without fsync on each
 * commit unless asked: durability across a killed process is the crash test's subject, not these.
 */
export function openTemp(options: JournalOptions = {}): { journal: Journal; path: string; dir: string } {
  const dir = tempDir('flitstack-journal-');
  const path = join(dir, '.flitstack', 'journal.db');
  const journal = Journal.open(path, { synchronous: 'normal', ...options });
  opened.push(journal);
  return { journal, path, dir };
}

const opened: Journal[] = [];

afterEach(() => {
  for (const journal of opened.splice(0)) journal.close();
});

/** A create operation of row `n` of a mapping. */
export function created(mapping: string, n: number, extra: Partial<OperationInput> = {}): OperationInput {
  return {
    mapping,
    sourceId: String(n),
    key: `ph-${n}`,
    table: 'contact',
    action: 'create',
    targetId: guid(n),
    payloadHash: `h${n}`,
    ...extra,
  };
}

/** Progress after page `page` of `perPage` records, the last page being `last`. */
export function progressAfter(page: number, perPage: number, last = 1_000_000): ProgressUpdate {
  return { nextPage: page + 1, totalEntries: last * perPage, extracted: perPage, done: page >= last };
}

/** A clock that advances one second per call, from a fixed instant. */
export function steppingClock(start = Date.UTC(2025, 0, 1)): () => Date {
  let t = start;
  return () => {
    const now = new Date(t);
    t += 1000;
    return now;
  };
}
