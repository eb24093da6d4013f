import type { SpecFileKind } from '../load/spec-dir.ts';
import { type Json, schemaTables } from './schema-table.ts';
import { stepsTable } from './steps-table.ts';

const KINDS: { kind: SpecFileKind; file: string; title: string }[] = [
  { kind: 'migration', file: 'spec/migration.yaml', title: 'migration.yaml' },
  { kind: 'object', file: 'spec/objects/<name>.yaml', title: 'Object mappings' },
  { kind: 'valuemap', file: 'spec/valuemaps/<name>.yaml', title: 'Value maps' },
  { kind: 'source-model', file: 'spec/source/practicehub.yaml', title: 'Source model' },
  { kind: 'target-metadata', file: 'spec/target/dataverse.yaml', title: 'Target metadata snapshot' },
];

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
      ...schemaTables(schema),
    );
  }
  out.push(
    '## Transform steps',
    '',
    'Steps of a `transform` chain, checked from the source type to the column type. A step is written as',
    'its name, or as `{ name: parameters }` when it takes parameters. A field read as text (its first',
    'step is a text step, or it has none and writes a text column) whose value is a list or an object,',
    'not the text the source model declares, is dropped with flag unreadable_value_dropped; the record',
    'still loads. So is a value read through an object field (`custom_properties.pain_score`) whose',
    'object field holds something else (a text, a list).',
    '',
    ...stepsTable(schemas.object),
    '',
  );
  return out.join('\n');
}
