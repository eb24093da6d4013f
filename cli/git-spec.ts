import { execFile } from 'node:child_process';
import { posix, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import type { ReadProblem, SpecInput } from '../compiler/load/spec-dir.ts';
import { decoded } from '../runtime/confirm/read-spec.ts';
import { UsageError } from './errors.ts';

const exec = promisify(execFile);

/** Runs git in `cwd` (no shell); a failure becomes a usage error naming the side and git's own words. */
async function git(cwd: string, args: string[], side: string): Promise<Buffer> {
  try {
    const { stdout } = await exec('git', args, { cwd, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: Buffer; code?: string | number; message?: string };
    const why =
      e.code === 'ENOENT'
        ? 'git is not installed'
        : (e.stderr?.toString() || e.message || '').trim().split('\n')[0];
    throw new UsageError(`${side}: git ${args[0]} failed: ${why}`);
  }
}

/** Files per `git show`: one process reads many, and the command line stays short. */
const SHOW_BATCH = 100;
/** Links followed one after another before a chain counts as one that never ends. */
const MAX_LINKS = 8;
/** Folders reached through links within one another, as readSpecFiles goes on disk. */
const MAX_DEPTH = 6;

/** A file of the tree at the ref: `path` as git names it (relative to cwd), `inSpec` as the spec does. */
interface Blob {
  readonly link: boolean;
  readonly size: number;
  readonly path: string;
  readonly inSpec: string;
}

const hidden = (inSpec: string) => inSpec.split('/').some((p) => p.startsWith('.'));
const isSpecFile = (b: Blob) => /\.ya?ml$/.test(b.inSpec) && !hidden(b.inSpec);

/** The files under `at` at the ref (`<mode> blob <oid> <size>\t<path>`), named in the spec under `under`. */
async function listBlobs(cwd: string, ref: string, at: string, under: string, side: string): Promise<Blob[]> {
  const listing = (await git(cwd, ['ls-tree', '-r', '-z', '-l', ref, '--', at], side)).toString('utf8');
  return listing.split('\u0000').flatMap((line) => {
    const match = /^(\d+) blob [0-9a-f]+ +(\d+)\t(.+)$/s.exec(line);
    if (!match) return [];
    const path = match[3]!;
    return [
      {
        link: match[1] === '120000',
        size: Number(match[2]),
        path,
        inSpec: posix.join(under, posix.relative(at, path)),
      },
    ];
  });
}

/** What is at a path at the ref, following links: a file (its object id), a folder, nothing, or a chain without end. */
async function entryAt(
  cwd: string,
  ref: string,
  from: string,
  target: string,
  side: string,
): Promise<
  { kind: 'file'; oid: string; path: string } | { kind: 'folder'; path: string } | 'missing' | 'loop'
> {
  let link = target;
  let base = posix.dirname(from);
  for (let hop = 0; hop < MAX_LINKS; hop++) {
    // An absolute target is outside what the ref holds.
    if (link.startsWith('/')) return 'missing';
    const path = posix.normalize(posix.join(base, link));
    let listed: string;
    try {
      listed = (await exec('git', ['ls-tree', '-z', ref, '--', path], { cwd })).stdout;
    } catch {
      return 'missing'; // outside the repository
    }
    // `<mode> <type> <oid>\t<path>`: a file, another link, a folder, or nothing at that path.
    const entry = /^(\d+) (\w+) ([0-9a-f]+)\t/.exec(listed);
    if (entry?.[2] === 'tree') return { kind: 'folder', path };
    if (entry?.[2] !== 'blob') return 'missing';
    if (entry[1] !== '120000') return { kind: 'file', oid: entry[3]!, path };
    link = (await git(cwd, ['cat-file', 'blob', entry[3]!], side)).toString('utf8');
    base = posix.dirname(path);
  }
  return 'loop';
}

/**
 * The spec directory at a git ref, read as readSpecFiles reads one on disk: its YAML files (hidden
 * folders skipped) listed with `git ls-tree` (with sizes) and read with `git show <ref>:./<path>...`,
 * whose output is the blobs back to back, cut apart by those sizes. A link is read as the file or
 * folder it points to at the ref; a link to nothing, or back into a folder it is in, is a problem the
 * validator reports (FS007), and bytes that are not UTF-8 are reported (FS008). Paths are relative to
 * `cwd`, as git reads them.
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
  const problems: ReadProblem[] = [];
  const blobs: Blob[] = [];
  // Links to folders (other links are files, below) add the folder's files under the link's name.
  let listed = (await listBlobs(cwd, ref, dir, '', side)).map((b) => ({ ...b, depth: 0 }));
  while (listed.length > 0) {
    const next: typeof listed = [];
    for (const b of listed) {
      if (isSpecFile(b)) blobs.push(b);
      if (!b.link || isSpecFile(b) || hidden(b.inSpec) || b.depth >= MAX_DEPTH) continue;
      const target = (await git(cwd, ['cat-file', 'blob', `${ref}:./${b.path}`], side)).toString('utf8');
      const found = await entryAt(cwd, ref, b.path, target, side);
      if (found === 'missing' || found === 'loop')
        problems.push({ kind: 'broken-link', path: b.inSpec, target, loop: found === 'loop' });
      else if (found.kind === 'folder') {
        if (`${posix.dirname(b.path)}/`.startsWith(`${found.path}/`))
          problems.push({ kind: 'looping-link', path: b.inSpec, target });
        else
          for (const inner of await listBlobs(cwd, ref, found.path, b.inSpec, side))
            next.push({ ...inner, depth: b.depth + 1 });
      }
    }
    listed = next;
  }
  blobs.sort((a, b) => a.inSpec.localeCompare(b.inSpec));
  if (blobs.length === 0) throw new UsageError(`${side}: no spec files under ${dir}/ at ${ref}`);
  const bytes = new Map<string, Buffer>();
  for (let start = 0; start < blobs.length; start += SHOW_BATCH) {
    const batch = blobs.slice(start, start + SHOW_BATCH);
    const out = await git(cwd, ['show', '--no-textconv', ...batch.map((b) => `${ref}:./${b.path}`)], side);
    let at = 0;
    for (const b of batch) {
      bytes.set(b.path, out.subarray(at, at + b.size));
      at += b.size;
    }
    if (at !== out.length)
      throw new UsageError(`${side}: git show returned ${out.length} bytes, expected ${at}`);
  }
  const files = new Map<string, string>();
  for (const b of blobs) {
    let content = bytes.get(b.path)!;
    if (b.link) {
      const target = content.toString('utf8');
      const found = await entryAt(cwd, ref, b.path, target, side);
      if (found === 'missing' || found === 'loop' || found.kind === 'folder') {
        problems.push({ kind: 'broken-link', path: b.inSpec, target, loop: found === 'loop' });
        continue;
      }
      content = await git(cwd, ['cat-file', 'blob', found.oid], side);
    }
    const { text, bad } = decoded(content);
    files.set(b.inSpec, text);
    if (bad) problems.push({ kind: 'not-utf8', path: b.inSpec, ...bad });
  }
  return { root: dir, files, problems };
}
