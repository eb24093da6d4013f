import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { formatText } from '../../compiler/diagnostics/format.ts';
import {
  cutMarkdown,
  diffSides,
  isEmptyDiff,
  renderJson,
  renderMarkdown,
  specSide,
} from '../../compiler/diff/index.ts';
import type { SpecInput } from '../../compiler/load/spec-dir.ts';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import { UsageError } from '../errors.ts';
import { readGitSpec } from '../git-spec.ts';
import type { CliIo } from '../io.ts';
import { readSpecDir, sourceLookup } from '../spec-files.ts';
import { diskCachedParser } from '../yaml-cache.ts';

export interface DiffOptions {
  readonly base: string;
  readonly head?: string;
  readonly spec: string;
  readonly format: 'md' | 'json';
  /** Cut the Markdown to this many bytes at a section boundary (a pull-request comment holds 65,536 characters). */
  readonly maxBytes?: string;
}

/** The smallest --max-bytes: room for the title, the summary and the line that says the diff is cut. */
const MIN_BYTES = 1000;

function maxBytes(options: DiffOptions): number | undefined {
  if (options.maxBytes === undefined) return undefined;
  const n = Number(options.maxBytes);
  if (options.format !== 'md')
    throw new UsageError(
      '--max-bytes cuts the Markdown comment; the JSON output is never cut: drop --max-bytes',
    );
  if (!/^[0-9]+$/.test(options.maxBytes) || n < MIN_BYTES)
    throw new UsageError(
      `--max-bytes ${options.maxBytes}: give a whole number of bytes, at least ${MIN_BYTES} (e.g. 60000 for a pull-request comment)`,
    );
  return n;
}

/** One side as read: the spec text and how the reader names it. */
interface ReadSide {
  readonly name: 'base' | 'head';
  readonly label: string;
  readonly input: SpecInput;
}

const isDir = (path: string): boolean => existsSync(path) && statSync(path).isDirectory();

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
    // A folder that is neither a spec nor holds one (`--base ..`, `--base ~`) is not read: every YAML
    // file below it would be reported as not part of the spec.
    if (!existsSync(join(isAbsolute(dir) ? dir : resolve(cwd, dir), 'migration.yaml')))
      throw new UsageError(
        `${name}: ${given} holds no spec (no migration.yaml in it, nor in ${join(given, spec)}/): give a spec folder, a folder holding ${spec}/, or a git ref`,
      );
    return { name, label: dir, input: readSpecDir(dir, cwd) };
  }
  return { name, label: given, input: await readGitSpec(given, spec, cwd, name) };
}

/** Compares two specs and prints the mapping diff; exit 0 no change, 1 changes, 2 usage or invalid spec. */
export async function diff(options: DiffOptions, io: CliIo): Promise<number> {
  const budget = maxBytes(options);
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
  const out = options.format === 'json' ? renderJson(result, labels) : renderMarkdown(result, labels);
  io.out(budget === undefined ? out : cutMarkdown(out, budget));
  return isEmptyDiff(result) ? 0 : 1;
}
