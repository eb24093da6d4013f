import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

/** The project root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the test. */
export function tempDir(prefix = 'flitstack-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A temporary copy of the shipped spec; returns the directory holding `spec/`. */
export function copyOfShippedSpec(): string {
  const dir = tempDir();
  cpSync(join(ROOT, 'spec'), join(dir, 'spec'), { recursive: true });
  return dir;
}
