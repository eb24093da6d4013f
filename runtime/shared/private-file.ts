import { closeSync, fchmodSync, fstatSync, openSync, writeFileSync } from 'node:fs';

/**
 * Opens `path` for writing from its start, readable by its owner only: for files that hold patient data.
 * The mode given to `open` applies only when it creates the file; an existing file keeps its own (0644,
 * say), so the mode is set on the emptied file before anything is written into it. Only a regular file:
 * `--out /dev/stdout` or `/dev/null` is a device shared by everyone, whose mode is not the file's to set.
 */
export function openPrivate(path: string): number {
  const fd = openSync(path, 'w', 0o600);
  try {
    if (fstatSync(fd).isFile()) fchmodSync(fd, 0o600);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}

/** Writes `text` to a file only its owner may read, whether or not it existed. */
export function writePrivate(path: string, text: string): void {
  const fd = openPrivate(path);
  try {
    writeFileSync(fd, text);
  } finally {
    closeSync(fd);
  }
}
