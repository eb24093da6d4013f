import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { isMap, isPair, isScalar, isSeq, type Node, parseDocument, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { memoizedParser, type ParseFile, type SpecInput } from '../../compiler/load/spec-dir.ts';
import { validateSpec } from '../../compiler/validate/index.ts';
import { createSchemaValidators, type SchemaValidators } from '../../compiler/validate/schemas.ts';
import { readTree } from '../support/cases.ts';
import { ROOT } from '../support/tmp.ts';

/** One mutation, chosen by fast-check; numbers are reduced modulo what they index. */
type Mutation =
  | { op: 'delete' | 'duplicate' | 'retype'; file: number; node: number; variant: number }
  | { op: 'move'; file: number; node: number; to: number }
  | { op: 'bytes'; file: number; at: number; bytes: string }
  | { op: 'lines'; file: number; line: number; kind: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    op: fc.constantFrom('delete' as const, 'duplicate' as const, 'retype' as const),
    file: fc.nat(),
    node: fc.nat(),
    variant: fc.nat(),
  }),
  fc.record({ op: fc.constant('move' as const), file: fc.nat(), node: fc.nat(), to: fc.nat() }),
  fc.record({
    op: fc.constant('bytes' as const),
    file: fc.nat(),
    at: fc.nat(),
    bytes: fc.string({ unit: 'binary', maxLength: 8 }),
  }),
  fc.record({ op: fc.constant('lines' as const), file: fc.nat(), line: fc.nat(), kind: fc.nat() }),
);

/** Every collection node of a document, depth first. */
function collections(node: unknown, out: (YAMLMap | YAMLSeq)[] = []): (YAMLMap | YAMLSeq)[] {
  if (isMap(node) || isSeq(node)) {
    out.push(node);
    for (const item of node.items) collections(isPair(item) ? item.value : item, out);
  }
  return out;
}

const RETYPES: (() => unknown)[] = [
  () => new Scalar(42),
  () => new Scalar('text'),
  () => new Scalar(true),
  () => new Scalar(null),
  () => new YAMLSeq(),
  () => new YAMLMap(),
  () => new Scalar('fs_'),
  () => new Scalar(-1.5),
];

function mutate(text: string, m: Mutation): string {
  if (m.op === 'bytes') {
    const at = text.length === 0 ? 0 : m.at % text.length;
    return text.slice(0, at) + m.bytes + text.slice(at);
  }
  if (m.op === 'lines') {
    const lines = text.split('\n');
    const i = lines.length === 0 ? 0 : m.line % lines.length;
    const kind = m.kind % 4;
    if (kind === 0) lines.splice(i, 1);
    else if (kind === 1) lines.splice(i, 0, lines[i] ?? '');
    else if (kind === 2) lines[i] = `\t${lines[i] ?? ''}`;
    else lines[i] = (lines[i] ?? '').replace(/^(\s*)/, '$1  ');
    return lines.join('\n');
  }
  const document = parseDocument(text);
  if (document.errors.length > 0) return `${text}\n${m.op}: ${m.node}`; // already broken: append a stray line
  const nodes = collections(document.contents);
  if (nodes.length === 0) return text;
  const target = nodes[m.node % nodes.length]!;
  if (target.items.length === 0) return text;
  const index = (m.op === 'move' ? m.to : m.variant) % target.items.length;
  const item = target.items[index];
  if (m.op === 'delete') target.items.splice(index, 1);
  else if (m.op === 'duplicate') target.items.splice(index, 0, item as never);
  else if (m.op === 'retype') {
    const replacement = RETYPES[m.variant % RETYPES.length]!() as Node;
    if (isPair(item)) item.value = replacement;
    else target.items[index] = replacement as never;
  } else {
    const [moved] = target.items.splice(index, 1);
    const destination = nodes[(m.op === 'move' ? m.to : 0) % nodes.length]!;
    if (isMap(destination) && isPair(moved)) destination.items.push(moved);
    else if (isSeq(destination) && moved !== undefined)
      destination.items.push((isPair(moved) ? moved.value : moved) as never);
    else if (isScalar(moved)) target.items.push(moved as never);
  }
  return document.toString();
}

let validators: SchemaValidators;
let parseFile: ParseFile;
let shipped: Map<string, string>;
beforeAll(() => {
  validators = createSchemaValidators();
  parseFile = memoizedParser();
  shipped = readTree(`${ROOT}spec`);
});

describe('validate on mutated specs (property)', () => {
  it('never throws, and every diagnostic has a file, a line and a column (1,000 runs)', async () => {
    const paths = () => [...shipped.keys()];
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
        await new Promise((resolve) => setImmediate(resolve)); // let the test runner's messages through
        const files = new Map(shipped);
        for (const m of mutations) {
          const path = paths()[m.file % shipped.size]!;
          files.set(path, mutate(files.get(path)!, m));
        }
        const input: SpecInput = { root: 'spec', files };
        const { diagnostics } = validateSpec(input, validators, { parseFile });
        for (const d of diagnostics) {
          expect(d.file.startsWith('spec/')).toBe(true);
          expect(Number.isInteger(d.line) && d.line >= 1).toBe(true);
          expect(Number.isInteger(d.column) && d.column >= 1).toBe(true);
          expect(d.message.length).toBeGreaterThan(0);
          expect(d.code).not.toBe('FS000');
        }
      }),
      { numRuns: 1000, seed: 20261125 },
    );
  }, 300_000);
});
