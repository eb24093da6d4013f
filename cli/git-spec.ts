import { execFile, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  type Stats,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { x as extract, type ReadEntry } from 'tar';
import type { SpecInput } from '../compiler/load/spec-dir.ts';
import { readSpecFiles } from '../runtime/confirm/read-spec.ts';
import { UsageError } from './errors.ts';
import { INTERRUPTED_EXIT } from './interrupt.ts';

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

/** Whether a link at `name` (a path in the repository) points outside the repository, or is absolute. */
function leavesRepository(name: string, target: string): boolean {
  if (posix.isAbsolute(target)) return true;
  const resolved = posix.normalize(posix.join(posix.dirname(name), target));
  return resolved === '..' || resolved.startsWith('../');
}

/**
 * What of the archive is written out: folders, links and YAML files, the only files the spec reader
 * reads; nothing whose path passes through a link written before it (a crafted tree can name an entry
 * `a/x` beside a link `a`, which would write outside the folder), nothing absolute or with `..`. Links
 * that leave the repository are not written (they would be followed from the temporary folder, to
 * whatever is there): their paths go to `leaving`.
 */
function specEntries(leaving: string[]): (path: string, entry: ReadEntry | Stats) => boolean {
  const links: string[] = [];
  return (path, entry) => {
    if (!('type' in entry)) return false; // extraction reads entries; Stats come only when packing
    const name = path.replace(/\/+$/, '');
    if (name.startsWith('/') || name.split('/').includes('..')) return false;
    if (links.some((link) => name.startsWith(`${link}/`))) return false;
    if (entry.type === 'SymbolicLink') {
      links.push(name);
      if (!leavesRepository(name, entry.linkpath ?? '')) return true;
      leaving.push(name);
      return false;
    }
    return entry.type === 'Directory' || (entry.type === 'File' && /\.ya?ml$/i.test(name));
  };
}

/** The contents of the given blobs (`git cat-file --batch`), in order. */
async function blobs(top: string, ids: readonly string[], side: string): Promise<string[]> {
  if (ids.length === 0) return [];
  const cat = spawn('git', ['cat-file', '--batch'], { cwd: top, stdio: ['pipe', 'pipe', 'ignore'] });
  cat.stdin.end(`${ids.join('\n')}\n`);
  const chunks: Buffer[] = [];
  for await (const chunk of cat.stdout) chunks.push(chunk as Buffer);
  const out = Buffer.concat(chunks);
  const texts: string[] = [];
  let at = 0;
  for (const _ of ids) {
    const header = out.subarray(at, out.indexOf(10, at)).toString('utf8');
    const size = Number(header.split(' ')[2]);
    if (!Number.isSafeInteger(size)) throw new UsageError(`${side}: git cat-file failed: ${header}`);
    at += Buffer.byteLength(header) + 1;
    texts.push(out.subarray(at, at + size).toString('utf8'));
    at += size + 1;
  }
  return texts;
}

/**
 * The pathspecs of what the spec reader may read in the tree at `commit`: its YAML files (by pattern,
 * given only when the tree has such files, as git refuses a pathspec that matches nothing), its links,
 * and the folders links lead to (which may hold no YAML file, and must still be there). Listing the
 * tree reads no file but the links, so that a large repository is not archived whole.
 */
async function specPaths(top: string, commit: string, side: string): Promise<string[]> {
  const listing = await git(top, ['ls-tree', '-r', '-t', '-z', '--full-tree', commit], side);
  const paths = new Set<string>();
  const folders = new Set<string>();
  const links: { path: string; id: string }[] = [];
  for (const entry of listing.split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const [mode, , id = ''] = entry.slice(0, tab).split(' ');
    const path = entry.slice(tab + 1);
    const yaml = /\.(ya?ml)$/i.exec(path)?.[1]?.toLowerCase();
    if (mode === '040000') folders.add(path);
    else if (mode === '120000') links.push({ path, id });
    else if (yaml) paths.add(`:(glob,icase)**/*.${yaml}`);
  }
  const targets = await blobs(
    top,
    links.map((l) => l.id),
    side,
  );
  links.forEach(({ path }, i) => {
    paths.add(`:(literal)${path}`);
    const target = posix.normalize(posix.join(posix.dirname(path), targets[i]!));
    if (folders.has(target)) paths.add(`:(literal)${target}`);
  });
  return [...paths];
}

/**
 * Writes the folders, links and YAML files of the repository's tree at `ref` into `into`; returns the
 * links left out because they leave the repository.
 */
async function writeTree(
  top: string,
  commit: string,
  into: string,
  gitDir: string,
  side: string,
): Promise<string[]> {
  const leaving: string[] = [];
  // The archive is taken through a bare repository of our own that borrows the repository's objects:
  // its info/attributes, which outrank the tree's .gitattributes, turn export-ignore and export-subst
  // off, so that the spec is written out as committed, not as a release archive would have it.
  const objects = (
    await git(top, ['rev-parse', '--path-format=absolute', '--git-path', 'objects'], side)
  ).trim();
  await git(top, ['init', '-q', '--bare', gitDir], side);
  writeFileSync(join(gitDir, 'objects', 'info', 'alternates'), `${objects}\n`);
  mkdirSync(join(gitDir, 'info'), { recursive: true });
  writeFileSync(join(gitDir, 'info', 'attributes'), '* -export-ignore -export-subst\n');
  const paths = await specPaths(top, commit, side);
  if (paths.length === 0) return leaving;
  const archive = spawn('git', ['--git-dir', gitDir, 'archive', '--format=tar', commit, '--', ...paths], {
    cwd: top,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  archive.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((done) => archive.on('close', done));
  // preservePaths: links stay as the tree has them, also those whose target passes through another link
  // (`.up/maps`), which node-tar refuses by default; specEntries does the checks that option turns off.
  const written = pipeline(
    archive.stdout,
    extract({ cwd: into, strict: true, preservePaths: true, filter: specEntries(leaving) }),
  ).catch((error: unknown) => error as Error);
  const [failed, code] = await Promise.all([written, exited]);
  if (code !== 0) throw new UsageError(`${side}: git archive failed: ${stderr.trim().split('\n')[0] ?? ''}`);
  if (failed)
    throw new UsageError(`${side}: the tree at ${commit} could not be written out: ${failed.message}`);
  return leaving;
}

/** The paths of the submodules the .gitmodules file at `ref` declares. */
async function submodulesAt(top: string, ref: string): Promise<string[]> {
  try {
    const { stdout } = await exec(
      'git',
      ['config', '--blob', `${ref}:.gitmodules`, '--get-regexp', String.raw`^submodule\..*\.path$`],
      {
        cwd: top,
      },
    );
    return stdout.split('\n').flatMap((line) => /^\S+ (.+)$/.exec(line)?.[1] ?? []);
  } catch {
    return []; // no .gitmodules at the ref
  }
}

/**
 * The spec directory at a git ref, read exactly as a spec directory on disk is (readSpecFiles: links
 * to files and folders followed, broken or looping links FS007, bytes that are not UTF-8 FS008): the
 * folders, links and YAML files of the repository's tree at the ref are written out with `git archive`
 * into a temporary folder, removed afterwards (on Ctrl-C too), and read there. `spec` is relative to
 * `cwd`, which is inside the repository.
 */
export async function readGitSpec(ref: string, spec: string, cwd: string, side: string): Promise<SpecInput> {
  if (ref.startsWith('-') || ref.includes('\u0000'))
    throw new UsageError(`${side}: '${ref}' is not a directory or a git ref`);
  let commit: string;
  try {
    commit = (
      await exec('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd })
    ).stdout.trim();
  } catch {
    throw new UsageError(`${side}: '${ref}' is not a directory or a git ref (looked in ${cwd})`);
  }
  const dir = relative(cwd, resolve(cwd, spec)).split(sep).join('/') || '.';
  const [top = '', prefix = ''] = (
    await git(cwd, ['rev-parse', '--show-toplevel', '--show-prefix'], side)
  ).split('\n');
  const inRepo = posix.normalize(posix.join(prefix, dir));
  if (inRepo === '..' || inRepo.startsWith('../') || posix.isAbsolute(dir))
    throw new UsageError(
      `${side}: ${dir} is outside the repository, so ${ref} does not hold it; compare with a directory instead (--${side} <dir>)`,
    );
  // Submodules are commits of other repositories: the ref does not hold their files. They are the paths
  // its .gitmodules declares (none without one).
  const submodules = await submodulesAt(top, ref);
  const inSubmodule = (path: string) => submodules.find((s) => path === s || path.startsWith(`${s}/`));
  const refuse = (submodule: string) =>
    new UsageError(
      `${side}: the spec reads ${submodule}, a git submodule, whose files ${ref} does not hold; compare with a directory instead (--${side} <dir>)`,
    );
  const direct = inSubmodule(inRepo) ?? submodules.find((s) => s.startsWith(`${inRepo}/`));
  if (direct) throw refuse(direct);
  // Links that leave the repository point at files the ref does not hold either.
  let leaving: string[] = [];
  const throughLeaving = (path: string) =>
    leaving.find((l) => path === l || path.startsWith(`${l}/`) || l.startsWith(`${path}/`));
  const refuseLink = (link: string) =>
    new UsageError(
      `${side}: the spec reads ${link}, a link that leads out of the repository, to files ${ref} does not hold; compare with a directory instead (--${side} <dir>)`,
    );
  const work = mkdtempSync(join(tmpdir(), 'flitstack-ref-'));
  const tree = join(work, 'tree');
  mkdirSync(tree);
  const interrupted = () => {
    rmSync(work, { recursive: true, force: true });
    process.exit(INTERRUPTED_EXIT);
  };
  process.once('SIGINT', interrupted);
  try {
    leaving = await writeTree(top, commit, tree, join(work, 'git'), side);
    const outward = throughLeaving(inRepo);
    if (outward) throw refuseLink(outward);
    const at = join(tree, ...inRepo.split('/'));
    if (!existsSync(at) || !statSync(at).isDirectory())
      throw new UsageError(`${side}: no spec files under ${dir}/ at ${ref}`);
    const { files, problems, outside } = readSpecFiles(at, dir, { within: realpathSync.native(tree) });
    // A link whose real path leaves the tree, however it gets there (a chain of links, `l/..`).
    if (outside[0] !== undefined) throw refuseLink(posix.join(inRepo, outside[0]));
    for (const p of problems)
      if (p.kind === 'broken-link') {
        const target = posix.normalize(posix.join(inRepo, posix.dirname(p.path), p.target));
        const linked = inSubmodule(target);
        if (linked) throw refuse(linked);
        const outside = throughLeaving(target);
        if (outside) throw refuseLink(outside);
      }
    if (files.size === 0) throw new UsageError(`${side}: no spec files under ${dir}/ at ${ref}`);
    return { root: dir, files, problems };
  } finally {
    process.removeListener('SIGINT', interrupted);
    rmSync(work, { recursive: true, force: true });
  }
}
