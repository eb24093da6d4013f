#!/usr/bin/env node
// Builds dist/ at install time (npm's `prepare`): the CLI bundled into one ES module, and the JSON
// Schema validators compiled ahead of time. bin/flitstack.js uses dist/ while it is newer than every
// source file, and the TypeScript sources (through tsx) otherwise, so a stale build is never run.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { tsImport } from 'tsx/esm/api';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const standalone = (await import('ajv/dist/standalone/index.js')).default.default;
const { createAjv } = await tsImport('../compiler/validate/compile-validators.ts', import.meta.url);
const { readSchema, SCHEMA_FILES } = await tsImport('../compiler/validate/schemas.ts', import.meta.url);

const ajv = createAjv({ standalone: true });
const exportName = (kind) => kind.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
const kinds = Object.keys(SCHEMA_FILES);
for (const kind of kinds) ajv.addSchema(readSchema(kind), kind);
// Ajv's standalone code loads its format checks with require(); give the ES module one.
const code = standalone(ajv, Object.fromEntries(kinds.map((k) => [exportName(k), k]))).replace(
  /^"use strict";/,
  '',
);
writeFileSync(
  join(dist, 'schema-validators.mjs'),
  `import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n${code}`,
);
writeFileSync(
  join(dist, 'compile-validators.mjs'),
  [
    "import * as compiled from './schema-validators.mjs';",
    '/** The validators of schemas/, compiled at install time by scripts/build.mjs. */',
    'export function createSchemaValidators() {',
    `  return { ${kinds.map((k) => `'${k}': compiled.${exportName(k)}`).join(', ')} };`,
    '}',
    '',
  ].join('\n'),
);

// The build's identity: a hash of every source file, so caches keyed by it die with the build.
const hash = createHash('sha256');
const walk = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else if (/\.(ts|json)$/.test(entry.name)) hash.update(path.slice(root.length)).update(readFileSync(path));
  }
};
for (const dir of ['cli', 'compiler', 'runtime', 'sandbox', 'schemas'])
  if (existsSync(join(root, dir))) walk(join(root, dir));

await build({
  define: { __FLITSTACK_BUILD__: JSON.stringify(hash.digest('hex').slice(0, 16)) },
  // Code splitting: each command's action is a chunk loaded on demand, so `validate` does not load
  // the TypeScript compiler that `compile` uses to check generated code.
  entryPoints: { cli: join(root, 'cli/main.ts') },
  outdir: dist,
  outExtension: { '.js': '.mjs' },
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
  plugins: [
    {
      name: 'precompiled-validators',
      setup(b) {
        b.onResolve({ filter: /compile-validators\.ts$/ }, () => ({
          path: join(dist, 'compile-validators.mjs'),
        }));
      },
    },
  ],
});
