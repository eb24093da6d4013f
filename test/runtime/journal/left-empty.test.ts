import { describe, expect, it } from 'vitest';
import { journalLeftEmpty } from '../../support/left-empty.ts';
import { openTemp } from './helpers.ts';

/** Lookups each of two runs leaves unresolved (bench/journal.ts times the listing of 40,000). */
const PER_RUN = 2_000;

describe('the deferred lookups earlier runs left unresolved', () => {
  it('are listed from every earlier standing run, in the order they were journaled', () => {
    const { journal } = openTemp();
    const delta = journalLeftEmpty(journal, PER_RUN);
    const left = [...journal.deferred.leftEmpty(delta)];
    expect(left).toHaveLength(2 * PER_RUN);
    expect(left[0]).toMatchObject({ key: 'clinic-0', column: 'parentaccountid', status: 'unresolved' });
    expect(left.at(-1)).toMatchObject({ key: `clinic-${2 * PER_RUN - 1}` });
  });
});
