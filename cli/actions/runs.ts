import {
  Journal,
  ownerState,
  type RunRecord,
  type RunSummary,
  realHost,
  unbalanced,
} from '../../runtime/journal/index.ts';
import type { CliIo } from '../io.ts';
import { existingJournal, runOption } from '../options.ts';
import { textTable } from '../table.ts';

/** One run as `flitstack runs` lists it. */
export interface RunListing {
  readonly id: number;
  readonly kind: string;
  readonly status: string;
  /** A run still marked running whose process is gone (it will be marked interrupted by the next run). */
  readonly processGone: boolean;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly parentRun: number | null;
  readonly specHash: string;
  readonly attempts: number;
  readonly extracted: number;
  readonly loaded: number;
  readonly rejected: number;
  readonly skipped: number;
}

/** A run's listing: its summary's totals, or the journal's accounting while it has none yet. */
export function listing(journal: Journal, run: RunRecord): RunListing {
  const summary = run.summary ?? journal.accounting(run.id);
  const total = (key: 'extracted' | 'loaded' | 'rejected' | 'skipped') =>
    Object.values(summary).reduce((n, c) => n + c[key], 0);
  return {
    id: run.id,
    kind: run.kind,
    status: run.status,
    processGone: run.status === 'running' && ownerState(run.owner, realHost()) === 'dead',
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    parentRun: run.parentRun,
    specHash: run.specHash,
    attempts: run.attempts,
    extracted: total('extracted'),
    loaded: total('loaded'),
    rejected: total('rejected'),
    skipped: total('skipped'),
  };
}

/** `2026-03-01T10:00:00.000Z` → `2026-03-01 10:00:00` (UTC). */
const time = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '') : '-');

/** The listings as a table, oldest run first. */
export function runsTable(runs: readonly RunListing[]): string {
  const header = [
    'run',
    'kind',
    'status',
    'started (UTC)',
    'ended (UTC)',
    'parent',
    'spec',
    'extracted',
    'loaded',
    'rejected',
    'skipped',
  ];
  const rows = runs.map((r) => [
    String(r.id),
    r.kind,
    r.processGone ? `${r.status} (process gone)` : r.status,
    time(r.startedAt),
    time(r.endedAt),
    r.parentRun === null ? '-' : String(r.parentRun),
    r.specHash.slice(0, 12),
    String(r.extracted),
    String(r.loaded),
    String(r.rejected),
    String(r.skipped),
  ]);
  return textTable(header, rows, (i) => i === 0 || i >= 7);
}

/** The per-mapping accounting as a table: extracted = loaded + rejected + skipped. */
export function accountingTable(summary: RunSummary): string {
  const rows = Object.entries(summary).map(([name, c]) => [
    name,
    c.extracted,
    c.loaded,
    c.rejected,
    c.skipped,
    c.extracted === c.loaded + c.rejected + c.skipped ? 'yes' : 'NO',
  ]);
  return textTable(['mapping', 'extracted', 'loaded', 'rejected', 'skipped', 'balanced'], rows, (i) => i > 0);
}

/**
 * One run with the accounting of each of its mappings, as the run printed it when it ended (or the
 * journal's so far): exit 1 when a mapping does not balance.
 */
function oneRun(journal: Journal, id: number, format: 'text' | 'json', io: CliIo): number {
  const run = journal.requireRun(id);
  const summary = run.summary ?? journal.accounting(run.id);
  if (format === 'json')
    io.out(`${JSON.stringify({ run: listing(journal, run), mappings: summary }, null, 2)}\n`);
  else io.out(`${runsTable([listing(journal, run)])}\n${accountingTable(summary)}`);
  return unbalanced(summary).length > 0 ? 1 : 0;
}

/** `flitstack runs`: every run, or one with its mappings, read from the journal without writing to it. */
export async function runsCommand(
  options: { journal: string; format: 'text' | 'json'; run?: string },
  io: CliIo,
): Promise<number> {
  const id = options.run === undefined ? undefined : runOption(options.run);
  const journal = Journal.open(existingJournal(options.journal, io.cwd), { readonly: true });
  try {
    if (id !== undefined) return oneRun(journal, id, options.format, io);
    const runs = journal.runs().map((run) => listing(journal, run));
    if (options.format === 'json') io.out(`${JSON.stringify({ runs }, null, 2)}\n`);
    else if (runs.length === 0) io.out('no runs in the journal\n');
    else io.out(runsTable(runs));
    return 0;
  } finally {
    journal.close();
  }
}
