// bench/transform: records per second of the generated transformer vs the reference interpreter, on
// the patient and appointment mappings, measured in one run on the same records (sandbox data at
// scale 1, read back from JSON as the runtime reads PracticeHub's pages, so that their strings are
// the flat strings JSON.parse makes). Run: npx tsx bench/transform.ts [seconds-per-measure]
//
// Two ways through the sample: page by page (PracticeHub's 100 records), each page parsed from its
// JSON text just before it is transformed, as a run transforms a page right after reading it (only the
// transforms are timed); and all the sample's records in turn (2,000 patients, 10,000 appointments),
// parsed once before the measure, so that a record was last touched a whole pass earlier.

import { readSpecDir } from '../cli/spec-files.ts';
import { compileSpec } from '../compiler/compile.ts';
import { Interpreter } from '../compiler/interpret/interpret.ts';
import { installRoot } from '../compiler/root.ts';
import { createSchemaValidators } from '../compiler/validate/schemas.ts';
import * as generated from '../generated/transformer.ts';
import { startPracticeHubSandbox } from '../sandbox/practicehub/index.ts';

const seconds = Number(process.argv[2] ?? 2);
const ir = compileSpec(readSpecDir('spec', installRoot()), createSchemaValidators(), { typecheck: false })
  .ir!;
const interpreter = new Interpreter(ir);
const sandbox = await startPracticeHubSandbox({ seed: 1, scale: 1 });
const take = (resource: 'patients' | 'appointments', n: number): Record<string, unknown>[] => {
  const out: unknown[] = [];
  for (const r of sandbox.records(resource)) {
    out.push(r);
    if (out.length === n) break;
  }
  return JSON.parse(JSON.stringify(out));
};
const samples = { patient: take('patients', 2000), appointment: take('appointments', 10000) };
await sandbox.close();

/** CPU time this process has used, in ms (user + system): other processes on a shared machine do not add to it. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** PracticeHub's page size (shared/reference/practicehub.md: default and maximum 100). */
const PAGE = 100;

/** One way through the sample: each call of `pass` transforms some records with `fn`; returns the
 * records done and the CPU ms its timed part took. */
type Pass = (fn: (r: Record<string, unknown>) => unknown) => { records: number; ms: number };

/** Page by page, each page parsed from its JSON text just before its records are transformed. */
function pageByPage(records: readonly Record<string, unknown>[]): Pass {
  const pages: string[] = [];
  for (let i = 0; i < records.length; i += PAGE) pages.push(JSON.stringify(records.slice(i, i + PAGE)));
  return (fn) => {
    let ms = 0;
    for (const text of pages) {
      const page = JSON.parse(text) as Record<string, unknown>[];
      const start = cpuMs();
      for (const r of page) fn(r);
      ms += cpuMs() - start;
    }
    return { records: records.length, ms };
  };
}

/** All records in turn, parsed once before the measure. */
function allInTurn(records: readonly Record<string, unknown>[]): Pass {
  return (fn) => {
    const start = cpuMs();
    for (const r of records) fn(r);
    return { records: records.length, ms: cpuMs() - start };
  };
}

/**
 * Records per second of each function, measured in alternating rounds of about `seconds / ROUNDS`
 * of timed CPU each, so that a slow spell of a shared machine falls on both sides of the ratio; and
 * each round's rates, which show how far a ratio moves from round to round.
 */
const ROUNDS = 10;
function rates(
  pass: Pass,
  fns: readonly ((r: Record<string, unknown>) => unknown)[],
): { total: number[]; rounds: number[][] } {
  for (const fn of fns) pass(fn); // warm-up
  const counts = fns.map(() => 0);
  const spent = fns.map(() => 0);
  const rounds: number[][] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    rounds.push(
      fns.map((fn, k) => {
        let ms = 0;
        let records = 0;
        while (ms < (seconds * 1000) / ROUNDS) {
          const done = pass(fn);
          records += done.records;
          ms += done.ms;
        }
        counts[k]! += records;
        spent[k]! += ms;
        return (records / ms) * 1000;
      }),
    );
  }
  return { total: counts.map((n, k) => (n / spent[k]!) * 1000), rounds };
}

const WAYS = [
  { name: `page by page (${PAGE}), each page just read`, pass: pageByPage },
  { name: 'all in turn', pass: allInTurn },
] as const;

console.log(
  `transform throughput, one core, ${seconds} s of CPU time per measure in ${ROUNDS} alternating rounds (records from the PracticeHub sandbox, seed 1)\n`,
);
console.log(
  '| mapping | fields | records | generated (records/s) | interpreter (records/s) | generated / interpreter | rounds (lowest–highest) |',
);
console.log('| --- | ---: | --- | ---: | ---: | ---: | ---: |');
for (const name of ['patient', 'appointment'] as const) {
  const records = samples[name];
  const fn = generated.MAPPINGS[name]!.transform;
  const fields = ir.mappings.find((m) => m.name === name)!.fields.length;
  for (const way of WAYS) {
    const { total, rounds } = rates(way.pass(records), [(r) => fn(r), (r) => interpreter.run(name, r)]);
    const [g, i] = total as [number, number];
    const ratios = rounds.map(([rg, ri]) => rg! / ri!);
    console.log(
      `| ${name} | ${fields} | ${records.length.toLocaleString('en-GB')}, ${way.name} | ${Math.round(g).toLocaleString('en-GB')} | ${Math.round(i).toLocaleString('en-GB')} | ${(g / i).toFixed(1)}× | ${Math.min(...ratios).toFixed(1)}–${Math.max(...ratios).toFixed(1)}× |`,
    );
  }
}
console.log(
  '\ntargets, on every line: generated ≥ 200,000 records/s, and ≥ 5× the interpreter (the ratio column, over all rounds)',
);
