import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { markdownText } from '../../compiler/emit/plan/schema-plan.ts';
import { installRoot } from '../../compiler/root.ts';
import { beyond } from './checks.ts';
import type { MappingReconcile, ReconcileResult } from './reconcile.ts';

/** Differences listed in reconcile.md (reconcile.json lists all). */
const LISTED = 500;

const percent = (share: number) => `${Math.round(share * 10000) / 100}%`;

/** Why a mapping failed, in words. */
export function failureWords(m: MappingReconcile, tolerance: number): string {
  const over = (share: number) => beyond(share, tolerance);
  return [
    over(m.shares.count)
      ? [
          m.unaccounted > 0 ? `${m.unaccounted} source records no run accounted for` : '',
          m.orphaned > 0 ? `${m.orphaned} rows of records PracticeHub no longer lists` : '',
          m.held !== m.source
            ? `PracticeHub counts ${m.source} records, the journal holds ${m.held} (crosswalk rows not closed, and records skipped or rejected)`
            : '',
        ]
          .filter(Boolean)
          .join(', ')
      : '',
    over(m.shares.rows) ? `${m.crosswalk - m.dataverse} crosswalk rows not in Dataverse` : '',
    m.extra > 0 ? `${m.extra} rows in Dataverse the crosswalk does not hold` : '',
    over(m.shares.fields) ? `${m.differing} of ${m.checked} records differ` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/** reconcile.json: the result as data (ids, counts, field names; no values, no process details). */
export function reconcileJson(result: ReconcileResult): string {
  const { run, ...rest } = result;
  const view = {
    run: { id: run.id, kind: run.kind, status: run.status, startedAt: run.startedAt, endedAt: run.endedAt },
    ...rest,
  };
  return `${JSON.stringify(view, null, 2)}\n`;
}

/** reconcile.md: the verdict, the counts per mapping, and the differing records by id and field. */
export function reconcileMarkdown(
  result: ReconcileResult,
  name: string,
  source = readFileSync(join(installRoot(), 'runtime', 'reconcile', 'reconcile.md.hbs'), 'utf8'),
): string {
  const hbs = Handlebars.create();
  hbs.registerHelper('md', (value: unknown) => markdownText(value));
  const render = hbs.compile(source, { strict: true, noEscape: true });
  return render({
    name,
    run: result.run,
    ok: result.ok,
    all: result.checksums === 'all',
    tolerancePercent: percent(result.tolerance),
    requests: result.requests,
    mappings: result.mappings.map((m) => ({
      ...m,
      journalKept: m.journal.loaded + m.journal.skipped,
      why: m.ok ? '' : failureWords(m, result.tolerance),
    })),
    disabledOwners: result.mappings.filter((m) => m.ownersSinceDisabled > 0),
    extraUnchecked: result.extraUnchecked,
    differences: result.differences.slice(0, LISTED).map((d) => ({
      ...d,
      sourceId: d.sourceId ?? '',
      key: d.key ?? '',
      targetId: d.targetId ?? '',
      fieldList: d.fields.join(', '),
      reason: d.reason ?? '',
    })),
    more: Math.max(0, result.differences.length - LISTED),
  });
}
