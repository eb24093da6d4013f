import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { x as extract } from 'tar';
import type { SpecInput } from '../compiler/load/spec-dir.ts';
import { readSpecFiles } from '../runtime/confirm/read-spec.ts';
import { UsageError } from './errors.ts';

const exec = promisify(execFile);

/** Runs git in `cwd` (no shell); a failure becomes a usage error naming the side and git's own words. */
async function git(cwd: string, args: string[], side: string): Promise<string> {
  try {
    const { stdout } = await exec('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; code?: string | number; message?: string };
    const why =
      e.code === 'ENOENT' ? 'git is not installed' : (e.stderr || e.message || '').trim().split('\n')[0];
    throw new UsageError(`${side}: git ${args[0]} failed: ${why}`);
  }
}

/**
 * The spec directory at a git ref, read exactly as a spec directory on disk is (readSpecFiles: links
 * to files and folders followed, broken or looping links FS007, bytes that are not UTF-8 FS008): the
 * repository's tree at the ref is written out with `git archive` into a temporary folder, links as
 * links, and read there. `spec` is relative to `cwd`, which is inside the repository.
 */
export async function readGitSpec(ref: string, spec: string, cwd: string, side: string): Promise<SpecInput> {
  if (ref.startsWith('-') || ref.includes('\u0000'))
    throw new UsageError(`${side}: '${ref}' is not a directory or a git ref`);
  try {
    await exec('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd });
  } catch {
    throw new UsageError(`${side}: '${ref}' is not a directory or a git ref (looked in ${cwd})`);
  }
  const dir = relative(cwd, resolve(cwd, spec)).split(sep).join('/') || '.';
  // A submodule is a commit of another repository: the ref does not hold its files.
  const submodule = (await git(cwd, ['ls-tree', '-r', '-z', ref, '--', dir], side))
    .split('\u0000')
    .map((line) => /^160000 commit [0-9a-f]+\t(.+)$/s.exec(line)?.[1])
    .find((path) => path !== undefined);
  if (submodule)
    throw new UsageError(
      `${side}: ${submodule} is a git submodule, whose files ${ref} does not hold; compare with a directory instead (--${side} <dir>)`,
    );
  const top = (await git(cwd, ['rev-parse', '--show-toplevel'], side)).trim();
  const prefix = (await git(cwd, ['rev-parse', '--show-prefix'], side)).trim();
  const tree = mkdtempSync(join(tmpdir(), 'flitstack-ref-'));
  try {
    const archive = spawn('git', ['archive', '--format=tar', ref], {
      cwd: top,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    archive.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const exited = new Promise<number | null>((done) => archive.on('close', done));
    // preservePaths keeps links whose target passes through another link (`.up/maps`), which node-tar
    // refuses by default against archives that write through a link; a git tree cannot do that (a path
    // is a link or a folder, never both), and its entries are never absolute nor hold `..`.
    await pipeline(archive.stdout, extract({ cwd: tree, strict: true, preservePaths: true }));
    if ((await exited) !== 0)
      throw new UsageError(`${side}: git archive failed: ${stderr.trim().split('\n')[0] ?? ''}`);
    const inRepo = posix.normalize(posix.join(prefix, dir));
    if (inRepo === '..' || inRepo.startsWith('../'))
      throw new UsageError(`${side}: ${dir} is outside the repository, so ${ref} does not hold it`);
    const at = join(tree, ...inRepo.split('/'));
    if (!existsSync(at) || !statSync(at).isDirectory())
      throw new UsageError(`${side}: no spec files under ${dir}/ at ${ref}`);
    const { files, problems } = readSpecFiles(at, dir);
    if (files.size === 0) throw new UsageError(`${side}: no spec files under ${dir}/ at ${ref}`);
    return { root: dir, files, problems };
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}
