import { basename, posix } from 'node:path';
import { strangeCharacter } from '../diagnostics/characters.ts';
import type { Diagnostic, PendingDiagnostic } from '../diagnostics/diagnostic.ts';
import { lostToBrokenLink, type ReadProblem, readDiagnostics } from './read-problems.ts';
import { failedToParse, parseYamlFile, type YamlFile } from './yaml-file.ts';

export type { ReadProblem } from './read-problems.ts';

/** The spec as text: paths relative to the spec directory → contents. Only the CLI reads the disk. */
export interface SpecInput {
  /** How the spec directory is shown in diagnostics, e.g. `spec`. */
  readonly root: string;
  readonly files: ReadonlyMap<string, string>;
  /** What the reader could not take as it is: broken or looping links, files that are not UTF-8. */
  readonly problems?: readonly ReadProblem[];
}

/** Kinds of spec file, each with its own JSON Schema. */
export type SpecFileKind = 'migration' | 'object' | 'valuemap' | 'source-model' | 'target-metadata';

/** A parsed spec file with its kind and (for objects and value maps) its name. */
export interface SpecFile {
  readonly kind: SpecFileKind;
  readonly name: string;
  readonly file: YamlFile;
}

/** Every file of the spec parsed, sorted into kinds; `pending` holds structural problems. */
export interface LoadedSpec {
  readonly root: string;
  readonly files: ReadonlyMap<string, YamlFile>;
  readonly migration: SpecFile | undefined;
  readonly objects: readonly SpecFile[];
  readonly valuemaps: readonly SpecFile[];
  readonly sourceModel: SpecFile | undefined;
  readonly targetMetadata: SpecFile | undefined;
  readonly pending: readonly PendingDiagnostic[];
  /** Problems of reading the files (FS007, FS008), already at a line. */
  readonly located: readonly Diagnostic[];
  /** False when a link to a spec file or folder is broken: what it stood for is missing. */
  readonly complete: boolean;
}

export const DEFAULT_SOURCE_MODEL = 'source/practicehub.yaml';
export const DEFAULT_TARGET_METADATA = 'target/dataverse.yaml';
// Names NAME allows that every object already has (Object.prototype members in lower case).
const RESERVED_MAPPING_NAMES = new Set(['constructor']);
const NAME = /^[a-z][a-z0-9-]*$/;

function referencedPath(data: unknown, section: 'source' | 'target', key: string, fallback: string): string {
  if (data && typeof data === 'object') {
    const block = (data as Record<string, unknown>)[section];
    if (block && typeof block === 'object') {
      const value = (block as Record<string, unknown>)[key];
      // source/../source/x.yaml and ./source/x.yaml name the file the spec holds as source/x.yaml.
      if (typeof value === 'string' && value.length > 0) return posix.normalize(value);
    }
  }
  return fallback;
}

/** Parses one file; the default parses afresh, callers that validate repeatedly may memoize it. */
export type ParseFile = (path: string, text: string) => YamlFile;

/** A parser that reuses the result for a file whose path and text are unchanged (parsed files are read-only). */
export function memoizedParser(): ParseFile {
  const cache = new Map<string, YamlFile>();
  return (path, text) => {
    const id = `${path}\u0000${text}`;
    const hit = cache.get(id);
    if (hit) return hit;
    const file = parseYamlFile(path, text);
    if (cache.size > 2000) cache.clear();
    cache.set(id, file);
    return file;
  };
}

/** Parses every file and sorts it into its kind. Never throws. */
export function loadSpec(input: SpecInput, parseFile: ParseFile = parseYamlFile): LoadedSpec {
  const display = (rel: string) => `${input.root}/${rel}`;
  const files = new Map<string, YamlFile>();
  const pending: PendingDiagnostic[] = [];
  const problems = input.problems ?? [];
  // A file behind a broken link is reported as FS007, not as missing.
  const lost = (rel: string) => lostToBrokenLink(problems, rel);
  const parse = (rel: string): YamlFile => {
    const existing = files.get(display(rel));
    if (existing) return existing;
    const file = parseFile(display(rel), input.files.get(rel) ?? '');
    files.set(file.path, file);
    return file;
  };

  let migration: SpecFile | undefined;
  if (input.files.has('migration.yaml')) {
    migration = { kind: 'migration', name: 'migration', file: parse('migration.yaml') };
  } else if (!lost('migration.yaml')) {
    pending.push({
      code: 'FS004',
      severity: 'error',
      message: 'missing migration.yaml: every spec directory has one',
      file: display('migration.yaml'),
      pointer: '',
      hint: 'create migration.yaml with version, source and target (see docs/spec.md)',
    });
  }
  // A migration.yaml the parser gave up on may not show which files it names: its syntax error is
  // reported, and nothing is said about those files until it parses.
  const namesKnown = migration ? !failedToParse(migration.file) : !lost('migration.yaml');
  const modelRel = referencedPath(migration?.file.data, 'source', 'model', DEFAULT_SOURCE_MODEL);
  const metadataRel = referencedPath(migration?.file.data, 'target', 'metadata', DEFAULT_TARGET_METADATA);
  const referenced = (rel: string, kind: SpecFileKind, key: string): SpecFile | undefined => {
    if (input.files.has(rel)) return { kind, name: rel, file: parse(rel) };
    if (migration && namesKnown && !lost(rel)) {
      pending.push({
        code: 'FS004',
        severity: 'error',
        message: `${kind === 'source-model' ? 'source model' : 'target metadata snapshot'} '${rel}' not found in ${input.root}/`,
        file: migration.file.path,
        pointer: `/${key.replace('.', '/')}`,
        hint: `create ${input.root}/${rel}, or point ${key} at the file`,
      });
    }
    return undefined;
  };
  const sourceModel = referenced(modelRel, 'source-model', 'source.model');
  const targetMetadata = referenced(metadataRel, 'target-metadata', 'target.metadata');

  const objects: SpecFile[] = [];
  const valuemaps: SpecFile[] = [];
  for (const rel of [...input.files.keys()].sort()) {
    if (!/\.ya?ml$/.test(rel)) continue;
    if (rel === 'migration.yaml' || rel === modelRel || rel === metadataRel) continue;
    const match = /^(objects|valuemaps)\/([^/]+)\.ya?ml$/.exec(rel);
    if (!match) {
      if (!namesKnown) continue;
      pending.push({
        code: 'FS005',
        severity: 'warning',
        message: `file '${rel}' is not part of the spec and is ignored`,
        file: display(rel),
        pointer: '',
        hint: 'object mappings go in objects/, value maps in valuemaps/; the source model and target snapshot are named in migration.yaml',
      });
      continue;
    }
    const [, folder, name] = match as unknown as [string, string, string];
    const file = parse(rel);
    if (!NAME.test(name)) {
      const strange = strangeCharacter(name);
      pending.push({
        code: 'FS006',
        severity: 'error',
        message: `file name '${name}' cannot be a ${folder === 'objects' ? 'mapping' : 'value map'} name${strange ? `: it holds ${strange.words}` : ''}`,
        file: file.path,
        pointer: '',
        hint: `${strange ? `${strange.fix}; ` : ''}use lowercase letters, digits and hyphens, starting with a letter (e.g. clinical-note.yaml)`,
      });
      continue;
    }
    if (folder === 'objects' && RESERVED_MAPPING_NAMES.has(name)) {
      pending.push({
        code: 'FS006',
        severity: 'error',
        message: `file name '${name}' cannot be a mapping name: it is reserved by the generated code`,
        file: file.path,
        pointer: '',
        hint: `rename the file (e.g. ${name}-record.yaml) and the lookups that name it`,
      });
      continue;
    }
    const same = (folder === 'objects' ? objects : valuemaps).find((f) => f.name === name);
    if (same) {
      // objects/gender.yaml and objects/gender.yml: one name, two files; neither may silently win.
      pending.push({
        code: 'FS006',
        severity: 'error',
        message: `${folder === 'objects' ? 'mapping' : 'value map'} '${name}' is defined twice: in ${same.file.path} and in ${file.path}`,
        file: file.path,
        pointer: '',
        hint: `keep one of the two files (${basename(same.file.path)}, ${basename(file.path)}) and delete or rename the other`,
      });
      continue;
    }
    (folder === 'objects' ? objects : valuemaps).push({
      kind: folder === 'objects' ? 'object' : 'valuemap',
      name,
      file,
    });
  }
  return {
    root: input.root,
    files,
    migration,
    objects,
    valuemaps,
    sourceModel,
    targetMetadata,
    pending,
    located: readDiagnostics(input.root, problems),
    complete: !problems.some((p) => p.kind === 'broken-link'),
  };
}
