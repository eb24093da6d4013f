import type { Journal, OperationInput } from '../../runtime/journal/index.ts';

/**
 * Two completed runs of clinics, `perRun` each (a multiple of 1,000), whose parent clinic was not
 * loaded: each clinic's parentaccountid lookup journaled as left unresolved. Then a delta is started;
 * returns its id, the run that lists them (DeferredStore.leftEmpty). Shared by the journal test and
 * bench/journal.ts, which times the listing.
 */
export function journalLeftEmpty(journal: Journal, perRun: number): number {
  for (let r = 0; r < 2; r += 1) {
    const run = journal.startRun({ kind: 'run', specHash: 's', codeHash: 'c' });
    const pages = perRun / 1000;
    for (let page = 1; page <= pages; page += 1) {
      const first = r * perRun + (page - 1) * 1000;
      const ops: OperationInput[] = Array.from({ length: 1000 }, (_, i) => ({
        mapping: 'clinic',
        sourceId: String(first + i),
        key: `clinic-${first + i}`,
        table: 'account',
        action: 'create',
        targetId: `00000000-0000-4000-8000-${(first + i).toString(16).padStart(12, '0')}`,
      }));
      const progress = { nextPage: page + 1, totalEntries: perRun, extracted: 1000, done: page === pages };
      journal.recordPage(run.id, 'clinics', page, ops, [], progress);
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
  return journal.startRun({ kind: 'delta', specHash: 's', codeHash: 'c' }).id;
}
