import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
} from 'yaml';
import { type Diagnostic, type PendingDiagnostic, pointerSegments } from '../diagnostics/diagnostic.ts';
import { badMergeSource, type LocatedProblem, syntaxProblems, unreadableYaml } from './yaml-syntax.ts';

export type { LocatedProblem } from './yaml-syntax.ts';

/**
 * One spec file. `data` is the plain value (null when the file is empty); the parsed document with
 * positions is needed only to place diagnostics, so a file restored from a cache parses it on demand.
 */
export interface YamlFile {
  /** Path as shown in diagnostics, e.g. `spec/objects/patient.yaml`. */
  readonly path: string;
  readonly text: string;
  readonly data: unknown;
  /** YAML syntax problems (syntax errors, duplicate keys, tabs), already located; a `fatal` one ends the list. */
  readonly syntax: readonly LocatedProblem[];
  /** The document and its line counter (parsed now, or on first use for a cached file). */
  positions(): { readonly document: Document.Parsed; readonly lineCounter: LineCounter };
}

// Duplicate keys are found by dropDuplicateKeys in one pass: the parser's own check (uniqueKeys)
// compares each key with every earlier one, which takes minutes on a value map of 100,000 entries.
// Merge keys (`<<: *defaults`), as other YAML tools read them, so a shared block is written once.
const OPTIONS = {
  uniqueKeys: false,
  prettyErrors: true,
  strict: true,
  logLevel: 'error',
  merge: true,
} as const;

/** A key written twice in one mapping: its text, and the offsets of the repeat and of the first one. */
interface DuplicateKey {
  readonly key: string;
  readonly at: number;
  readonly first: number;
}

/** A plain key that YAML reads as a number or as null: as typed, and as the data holds it. */
interface RetypedKey {
  readonly written: string;
  readonly read: string;
  readonly isNull: boolean;
  readonly at: number;
}

/** What the walk over a document's keys found (see dropDuplicateKeys). */
interface KeyProblems {
  readonly duplicates: DuplicateKey[];
  readonly retyped: RetypedKey[];
}

/**
 * A plain key whose text in the data is not the text typed: `01` is the number 1 and `0x10` is 16, so
 * a value map entry `01: cash` matches the source value "1", never "01"; `~` is null, the key "".
 */
function retypedKey(key: unknown): RetypedKey | undefined {
  if (!isScalar(key) || key.type !== 'PLAIN' || (typeof key.value !== 'number' && key.value !== null))
    return undefined;
  const written = key.source ?? '';
  const read = key.value === null ? '' : String(key.value);
  return written === read
    ? undefined
    : { written, read, isNull: key.value === null, at: key.range?.[0] ?? 0 };
}

/**
 * Keeps the first of duplicate keys in every mapping, so later checks see what the author wrote first,
 * and returns the ones dropped, and the keys kept that YAML reads as other text (retypedKey). Keys
 * compare by their text, as the plain data holds them (`1` and "1" are one key there).
 */
function dropDuplicateKeys(
  node: unknown,
  found: KeyProblems = { duplicates: [], retyped: [] },
  depth = 0,
): KeyProblems {
  if (depth > 64) return found;
  if (isMap(node)) {
    const seen = new Map<unknown, number>();
    node.items = node.items.filter((pair) => {
      const key = isScalar(pair.key) ? String(pair.key.value) : pair.key;
      const offset = (pair.key as Node | null)?.range?.[0] ?? 0;
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, offset);
        const retyped = retypedKey(pair.key);
        if (retyped) found.retyped.push(retyped);
        return true;
      }
      found.duplicates.push({ key: typeof key === 'string' ? key : '?', at: offset, first });
      return false;
    });
    for (const pair of node.items) dropDuplicateKeys(pair.value, found, depth + 1);
  } else if (isSeq(node)) {
    for (const item of node.items) dropDuplicateKeys(item, found, depth + 1);
  }
  return found;
}

/** FS002 for each duplicate key, FS012 for each key read as other text, placed by position before a fatal problem. */
function withKeyProblems(
  syntax: readonly LocatedProblem[],
  { duplicates, retyped }: KeyProblems,
  lineCounter: LineCounter,
): LocatedProblem[] {
  const fatal = syntax.filter((p) => p.fatal);
  const found = duplicates.map(({ key, at, first }): LocatedProblem => {
    const { line, col } = lineCounter.linePos(at);
    return {
      code: 'FS002',
      message: `duplicate key '${key}': it is already written on line ${lineCounter.linePos(first).line} of this mapping`,
      line,
      column: col,
      hint: 'keep one of the two entries: the checks read the first, other YAML tools would keep the last',
      fatal: false,
    };
  });
  const keys = retyped.map(({ written, read, isNull, at }): LocatedProblem => {
    const { line, col } = lineCounter.linePos(at);
    return {
      code: 'FS012',
      message: `key ${written} is read as ${isNull ? 'null, the key ""' : `the number ${read}`}, not as the text ${written}`,
      line,
      column: col,
      hint: `quote it ("${written}") to keep the text as written${isNull ? '' : `, or write ${read}`}`,
      fatal: false,
    };
  });
  const placed = [...syntax.filter((p) => !p.fatal), ...found, ...keys].sort(
    (a, b) => a.line - b.line || a.column - b.column,
  );
  return [...placed, ...fatal];
}

/**
 * A tab in indentation makes YAML give up on the block around it. To keep checking the rest of the
 * file, parse a copy with leading tabs replaced by spaces (trying common widths); lines stay put.
 */
function recoverFromTabs(text: string): { document: Document.Parsed; lineCounter: LineCounter } | undefined {
  for (const width of [2, 4, 8, 1, 3, 6]) {
    const spaced = text.replace(/^[\t ]*\t[\t ]*/gm, (lead) => lead.replaceAll('\t', ' '.repeat(width)));
    const lineCounter = new LineCounter();
    const document = parseDocument(spaced, { ...OPTIONS, lineCounter });
    if (document.errors.length === 0) return { document, lineCounter };
  }
  return undefined;
}

/**
 * Parses YAML text without throwing: every problem becomes a located entry in `syntax`. A file the
 * parser could not read to its end has a `fatal` problem and only part of its data.
 */
export function parseYamlFile(path: string, text: string): YamlFile {
  const original = new LineCounter();
  const parsed = parseDocument(text, { ...OPTIONS, lineCounter: original });
  const tabs = parsed.errors.some((e) => e.code === 'TAB_AS_INDENT');
  const recovered = tabs ? recoverFromTabs(text) : undefined;
  const document = recovered?.document ?? parsed;
  const lineCounter = recovered?.lineCounter ?? original;
  const syntax = withKeyProblems(
    syntaxProblems(text, [...parsed.errors, ...parsed.warnings], original, recovered !== undefined),
    dropDuplicateKeys(document.contents),
    lineCounter,
  );
  let data: unknown = null;
  const badMerge = syntax.some((p) => p.fatal) ? undefined : badMergeKey(document, document.contents);
  if (badMerge !== undefined) {
    const { line, col } = lineCounter.linePos(badMerge);
    syntax.push(badMergeSource(line, col));
  } else
    try {
      data = document.toJS({ maxAliasCount: 100 });
    } catch (error) {
      syntax.push(unreadableYaml(error instanceof Error ? error.message : String(error)));
    }
  return { path, text, data, syntax, positions: () => ({ document, lineCounter }) };
}

/** Offset of the first merge key (<<) whose value is not a mapping or mappings, which toJS refuses. */
function badMergeKey(document: Document.Parsed, node: unknown, depth = 0): number | undefined {
  if (depth > 64) return undefined;
  const resolve = (n: unknown) => (isAlias(n) ? n.resolve(document) : n);
  if (isMap(node)) {
    for (const pair of node.items) {
      // With merge on, the parser reads the key << as a symbol.
      if (isScalar(pair.key) && typeof pair.key.value === 'symbol') {
        const value = resolve(pair.value);
        const sources = isSeq(value) ? value.items.map(resolve) : [value];
        if (!sources.every((source) => isMap(source))) return pair.key.range?.[0] ?? 0;
      }
      const inner = badMergeKey(document, pair.value, depth + 1);
      if (inner !== undefined) return inner;
    }
  } else if (isSeq(node)) {
    for (const item of node.items) {
      const inner = badMergeKey(document, item, depth + 1);
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}

/** Whether the parser gave up on the file: its data is partial, so checks that read it would mislead. */
export function failedToParse(file: YamlFile): boolean {
  return file.syntax.some((p) => p.fatal);
}

/** A file restored from a cache: the data and syntax problems are known; positions parse on demand. */
export function restoredYamlFile(
  path: string,
  text: string,
  data: unknown,
  syntax: readonly LocatedProblem[],
): YamlFile {
  let parsed: YamlFile | undefined;
  return {
    path,
    text,
    data,
    syntax,
    positions: () => {
      parsed ??= parseYamlFile(path, text);
      return parsed.positions();
    },
  };
}

/** The node a JSON pointer designates, as deep as the document goes (never throws). */
function walk(file: YamlFile, pointer: string): { node: Node | null; key: Node | null } {
  let node: unknown = file.positions().document.contents;
  let key: Node | null = null;
  for (const segment of pointerSegments(pointer)) {
    if (isMap(node)) {
      // A null key (`~:`) reads as the key "" in the data, so the pointer names it with an empty segment.
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value ?? '') === segment,
      );
      if (!pair) break;
      key = isScalar(pair.key) ? pair.key : null;
      node = pair.value ?? pair.key;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)];
      if (item === undefined) break;
      key = null;
      node = item;
    } else {
      break;
    }
  }
  return { node: (node as Node | null) ?? null, key };
}

/**
 * Where character `within` of a text value is in the file: the value's text from there to the end of
 * its line (at most 40 characters) found in the node's source, at the same occurrence. A value that
 * is not written as it reads there (escapes, folded lines) keeps the node's start.
 */
function sourceOffset(file: YamlFile, node: Node, within: number): number | undefined {
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return undefined;
  const value = node.value;
  if (within < 0 || within >= value.length) return undefined;
  const lineEnd = value.indexOf('\n', within);
  const needle = value.slice(within, Math.min(lineEnd < 0 ? value.length : lineEnd, within + 40));
  if (needle.trim() === '') return undefined;
  let nth = 0;
  for (let i = value.indexOf(needle); i >= 0 && i < within; i = value.indexOf(needle, i + 1)) nth += 1;
  const source = file.text.slice(node.range[0], node.range[1]);
  let found = source.indexOf(needle);
  for (let k = 0; k < nth && found >= 0; k += 1) found = source.indexOf(needle, found + 1);
  return found < 0 ? undefined : node.range[0] + found;
}

/**
 * 1-based line and column of the node at `pointer` (its key when `at` is 'key'; character `within`
 * of that key or text value when given and found); 1:1 as a last resort.
 */
export function locate(
  file: YamlFile,
  pointer: string,
  at: 'key' | 'value' = 'value',
  within?: number,
): { line: number; column: number } {
  const { node, key } = walk(file, pointer);
  const target = at === 'key' && key ? key : node;
  const offset =
    (within !== undefined && target ? sourceOffset(file, target, within) : undefined) ?? target?.range?.[0];
  if (offset === undefined) return { line: 1, column: 1 };
  const position = file.positions().lineCounter.linePos(offset);
  return { line: position.line, column: position.col };
}

/** Resolves pending diagnostics against their files' positions. */
export function resolvePending(
  pending: readonly PendingDiagnostic[],
  files: ReadonlyMap<string, YamlFile>,
): Diagnostic[] {
  return pending.map((p) => {
    const file = files.get(p.file);
    const { line, column } = file ? locate(file, p.pointer, p.at, p.within) : { line: 1, column: 1 };
    const { at: _at, within: _within, ...rest } = p;
    return { ...rest, line, column };
  });
}
