// bench/transform: records per second of the generated transformer vs the reference interpreter, on
// the patient and appointment mappings, measured in one run on the same records (sandbox data at
// scale 1). Run: npx tsx bench/transform.ts [seconds-per-measure]

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
const take = (resource: 'patients' | 'appointments', n: number) => {
  const out: Record<string, unknown>[] = [];
  for (const r of sandbox.records(resource)) {
    out.push(r as Record<string, unknown>);
    if (out.length === n) break;
  }
  return out;
};
const samples = { patient: take('patients', 2000), appointment: take('appointments', 10000) };
await sandbox.close();

/** Records per second of `fn` over the sample, repeated for about `seconds`. */
function rate(
  records: readonly Record<string, unknown>[],
  fn: (r: Record<string, unknown>) => unknown,
): number {
  for (const r of records) fn(r); // warm-up
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    for (const r of records) fn(r);
    count += records.length;
  }
  return (count / (performance.now() - start)) * 1000;
}

console.log(
  `transform throughput, one core, ${seconds} s per measure (records from the PracticeHub sandbox, seed 1)\n`,
);
console.log(
  '| mapping | fields | generated (records/s) | interpreter (records/s) | generated / interpreter |',
);
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const name of ['patient', 'appointment'] as const) {
  const records = samples[name];
  const fn = generated.MAPPINGS[name]!.transform;
  const g = rate(records, (r) => fn(r));
  const i = rate(records, (r) => interpreter.run(name, r));
  const fields = ir.mappings.find((m) => m.name === name)!.fields.length;
  console.log(
    `| ${name} | ${fields} | ${Math.round(g).toLocaleString('en-GB')} | ${Math.round(i).toLocaleString('en-GB')} | ${(g / i).toFixed(1)}× |`,
  );
}
console.log('\ntargets: generated ≥ 200,000 records/s, and ≥ 5× the interpreter');
