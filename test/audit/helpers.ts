import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bufferIo } from '../../cli/io.ts';
import { run } from '../../cli/main.ts';
import { readSpecDir } from '../../cli/spec-files.ts';
import { buildIr } from '../../compiler/ir/build.ts';
import type { Ir } from '../../compiler/ir/types.ts';
import type { SpecContext } from '../../compiler/validate/context.ts';
import { validateSpec } from '../../compiler/validate/index.ts';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import type { PracticeHubClientOptions } from '../../runtime/practicehub/index.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { ROOT, tempDir } from '../support/tmp.ts';

/** The contact header every test client sends. */
export const APP_DETAILS = 'flitstack-tests=ops@example.com';

/** Client options for the sandbox's account at `rate` requests per second. */
export function clientOptions(sb: Sandboxes, rate: number): PracticeHubClientOptions {
  return {
    baseUrl: sb.practicehub.baseUrl,
    apiKey: sb.practicehub.apiKey,
    appDetails: APP_DETAILS,
    requestsPerSecond: rate,
    pageSize: 100,
    backoff: { baseMs: 2, maxMs: 20 },
  };
}

/** A copy of the shipped spec in a temporary directory (returns the directory holding spec/). */
export function specCopy(edit: (dir: string) => void = () => undefined): string {
  const dir = tempDir('flitstack-audit-');
  cpSync(join(ROOT, 'spec'), join(dir, 'spec'), { recursive: true });
  edit(join(dir, 'spec'));
  return dir;
}

/** Replaces text in a spec file (throws when `from` is not there, so a test cannot silently edit nothing). */
export function editFile(specDir: string, file: string, from: string | RegExp, to: string): void {
  const path = join(specDir, file);
  const text = readFileSync(path, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`${file}: '${String(from)}' not found`);
  writeFileSync(path, next);
}

/** The spec's validation context and IR (the spec must be valid). */
export function loadSpec(dir: string): { context: SpecContext; ir: Ir; errors: number } {
  const input = readSpecDir(join(dir, 'spec'), dir);
  const v = validateSpec(input, createSchemaValidators());
  const errors = v.diagnostics.filter((d) => d.severity === 'error').length;
  return { context: v.context, ir: buildIr(v.context), errors };
}

/** Runs the CLI in `cwd` with `env`; returns exit code and output. */
export async function cli(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]) {
  const io = bufferIo(cwd, env);
  const code = await run(['node', 'flitstack', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

/** Sets the spec's PracticeHub rate limit (the sandbox's limit in tests is higher than the real 1/s). */
export function setRate(specDir: string, rate: number): void {
  editFile(specDir, 'migration.yaml', 'requests_per_second: 1 }', `requests_per_second: ${rate} }`);
}
