import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { formatText } from '../../compiler/diagnostics/format.ts';
import { diffSides, isEmptyDiff, renderJson, renderMarkdown, specSide } from '../../compiler/diff/index.ts';
import type { ReadProblem, SpecInput } from '../../compiler/load/spec-dir.ts';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import { decoded } from '../../runtime/confirm/read-spec.ts';
import { UsageError } from '../errors.ts';
import type { CliIo } from '../io.ts';
import { readSpecDir, sourceLookup } from '../spec-files.ts';
import { diskCachedParser } from '../yaml-cache.ts';

const exec = promisify(execFile);

export interface DiffOptions {
  readonly base: string;
  readonly head?: string;
  readonly spec: string;
  readonly format: 'md' | 'json';
}

/** One side as read: the spec text and how the reader names it. */
interface ReadSide {
  readonly name: 'base' | 'head';
  readonly label: string;
  readonly input: SpecInput;
}

const isDir = (path: string): boolean => existsSync(path) && statSync(path).isDirectory();

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

/**
 * The spec directory at a git ref: its YAML files listed with `git ls-tree` (with sizes) and read with
 * `git show <ref>:./<path>...`, whose output is the blobs back to back, cut apart by those sizes.
 * Paths are relative to `cwd`, as git reads them.
 */
async function readGitSpec(ref: string, spec: string, cwd: string, side: string): Promise<SpecInput> {
  if (ref.startsWith('-') || ref.includes('\u0000'))
    throw new UsageError(`${side}: '${ref}' is not a directory or a git ref`);
  try {
    await exec('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd });
  } catch {
    throw new UsageError(`${side}: '${ref}' is not a directory or a git ref (looked in ${cwd})`);
  }
  const dir = relative(cwd, resolve(cwd, spec)).split(sep).join('/') || '.';
  const listing = (await git(cwd, ['ls-tree', '-r', '-z', '-l', ref, '--', dir], side)).toString('utf8');
  // `<mode> blob <oid> <size>\t<path>`; as readSpecDir: YAML files only, hidden directories skipped.
  const blobs = listing
    .split('\u0000')
    .flatMap((line) => {
      const match = /^(\d+) blob [0-9a-f]+ +(\d+)\t(.+)$/s.exec(line);
      return match
        ? [
            {
              link: match[1] === '120000',
              size: Number(match[2]),
              path: match[3]!,
              inSpec: posix.relative(dir, match[3]!),
            },
          ]
        : [];
    })
    .filter(({ inSpec }) => /\.ya?ml$/.test(inSpec) && !inSpec.split('/').some((p) => p.startsWith('.')))
    .sort((a, b) => a.inSpec.localeCompare(b.inSpec));
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
  // As readSpecFiles does on disk: a link is read as the file it points to, a link to nothing is a
  // problem the validator reports (FS007), and bytes that are not UTF-8 are reported (FS008). `plain`:
  // the files (not links) read already, by path, which a link may point to without another read.
  const plain = new Map(blobs.filter((b) => !b.link).map((b) => [b.path, bytes.get(b.path)!]));
  const files = new Map<string, string>();
  const problems: ReadProblem[] = [];
  for (const b of blobs) {
    let content = bytes.get(b.path)!;
    if (b.link) {
      const target = content.toString('utf8');
      const found = await linkTarget(cwd, ref, b.path, target, plain, side);
      if (!Buffer.isBuffer(found)) {
        problems.push({ kind: 'broken-link', path: b.inSpec, target, loop: found === 'loop' });
        continue;
      }
      content = found;
    }
    const { text, bad } = decoded(content);
    files.set(b.inSpec, text);
    if (bad) problems.push({ kind: 'not-utf8', path: b.inSpec, ...bad });
  }
  return { root: dir, files, problems };
}

/** Links followed one after another before a chain counts as one that never ends. */
const MAX_LINKS = 8;

/**
 * What a link at `from` (a path relative to `cwd`) leads to at `ref`: the bytes of a file (already read,
 * or read with one more `git show`), nothing, or a chain of links that never reaches a file.
 */
async function linkTarget(
  cwd: string,
  ref: string,
  from: string,
  target: string,
  read: ReadonlyMap<string, Buffer>,
  side: string,
): Promise<Buffer | 'missing' | 'loop'> {
  let path = posix.normalize(posix.join(posix.dirname(from), target));
  for (let hop = 0; hop < MAX_LINKS; hop++) {
    const known = read.get(path);
    if (known) return known;
    // `<mode> <type> <oid>\t<path>`: a file, another link, a folder, or nothing at that path.
    let listed: string;
    try {
      listed = (await exec('git', ['ls-tree', '-z', ref, '--', path], { cwd })).stdout;
    } catch {
      return 'missing'; // outside the repository
    }
    const entry = /^(\d+) (\w+) ([0-9a-f]+)\t/.exec(listed);
    if (entry?.[2] !== 'blob') return 'missing';
    const bytes = await git(cwd, ['cat-file', 'blob', entry[3]!], side);
    if (entry[1] !== '120000') return bytes;
    path = posix.normalize(posix.join(posix.dirname(path), bytes.toString('utf8')));
  }
  return 'loop';
}

/** A side from `--base`/`--head`: an existing directory (the spec, or one holding it), else a git ref. */
async function readSide(
  name: 'base' | 'head',
  given: string | undefined,
  spec: string,
  cwd: string,
): Promise<ReadSide> {
  if (given === undefined) return { name, label: 'working tree', input: readSpecDir(spec, cwd) };
  const path = isAbsolute(given) ? given : resolve(cwd, given);
  if (isDir(path)) {
    const dir =
      existsSync(join(path, 'migration.yaml')) || !isDir(join(path, spec)) ? given : join(given, spec);
    return { name, label: dir, input: readSpecDir(dir, cwd) };
  }
  return { name, label: given, input: await readGitSpec(given, spec, cwd, name) };
}

/** Compares two specs and prints the mapping diff; exit 0 no change, 1 changes, 2 usage or invalid spec. */
export async function diff(options: DiffOptions, io: CliIo): Promise<number> {
  const base = await readSide('base', options.base, options.spec, io.cwd);
  const head = await readSide('head', options.head, options.spec, io.cwd);
  const validators = createSchemaValidators();
  const parseFile = diskCachedParser(join(io.cwd, '.flitstack', 'cache', 'yaml'));
  const built = [base, head].map((side) => ({
    side,
    result: specSide(side.input, validators, { parseFile }),
  }));
  const failed = built.filter((b) => !b.result.ok);
  if (failed.length > 0) {
    if (options.format === 'json') {
      const invalid = failed.map(({ side, result }) => ({
        side: side.name,
        label: side.label,
        errors: result.diagnostics.filter((d) => d.severity === 'error').length,
        diagnostics: result.diagnostics,
      }));
      io.out(`${JSON.stringify({ invalid }, null, 2)}\n`);
    }
    for (const { side, result } of failed) {
      io.err(`diff: the ${side.name} spec (${side.label}) does not validate:\n`);
      if (options.format === 'md') io.err(formatText(result.diagnostics, sourceLookup(side.input)));
    }
    return 2;
  }
  const [b, h] = built.map((x) => (x.result.ok ? x.result.side : undefined));
  const result = diffSides(b!, h!);
  const labels = { base: base.label, head: head.label };
  io.out(options.format === 'json' ? renderJson(result, labels) : renderMarkdown(result, labels));
  return isEmptyDiff(result) ? 0 : 1;
}
