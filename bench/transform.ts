// bench/transform: records per second of the generated transformer vs the reference interpreter, on
// the patient and appointment mappings, measured in one run on the same records (sandbox data at
// scale 1, read back from JSON as the runtime reads PracticeHub's pages, so that their strings are
// the flat strings JSON.parse makes). Run: npx tsx bench/transform.ts [seconds-per-measure]
//
// Two working sets: a page at a time (PracticeHub's 100 records), as a run transforms each page right
// after reading it, while its records are still in the CPU's caches; and all the sample's records in
// turn (2,000 patients, 10,000 appointments), more than those caches hold, so that most strings a step
// reads come from memory.

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

/**
 * Records per second of each function over the sample, in pages of `pageSize` records, each page run
 * `repeats` times in a row, measured in alternating rounds of about `seconds / ROUNDS` each, so that a
 * slow spell of a shared machine falls on both sides of the ratio.
 */
const ROUNDS = 10;
function rates(
  records: readonly Record<string, unknown>[],
  fns: readonly ((r: Record<string, unknown>) => unknown)[],
  pageSize: number,
  repeats: number,
): number[] {
  const pages: (readonly Record<string, unknown>[])[] = [];
  for (let i = 0; i < records.length; i += pageSize) pages.push(records.slice(i, i + pageSize));
  for (const fn of fns) for (const r of records) fn(r); // warm-up
  const counts = fns.map(() => 0);
  const spent = fns.map(() => 0);
  for (let round = 0; round < ROUNDS; round += 1) {
    fns.forEach((fn, k) => {
      const start = cpuMs();
      let now = start;
      while (now - start < (seconds * 1000) / ROUNDS) {
        for (const page of pages) for (let n = 0; n < repeats; n += 1) for (const r of page) fn(r);
        counts[k]! += records.length * repeats;
        now = cpuMs();
      }
      spent[k]! += now - start;
    });
  }
  return counts.map((n, k) => (n / spent[k]!) * 1000);
}

/** PracticeHub's page size (shared/reference/practicehub.md: default and maximum 100). */
const PAGE = 100;
const WORKING_SETS = [
  { name: `a page (${PAGE})`, pageSize: PAGE, repeats: 10 },
  { name: 'all', pageSize: Number.POSITIVE_INFINITY, repeats: 1 },
] as const;

console.log(
  `transform throughput, one core, ${seconds} s of CPU time per measure in ${ROUNDS} alternating rounds (records from the PracticeHub sandbox, seed 1)\n`,
);
console.log(
  '| mapping | fields | records at a time | generated (records/s) | interpreter (records/s) | generated / interpreter |',
);
console.log('| --- | ---: | --- | ---: | ---: | ---: |');
for (const name of ['patient', 'appointment'] as const) {
  const records = samples[name];
  const fn = generated.MAPPINGS[name]!.transform;
  const fields = ir.mappings.find((m) => m.name === name)!.fields.length;
  for (const set of WORKING_SETS) {
    const [g, i] = rates(
      records,
      [(r) => fn(r), (r) => interpreter.run(name, r)],
      set.pageSize,
      set.repeats,
    ) as [number, number];
    console.log(
      `| ${name} | ${fields} | ${set.name === 'all' ? `all (${records.length.toLocaleString('en-GB')})` : set.name} | ${Math.round(g).toLocaleString('en-GB')} | ${Math.round(i).toLocaleString('en-GB')} | ${(g / i).toFixed(1)}× |`,
    );
  }
}
console.log('\ntargets: generated ≥ 200,000 records/s, and ≥ 5× the interpreter');
