// bench/compile: time to compile the shipped spec (validate, IR, emit, in-memory type check of the
// generated code, schema plan), as `flitstack compile --check` processes and in-process.
// Run: npx tsx bench/compile.ts [runs]
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { readSpecDir } from '../cli/spec-files.ts';
import { compileSpec } from '../compiler/compile.ts';
import { installRoot } from '../compiler/root.ts';
import { createSchemaValidators } from '../compiler/validate/schemas.ts';

const root = installRoot();
const runs = Number(process.argv[2] ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
execFileSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });

const processTimes: number[] = [];
for (let i = 0; i < runs; i++) {
  const start = performance.now();
  execFileSync(process.execPath, [join(root, 'bin/flitstack.js'), 'compile', '--check'], {
    cwd: root,
    stdio: 'ignore',
  });
  processTimes.push(performance.now() - start);
}
const input = readSpecDir('spec', root);
const validators = createSchemaValidators();
const full: number[] = [];
const noCheck: number[] = [];
for (let i = 0; i < runs; i++) {
  let start = performance.now();
  compileSpec(input, validators);
  full.push(performance.now() - start);
  start = performance.now();
  compileSpec(input, validators, { typecheck: false });
  noCheck.push(performance.now() - start);
}
const row = (name: string, xs: number[]) =>
  `| ${name} | ${median(xs).toFixed(0)} | ${Math.min(...xs).toFixed(0)} | ${Math.max(...xs).toFixed(0)} |`;
console.log(`compile of the shipped spec, ${runs} runs each, milliseconds\n`);
console.log('| measure | median | min | max |\n| --- | ---: | ---: | ---: |');
console.log(row('`flitstack compile --check` as a process', processTimes));
console.log(row('compileSpec in-process, with the type check', full));
console.log(row('compileSpec in-process, without the type check', noCheck));
console.log('\ntarget: compile under 3 s');
