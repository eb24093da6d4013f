// bench/validate: wall time of `flitstack validate` on the shipped spec, as a process (what a user
// waits for), and of the validation itself in-process. Run: npx tsx bench/validate.ts [runs]
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { readSpecDir } from '../cli/spec-files.ts';
import { installRoot } from '../compiler/root.ts';
import { validateSpec } from '../compiler/validate/index.ts';
import { createSchemaValidators } from '../compiler/validate/schemas.ts';

const root = installRoot();
const runs = Number(process.argv[2] ?? 15);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

execFileSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
const processTimes: number[] = [];
for (let i = 0; i < runs; i++) {
  const start = performance.now();
  execFileSync(process.execPath, [join(root, 'bin/flitstack.js'), 'validate'], {
    cwd: root,
    stdio: 'ignore',
  });
  processTimes.push(performance.now() - start);
}
const bare: number[] = [];
for (let i = 0; i < runs; i++) {
  const start = performance.now();
  execFileSync(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  bare.push(performance.now() - start);
}
const validators = createSchemaValidators();
const input = readSpecDir('spec', root);
const inProcess: number[] = [];
for (let i = 0; i < runs; i++) {
  const start = performance.now();
  validateSpec(input, validators);
  inProcess.push(performance.now() - start);
}
const row = (name: string, xs: number[]) =>
  `| ${name} | ${median(xs).toFixed(0)} | ${Math.min(...xs).toFixed(0)} | ${Math.max(...xs).toFixed(0)} |`;
console.log(`validate on the shipped spec (${input.files.size} files), ${runs} runs each, milliseconds\n`);
console.log('| measure | median | min | max |\n| --- | ---: | ---: | ---: |');
console.log(row('`flitstack validate` as a process', processTimes));
console.log(row('`node -e 0` (Node.js start-up alone)', bare));
console.log(row('validateSpec in-process (warm)', inProcess));
console.log(
  `\nratio process / Node start-up: ${(median(processTimes) / median(bare)).toFixed(1)}; target: process under 500 ms`,
);
