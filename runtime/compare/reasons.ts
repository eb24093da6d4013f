import type { Journal } from '../journal/index.ts';

/** Why a run wrote no row for a record: the first reject or skip it journaled for the record. */
export function runReasons(
  journal: Journal,
  runId: number,
): (mapping: string, sourceId: string) => string | undefined {
  const reasons = new Map<string, string>();
  for (const op of journal.operations(runId, { action: ['reject', 'skip'] })) {
    const key = `${op.mapping} ${op.sourceId}`;
    if (op.reason && !reasons.has(key))
      reasons.set(key, `${op.action === 'reject' ? 'rejected' : 'skipped'} in run ${runId}: ${op.reason}`);
  }
  return (mapping, sourceId) => reasons.get(`${mapping} ${sourceId}`);
}
