import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { moduleFile } from '../../../runtime/schema/generated.ts';

/** What a file descriptor reads from the start of its file. */
function readAll(fd: number): string {
  const buffer = Buffer.alloc(1 << 16);
  return buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)).toString('utf8');
}

/**
 * Commands running at once (a test suite, two terminals) load the same generated module through one
 * file: it is never truncated and written again in place, which gave a process importing it meanwhile
 * a module without exports ("TypeError at Function.keys" in `schema apply`).
 */
describe('the temporary file a generated module is imported from', () => {
  it('holds the code, and a complete one is left as it is', () => {
    const code = `export const TABLES = {}; // ${randomUUID()}\n`;
    const file = moduleFile(code);
    try {
      expect(readFileSync(file, 'utf8')).toBe(code);
      const before = statSync(file);
      expect(moduleFile(code)).toBe(file);
      const after = statSync(file);
      expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('replaces a partial one whole, never writing into the file a reader has open', () => {
    const code = `export const TABLES = {}; // ${randomUUID()}\n`;
    const file = moduleFile(code);
    try {
      writeFileSync(file, code.slice(0, 10)); // as another process's write cut short leaves it
      const fd = openSync(file, 'r');
      try {
        expect(moduleFile(code)).toBe(file);
        expect(readFileSync(file, 'utf8')).toBe(code);
        expect(readAll(fd)).toBe(code.slice(0, 10));
      } finally {
        closeSync(fd);
      }
    } finally {
      rmSync(file, { force: true });
    }
  });
});
