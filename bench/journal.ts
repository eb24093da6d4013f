/**
 * Bench: cost of journaling per record.
 * Journals pages of 100 records with 3 operations each (a create, a lookup-row create and an update
 * with a pre-image), 100 crosswalk rows and the page's progress, one transaction per page, as the
 * runtime does. Reports µs per record and per page, and the share of PracticeHub's 1 request/second
 * page interval that journaling takes. Once with synchronous=FULL (the default: survives power loss),
 * once with NORMAL (survives a killed process). The journal is a real file in a temporary directory.
 * Then the time to list the lookups earlier runs left empty (10,000 and 40,000: the growth shows a
 * search per lookup, which a timed test would only show on a quiet machine).
 * Run: `npx tsx bench/journal.ts [--pages N]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPayload, Journal, type OperationInput } from '../runtime/journal/index.ts';
import { journalLeftEmpty } from '../test/support/left-empty.ts';

const PAGE_RECORDS = 100;
const PAGE_INTERVAL_MS = 1000;
const pagesArg = process.argv.indexOf('--pages');
const PAGES = pagesArg > 0 ? Number(process.argv[pagesArg + 1]) : 300;
const WARMUP = 20;

const out = (line = '') => process.stdout.write(`${line}\n`);
const guid = (n: number, kind: number) => `00000000-0000-4000-800${kind}-${n.toString(16).padStart(12, '0')}`;

function page(runPage: number): { ops: OperationInput[]; crosswalk: Parameters<Journal['recordPage']>[4] } {
  const ops: OperationInput[] = [];
  const crosswalk: {
    mapping: string;
    key: string;
    sourceId: string;
    table: string;
    targetId: string;
    payloadHash: string;
    sourceUpdatedAt: string;
  }[] = [];
  const base = (runPage - 1) * PAGE_RECORDS;
  for (let i = base; i < base + PAGE_RECORDS; i += 1) {
    const sourceId = String(100_000 + i);
    const payloadHash = hashPayload({
      firstname: `First${i}`,
      lastname: `Last${i}`,
      emailaddress1: `p${i}@example.org`,
    });
    ops.push(
      {
        mapping: 'contact',
        sourceId,
        key: `ph-${sourceId}`,
        table: 'contact',
        action: 'create',
        targetId: guid(i, 1),
        payloadHash,
      },
      {
        mapping: 'connection',
        sourceId,
        key: `cx-${sourceId}`,
        table: 'connection',
        action: 'create',
        targetId: guid(i, 2),
        payloadHash,
      },
      {
        mapping: 'insurance',
        sourceId,
        key: `ph-${sourceId}`,
        table: 'contact',
        action: 'update',
        targetId: guid(i, 1),
        payloadHash,
        preImage: { fs_insurancecarrier: null, fs_policynumber: null, fs_groupnumber: 'G-1234' },
        flags:
          i % 10 === 0
            ? [{ column: 'fs_policynumber', code: 'truncated', detail: 'cut from 40 to 20 characters' }]
            : [],
      },
    );
    crosswalk.push({
      mapping: 'contact',
      key: `ph-${sourceId}`,
      sourceId,
      table: 'contact',
      targetId: guid(i, 1),
      payloadHash,
      sourceUpdatedAt: '2024-05-01T10:00:00Z',
    });
  }
  return { ops, crosswalk };
}

function measure(synchronous: 'full' | 'normal'): {
  perRecordUs: number;
  perPageMs: number;
  p95PageMs: number;
} {
  const dir = mkdtempSync(join(tmpdir(), 'flitstack-bench-journal-'));
  try {
    const journal = Journal.open(join(dir, 'journal.db'), { synchronous });
    const run = journal.startRun({ kind: 'run', specHash: 'bench', codeHash: 'bench' });
    const pages = Array.from({ length: WARMUP + PAGES }, (_, i) => page(i + 1));
    const times: number[] = [];
    for (let p = 1; p <= WARMUP + PAGES; p += 1) {
      const { ops, crosswalk } = pages[p - 1]!;
      const t0 = performance.now();
      journal.recordPage(run.id, 'patients', p, ops, crosswalk, {
        nextPage: p + 1,
        totalEntries: (WARMUP + PAGES) * PAGE_RECORDS,
        extracted: PAGE_RECORDS,
        done: false,
        maxUpdatedAt: '2024-05-01T10:00:00Z',
      });
      if (p > WARMUP) times.push(performance.now() - t0);
    }
    journal.close();
    const total = times.reduce((a, b) => a + b, 0);
    const sorted = [...times].sort((a, b) => a - b);
    return {
      perRecordUs: (total * 1000) / (PAGES * PAGE_RECORDS),
      perPageMs: total / PAGES,
      p95PageMs: sorted[Math.floor(sorted.length * 0.95)]!,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

out(
  `journal bench: ${PAGES} pages of ${PAGE_RECORDS} records × 3 operations + ${PAGE_RECORDS} crosswalk rows, one transaction per page`,
);
for (const synchronous of ['full', 'normal'] as const) {
  const r = measure(synchronous);
  const share = (r.perPageMs / PAGE_INTERVAL_MS) * 100;
  out(
    `synchronous=${synchronous.padEnd(6)} ${r.perRecordUs.toFixed(1).padStart(7)} µs/record  ` +
      `${r.perPageMs.toFixed(2).padStart(7)} ms/page (p95 ${r.p95PageMs.toFixed(2)} ms)  ` +
      `${share.toFixed(2)}% of a ${PAGE_INTERVAL_MS} ms page interval`,
  );
}

/**
 * The lookups earlier runs left empty, which every run and delta lists before its second pass
 * (DeferredStore.leftEmpty): the time to list `n` of them, journaled by two runs of clinics whose
 * parent was not loaded. Linear growth is about 4× from n to 4n; a search per lookup grows by 16×.
 */
function listLeftEmpty(n: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'flitstack-bench-journal-'));
  try {
    const journal = Journal.open(join(dir, 'journal.db'), { synchronous: 'normal' });
    const delta = journalLeftEmpty(journal, n / 2);
    const t0 = performance.now();
    const listed = [...journal.deferred.leftEmpty(delta)].length;
    const ms = performance.now() - t0;
    journal.close();
    if (listed !== n) throw new Error(`listed ${listed} lookups left empty, expected ${n}`);
    return ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const small = listLeftEmpty(10_000);
const large = listLeftEmpty(40_000);
out(
  `lookups left empty, listed before a second pass: 10,000 in ${small.toFixed(0)} ms, 40,000 in ${large.toFixed(0)} ms (${(large / small).toFixed(1)}×; linear ≈ 4×)`,
);
