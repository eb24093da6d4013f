#!/usr/bin/env node
// Entry point installed as `flitstack`. Runs the bundle that `npm install` builds in dist/ while it is
// newer than every source file; otherwise (sources edited since, or no build) runs the TypeScript
// sources through tsx, so a stale build is never used.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'cli.mjs');

function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|json)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of ['cli', 'compiler', 'runtime', 'sandbox', 'schemas']) {
    if (existsSync(join(root, dir))) walk(join(root, dir));
  }
  return newest;
}

let run;
if (existsSync(bundle) && statSync(bundle).mtimeMs >= newestSource()) {
  ({ run } = await import(bundle));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ run } = await import('../cli/main.ts'));
}
process.exitCode = await run(process.argv);
