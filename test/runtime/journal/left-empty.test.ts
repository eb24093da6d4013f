import { describe, expect, it } from 'vitest';
import { created, openTemp, progressAfter } from './helpers.ts';

/** Lookups each of two runs leaves unresolved (bench/journal.ts times the listing of 40,000). */
const PER_RUN = 2_000;

describe('the deferred lookups earlier runs left unresolved', () => {
  it('are listed from every earlier standing run, in the order they were journaled', () => {
    const { journal } = openTemp();
    for (let r = 0; r < 2; r += 1) {
      const run = journal.startRun({ kind: 'run', specHash: 's', codeHash: 'c' });
      for (let page = 1; page <= PER_RUN / 1000; page += 1) {
        const first = r * PER_RUN + (page - 1) * 1000;
        const ops = Array.from({ length: 1000 }, (_, i) =>
          created('clinic', first + i, { key: `clinic-${first + i}`, table: 'account' }),
        );
        journal.recordPage(run.id, 'clinics', page, ops, [], progressAfter(page, 1000, PER_RUN / 1000));
        journal.deferred.add(
          run.id,
          ops.map((o) => ({ mapping: 'clinic', key: o.key!, column: 'parentaccountid', candidates: ['0'] })),
        );
      }
      for (const lookup of [...journal.deferred.list(run.id)])
        journal.deferred.resolve(lookup.id, {
          status: 'unresolved',
          error: { code: 'unresolved', message: 'clinic 0 was not loaded' },
        });
      journal.finishRun(run.id, 'completed');
    }
    const delta = journal.startRun({ kind: 'delta', specHash: 's', codeHash: 'c' });
    const left = [...journal.deferred.leftEmpty(delta.id)];
    expect(left).toHaveLength(2 * PER_RUN);
    expect(left[0]).toMatchObject({ key: 'clinic-0', column: 'parentaccountid', status: 'unresolved' });
    expect(left.at(-1)).toMatchObject({ key: `clinic-${2 * PER_RUN - 1}` });
  });
});
