import type { SpecFileKind } from '../load/spec-dir.ts';
import { SIGNATURES } from '../transforms/signatures.ts';

type Json = Record<string, unknown>;

const KINDS: { kind: SpecFileKind; file: string; title: string }[] = [
  { kind: 'migration', file: 'spec/migration.yaml', title: 'migration.yaml' },
  { kind: 'object', file: 'spec/objects/<name>.yaml', title: 'Object mappings' },
  { kind: 'valuemap', file: 'spec/valuemaps/<name>.yaml', title: 'Value maps' },
  { kind: 'source-model', file: 'spec/source/practicehub.yaml', title: 'Source model' },
  { kind: 'target-metadata', file: 'spec/target/dataverse.yaml', title: 'Target metadata snapshot' },
];

function resolve(root: Json, node: Json): Json {
  let current = node;
  for (let i = 0; i < 8 && typeof current.$ref === 'string'; i++) {
    const path = (current.$ref as string).replace(/^#\//, '').split('/');
    let target: unknown = root;
    for (const segment of path) target = (target as Json)[segment];
    current = { ...(target as Json), ...(current.description ? { description: current.description } : {}) };
  }
  return current;
}

function typeOf(node: Json): string {
  if (node.const !== undefined) return `\`${JSON.stringify(node.const)}\``;
  if (Array.isArray(node.enum)) return node.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (node.if) return 'step';
  const type = Array.isArray(node.type) ? node.type.join(' \\| ') : String(node.type ?? 'any');
  return type === 'object' ? 'mapping' : type === 'array' ? 'list' : type;
}

function example(node: Json): string {
  const examples = node.examples as unknown[] | undefined;
  if (!examples || examples.length === 0) return '';
  return `\`${JSON.stringify(examples[0]).replaceAll('|', '\\|')}\``;
}

function cell(text: unknown): string {
  return String(text ?? '')
    .replaceAll('|', '\\|')
    .replaceAll('\n', ' ');
}

/** Rows for every key under `node`, depth first, with dotted paths. */
function rows(root: Json, node: Json, path: string, out: string[], seen: Set<Json>, depth = 0): void {
  const resolved = resolve(root, node);
  if (depth > 6 || seen.has(resolved)) return;
  const properties = resolved.properties as Json | undefined;
  const required = new Set((resolved.required as string[] | undefined) ?? []);
  if (properties) {
    const next = new Set(seen).add(resolved);
    for (const [key, raw] of Object.entries(properties)) {
      const child = resolve(root, raw as Json);
      const keyPath = path ? `${path}.${key}` : key;
      out.push(
        `| \`${keyPath}\`${required.has(key) ? ' (required)' : ''} | ${typeOf(child)} | ${cell(child.description)} | ${example(child)} |`,
      );
      const items = child.items ? resolve(root, child.items as Json) : undefined;
      if (child.properties) rows(root, child, keyPath, out, next, depth + 1);
      else if (items?.properties) rows(root, items, `${keyPath}[]`, out, next, depth + 1);
      else if (child.additionalProperties && typeof child.additionalProperties === 'object') {
        const values = resolve(root, child.additionalProperties as Json);
        if (values.properties) rows(root, values, `${keyPath}.<name>`, out, next, depth + 1);
      }
    }
  }
}

/** docs/spec.md: the reference of every key of every spec file, generated from the schemas' descriptions. */
export function specReference(schemas: Readonly<Record<SpecFileKind, Json>>): string {
  const out: string[] = [
    '# Spec reference',
    '',
    'Generated from `schemas/*.schema.json` by `npm run docs` (a test fails when this page is stale). Every',
    'spec file starts with `version: 1` and a `# yaml-language-server: $schema=...` line, so editors with the',
    'YAML extension complete and check keys as you type.',
    '',
  ];
  for (const { kind, file, title } of KINDS) {
    const schema = schemas[kind];
    out.push(
      `## ${title}`,
      '',
      `File: \`${file}\` · schema: \`schemas/${kind}.schema.json\``,
      '',
      String(schema.description ?? ''),
      '',
    );
    out.push('| key | type | meaning | example |', '| --- | --- | --- | --- |');
    rows(schema, schema, '', out, new Set());
    out.push('');
  }
  out.push(
    '## Transform steps',
    '',
    'Steps of a `transform` chain, checked from the source type to the column type.',
    '',
  );
  out.push('| step | signature | what it does |', '| --- | --- | --- |');
  for (const s of [...SIGNATURES.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    out.push(`| \`${s.name}\` | ${cell(s.signature)} | ${cell(s.summary)} |`);
  }
  out.push('');
  return out.join('\n');
}
