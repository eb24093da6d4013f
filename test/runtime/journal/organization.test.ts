import { describe, expect, it } from 'vitest';
import { Journal, JournalError } from '../../../runtime/journal/index.ts';
import { guid, openTemp } from './helpers.ts';

const A = guid(1);
const B = guid(2);

/** The JournalError code of what `fn` throws, or undefined. */
function refusal(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    if (error instanceof JournalError) return error.code;
    throw error;
  }
}

describe('the organisation a journal belongs to', () => {
  it('is the first one a command names, and another until the journal holds a run', () => {
    const { journal, path } = openTemp();
    expect(journal.organization).toBeUndefined();
    journal.belongsTo(A);
    expect(journal.organization).toBe(A);
    // No run yet (the first command was refused before it started one): it goes with the next organisation.
    journal.belongsTo(B);
    expect(journal.organization).toBe(B);
    journal.startRun({ kind: 'run', specHash: 's', codeHash: 'c' });
    expect(refusal(() => journal.belongsTo(A))).toBe('other_organization');
    expect(journal.organization).toBe(B);
    expect(refusal(() => journal.belongsTo(B.toUpperCase()))).toBeUndefined();
    journal.close();

    // Read only: checked, never tied.
    const reader = Journal.open(path, { readonly: true });
    expect(refusal(() => reader.belongsTo(A))).toBe('other_organization');
    reader.close();
    const { journal: fresh, path: freshPath } = openTemp();
    fresh.close();
    const freshReader = Journal.open(freshPath, { readonly: true });
    freshReader.belongsTo(A);
    expect(freshReader.organization).toBeUndefined();
    freshReader.close();
  });
});
