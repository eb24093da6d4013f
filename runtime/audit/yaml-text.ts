import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';

/**
 * Edits of spec files as text splices placed with the `yaml` Document API. The library re-flows every
 * node when it prints a document (multi-line flow maps, folded descriptions), so printing a whole
 * edited document would rewrite lines nobody changed; splicing at node offsets keeps every untouched
 * line byte for byte and still uses the parser for structure and positions.
 */

/** Replace `remove` characters at `at` with `insert`. */
export interface Splice {
  readonly at: number;
  readonly remove: number;
  readonly insert: string;
}

/**
 * Applies splices; they must not overlap. Insertions at the same offset keep their order in the list
 * (list the edits of an inner node before those of the node around it).
 */
export function applySplices(text: string, splices: readonly Splice[]): string {
  const sorted = splices
    .map((s, i) => ({ ...s, i }))
    .sort((a, b) => b.at - a.at || b.remove - a.remove || b.i - a.i);
  let out = text;
  let limit = Number.POSITIVE_INFINITY;
  for (const s of sorted) {
    if (s.at + s.remove > limit) throw new Error(`overlapping edits at offset ${s.at}`);
    out = out.slice(0, s.at) + s.insert + out.slice(s.at + s.remove);
    limit = s.at;
  }
  return out;
}

const RESERVED = /^(?:true|false|null|yes|no|on|off|y|n|~)$/i;
const PLAIN = /^[A-Za-z_][A-Za-z0-9_ .()/+-]*$/;

/** A scalar as YAML text that is safe in block and flow context: plain when it can be, else JSON-quoted. */
export function scalarText(value: string | number | boolean | null): string {
  if (value === null) return '~';
  if (typeof value !== 'string') return String(value);
  if (PLAIN.test(value) && !value.endsWith(' ') && !RESERVED.test(value)) return value;
  return JSON.stringify(value);
}

/** A value in one line of flow style, as the spec files write it: `{ a: b, c: [d, e] }`. */
export function flowText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flowText).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{ ${entries.map(([k, v]) => `${scalarText(k)}: ${flowText(v)}`).join(', ')} }`;
  }
  return scalarText(value as string | number | boolean | null);
}

/** A block sequence item (`- key: value` lines, nested values in flow style) indented by `indent`. */
export function blockItemText(item: Record<string, unknown>, indent: string): string {
  const entries = Object.entries(item).filter(([, v]) => v !== undefined);
  return entries
    .map(([k, v], i) => `${indent}${i === 0 ? '- ' : '  '}${scalarText(k)}: ${flowText(v)}`)
    .join('\n');
}

/** Offset of the start of the line holding `offset`. */
export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Offset of the end of the line holding `offset` (its newline, or the end of the text). */
export function lineEnd(text: string, offset: number): number {
  const end = text.indexOf('\n', offset);
  return end < 0 ? text.length : end;
}

/**
 * The end of the line where a node's content ends. A block node's range runs past its last line break
 * (to where the next node starts), so step back over trailing whitespace first.
 */
export function contentLineEnd(text: string, end: number): number {
  let at = end;
  while (at > 0 && /\s/.test(text[at - 1]!)) at -= 1;
  return lineEnd(text, at);
}

/** The spaces before `offset` on its line, as an indentation string. */
export function indentOf(text: string, offset: number): string {
  return ' '.repeat(offset - lineStart(text, offset));
}

function range(node: Node | null | undefined): [number, number] {
  const r = node?.range;
  if (!r) throw new Error('the YAML node has no position');
  return [r[0], r[1]];
}

/** The pair of `map` whose key is `key`. */
export function pairOf(map: YAMLMap, key: string): Pair<Node, Node | null> | undefined {
  return (map.items as Pair<Node, Node | null>[]).find((p) => isScalar(p.key) && p.key.value === key);
}

/** Replaces the value of an existing pair. */
export function replaceValue(pair: Pair<Node, Node | null>, valueText: string): Splice {
  const [start, end] = range(pair.value);
  return { at: start, remove: end - start, insert: valueText };
}

/**
 * Adds `key: value` at the end of a map. In a flow map the entry follows the last value (on its own
 * line when the map spans lines); in a block map it is a new line indented like the first key.
 */
export function appendEntry(text: string, map: YAMLMap, key: string, valueText: string): Splice {
  const pairs = map.items as Pair<Node, Node | null>[];
  const last = pairs.at(-1);
  if (map.flow) {
    if (!last) {
      const [start] = range(map);
      return { at: start + 1, remove: 0, insert: ` ${scalarText(key)}: ${valueText} ` };
    }
    const end = range(last.value ?? last.key)[1];
    const [mapStart, mapEnd] = range(map);
    const multiline = text.slice(mapStart, mapEnd).includes('\n');
    const sep = multiline ? `,\n${indentOf(text, range(pairs[0]!.key)[0])}` : ', ';
    return { at: end, remove: 0, insert: `${sep}${scalarText(key)}: ${valueText}` };
  }
  if (!last) throw new Error('cannot add to an empty block map');
  const indent = indentOf(text, range(pairs[0]!.key)[0]);
  const at = contentLineEnd(text, range(last.value ?? last.key)[1]);
  return { at, remove: 0, insert: `\n${indent}${scalarText(key)}: ${valueText}` };
}

/** Adds a block entry whose value is `block` (lines already indented) at the end of a block map. */
export function appendBlock(text: string, map: YAMLMap, key: string, block: string): Splice {
  const pairs = map.items as Pair<Node, Node | null>[];
  const first = pairs[0];
  const last = pairs.at(-1);
  if (!first || !last || map.flow) throw new Error('appendBlock needs a non-empty block map');
  const indent = indentOf(text, range(first.key)[0]);
  const at = contentLineEnd(text, range(last.value ?? last.key)[1]);
  return { at, remove: 0, insert: `\n${indent}${scalarText(key)}:\n${block}` };
}

/** The indentation the keys of a block map use. */
export function keyIndent(text: string, map: YAMLMap): string {
  const first = (map.items as Pair<Node, Node | null>[])[0];
  return first ? indentOf(text, range(first.key)[0]) : '';
}

/** Inserts whole lines (each already indented) before the line that holds `pair`'s key. */
export function linesBefore(text: string, pair: Pair<Node, Node | null>, lines: readonly string[]): Splice {
  return { at: lineStart(text, range(pair.key)[0]), remove: 0, insert: `${lines.join('\n')}\n` };
}

/** The comment line right above `pair`'s key (without `#`), if there is one. */
export function commentAbove(
  text: string,
  pair: Pair<Node, Node | null>,
): { text: string; at: number } | undefined {
  const start = lineStart(text, range(pair.key)[0]);
  if (start === 0) return undefined;
  const prev = lineStart(text, start - 1);
  const line = text.slice(prev, start - 1);
  const m = /^\s*#\s?(.*)$/.exec(line);
  return m ? { text: m[1]!, at: prev } : undefined;
}

/** Appends a block sequence item (rendered by blockItemText) after the last item of `seq`. */
export function appendItem(text: string, seq: YAMLSeq, item: Record<string, unknown>): Splice {
  const items = seq.items as Node[];
  const last = items.at(-1);
  if (!last || seq.flow) throw new Error('appendItem needs a non-empty block sequence');
  const [firstStart] = range(items[0]);
  // The dash sits two columns before the item's content.
  const indent = ' '.repeat(Math.max(0, firstStart - lineStart(text, firstStart) - 2));
  const at = contentLineEnd(text, range(last)[1]);
  return { at, remove: 0, insert: `\n${blockItemText(item, indent)}` };
}

/**
 * Adds items (flow text) at the end of a flow sequence, each on a line of its own indented like the
 * first item (or two spaces past the sequence's line when it has none), after its comment line if it
 * has one: a comment runs to the end of its line, so it cannot follow an item that `]` follows.
 */
export function appendFlowItems(
  text: string,
  seq: YAMLSeq,
  items: readonly { readonly text: string; readonly comment?: string }[],
): Splice {
  if (!seq.flow) throw new Error('appendFlowItems needs a flow sequence');
  const existing = seq.items as Node[];
  const last = existing.at(-1);
  const [start] = range(seq);
  const indent = existing[0]
    ? indentOf(text, range(existing[0])[0])
    : `${/^ */.exec(text.slice(lineStart(text, start)))![0]}  `;
  const insert = items
    .map(
      (item, i) =>
        `${last || i > 0 ? ',' : ''}\n${item.comment ? `${indent}# ${item.comment}\n` : ''}${indent}${item.text}`,
    )
    .join('');
  return { at: last ? range(last)[1] : start + 1, remove: 0, insert };
}

/** The map at `path` under the document contents, if every step is a map. */
export function mapAt(root: unknown, path: readonly string[]): YAMLMap | undefined {
  let node = root;
  for (const key of path) {
    if (!isMap(node)) return undefined;
    node = pairOf(node, key)?.value;
  }
  return isMap(node) ? node : undefined;
}

/** The sequence at `path` under the document contents. */
export function seqAt(root: unknown, path: readonly string[]): YAMLSeq | undefined {
  const parent = mapAt(root, path.slice(0, -1));
  const value = parent ? pairOf(parent, path.at(-1)!)?.value : undefined;
  return isSeq(value) ? value : undefined;
}

/** Removes the entry `key` from a map (with its separator in a flow map, its lines in a block map). */
export function removeEntry(text: string, map: YAMLMap, key: string): Splice | undefined {
  const pairs = map.items as Pair<Node, Node | null>[];
  const i = pairs.findIndex((p) => isScalar(p.key) && p.key.value === key);
  if (i < 0) return undefined;
  const pair = pairs[i]!;
  const end = range(pair.value ?? pair.key)[1];
  if (!map.flow) {
    const start = lineStart(text, range(pair.key)[0]);
    const stop = Math.min(text.length, contentLineEnd(text, end) + 1);
    return { at: start, remove: stop - start, insert: '' };
  }
  if (i > 0) {
    const before = pairs[i - 1]!;
    const start = range(before.value ?? before.key)[1];
    return { at: start, remove: end - start, insert: '' };
  }
  const next = pairs[1];
  const start = range(pair.key)[0];
  const stop = next ? range(next.key)[0] : end;
  return { at: start, remove: stop - start, insert: '' };
}

/**
 * The splices that give `map` the entries in `changes`: a value replaces the existing one or is added
 * (all additions in one splice, in order), undefined removes the entry.
 */
export function mapEdits(
  text: string,
  map: YAMLMap,
  changes: readonly { readonly key: string; readonly value: string | undefined }[],
): Splice[] {
  const out: Splice[] = [];
  const added: { key: string; value: string }[] = [];
  for (const { key, value } of changes) {
    const pair = pairOf(map, key);
    if (value === undefined) {
      const removal = pair ? removeEntry(text, map, key) : undefined;
      if (removal) out.push(removal);
    } else if (pair) out.push(replaceValue(pair, value));
    else added.push({ key, value });
  }
  if (added.length > 0) {
    const [first, ...rest] = added;
    const head = appendEntry(text, map, first!.key, first!.value);
    const sep =
      map.flow && map.items.length > 0
        ? head.insert.slice(0, head.insert.indexOf(scalarText(first!.key)))
        : ', ';
    const tail = rest
      .map((a) =>
        map.flow ? `${sep}${scalarText(a.key)}: ${a.value}` : appendEntry(text, map, a.key, a.value).insert,
      )
      .join('');
    out.push({ ...head, insert: head.insert + tail });
  }
  return out;
}

/** Text on one line: control characters and line separators become a space (comments, table cells). */
export function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');
}
