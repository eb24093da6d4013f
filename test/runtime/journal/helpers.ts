import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
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

/** A small RFC 4180 reader, to check that what we write reads back as written. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else field += c;
  }
  expect(field).toBe('');
  return rows;
}
