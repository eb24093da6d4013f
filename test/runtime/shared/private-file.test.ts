import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, constants, openSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPrivate } from '../../../runtime/shared/private-file.ts';
import { tempDir } from '../../support/tmp.ts';

describe('files for patient data', () => {
  it('makes an existing regular file readable by its owner only', () => {
    const path = join(tempDir(), 'log.csv');
    writeFileSync(path, 'old');
    chmodSync(path, 0o644);
    closeSync(openPrivate(path));
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('leaves the mode of what is not a regular file (a pipe, /dev/stdout) as it is', () => {
    const path = join(tempDir(), 'pipe');
    execFileSync('mkfifo', ['-m', '644', path]);
    // A reader first, so that opening the pipe for writing does not wait for one.
    const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      closeSync(openPrivate(path));
      expect(statSync(path).mode & 0o777).toBe(0o644);
    } finally {
      closeSync(reader);
    }
  });
});
