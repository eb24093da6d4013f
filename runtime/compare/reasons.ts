import type { Journal } from '../journal/index.ts';

const WROTE = { create: 'created', update: 'updated', unchanged: 'unchanged' } as const;

/** What writes again a row deleted or changed in Dataverse, which a run leaves alone. */
export const REWRITE_HINT =
  "a run leaves it alone while what the spec makes of the record is unchanged: 'flitstack run --rewrite' writes again the rows the last 'flitstack reconcile' reported ('--rewrite all': every row)";

/**
 * Why a run left a record without the row the spec expects (`missing`, the default), or with a row that
 * differs (`mismatch`: only a reject or skip the run journaled, such as a state Dataverse refused).
 */
export type RunReasons = (
  mapping: string,
  sourceId: string,
  verdict?: 'missing' | 'mismatch',
) => string | undefined;

/**
 * Why a run left a record without the row the spec expects: the first reject or skip it journaled for
 * the record; else, when it journaled the record's row as written (created, updated, or unchanged since
 * an earlier run wrote it), that the row was deleted in Dataverse after that, which a run repairs only
 * with --rewrite, since it leaves a row alone while what the spec makes of its record is unchanged.
 */
export function runReasons(journal: Journal, runId: number): RunReasons {
  const reasons = new Map<string, string>();
  const written = new Map<string, keyof typeof WROTE>();
  const actions = ['reject', 'skip', 'create', 'update', 'unchanged'] as const;
  for (const op of journal.operations(runId, { action: [...actions] })) {
    const key = `${op.mapping} ${op.sourceId}`;
    if (op.action === 'reject' || op.action === 'skip') {
      if (op.reason && !reasons.has(key))
        reasons.set(key, `${op.action === 'reject' ? 'rejected' : 'skipped'} in run ${runId}: ${op.reason}`);
    } else if (!written.has(key)) written.set(key, op.action as keyof typeof WROTE);
  }
  return (mapping, sourceId, verdict = 'missing') => {
    const key = `${mapping} ${sourceId}`;
    const reason = reasons.get(key);
    if (reason || verdict === 'mismatch') return reason;
    const action = written.get(key);
    return action
      ? `no such row in Dataverse, though run ${runId} journaled its row as ${WROTE[action]}: it was deleted in Dataverse after flitstack wrote it; ${REWRITE_HINT}`
      : undefined;
  };
}
