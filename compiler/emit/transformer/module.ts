import {
  type FunctionDeclarationStructure,
  type ImportDeclarationStructure,
  Project,
  type SourceFile,
  type StatementStructures,
  StructureKind,
  type TypeAliasDeclarationStructure,
  ts,
  VariableDeclarationKind,
  type VariableStatementStructure,
} from 'ts-morph';
import type { Ir, IrMapping, IrResource, IrValueMap } from '../../ir/types.ts';
import { blockLiteral, commentText, literal, pascal } from '../literals.ts';
import { type FieldTextChain, fieldTextChain, mappingBody, mappingNames } from './mapping.ts';
import { columnTs, fieldTs } from './types.ts';

/** Where the generated module lives, relative to the installation root (imports are relative to it). */
export const TRANSFORMER_PATH = 'generated/transformer.ts';

const TRANSFORM_FUNCTIONS = [
  'asList',
  'cleanEmail',
  'cleanText',
  'coalesce',
  'collapseWhitespace',
  'dateOnly',
  'dateTime',
  'email',
  'join',
  'lowercase',
  'mapValue',
  'multiMap',
  'nullIfEmpty',
  'phone',
  'split',
  'stripControl',
  'templateValue',
  'textChain',
  'textOf',
  'titlecase',
  'toBigInteger',
  'toBoolean',
  'toDecimal',
  'toInteger',
  'toText',
  'trim',
  'truncate',
  'uppercase',
  'wallDateTime',
  'withDefault',
];
const MAPPING_FUNCTIONS = [
  'asObject',
  'at',
  'exceptMostRecent',
  'field',
  'idText',
  'isOneOf',
  'isPresent',
  'keyValue',
  'lookupId',
  'mapState',
  'objectIn',
  'objects',
  'optionNumber',
  'partKey',
  'partTitle',
  'pickId',
];

/** The names a file's code calls and the types it names: never words of its strings or comments. */
interface References {
  readonly calls: ReadonlySet<string>;
  readonly types: ReadonlySet<string>;
}

/**
 * What the code of `file` refers to, read from its syntax tree: spec text enters it as string literals
 * and comment text, and a description that reads "see at(…)" or "one Row per visit" must not import
 * `at` or `Row`, which the type check (noUnusedLocals) would then refuse as unused.
 */
function references(file: SourceFile): References {
  const calls = new Set<string>();
  const types = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) calls.add(node.expression.text);
    if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) types.add(node.typeName.text);
    ts.forEachChild(node, visit);
  };
  visit(file.compilerNode);
  return { calls, types };
}

const used = (names: readonly string[], found: ReadonlySet<string>): string[] =>
  names.filter((n) => found.has(n));

function recordType(resource: IrResource): TypeAliasDeclarationStructure {
  return {
    kind: StructureKind.TypeAlias,
    name: `${pascal(resource.name)}Record`,
    isExported: true,
    docs: [`A PracticeHub ${commentText(resource.name)} record (source model).`],
    type: `{\n${resource.fields.map((f) => `  ${fieldTs(f)};`).join('\n')}\n}`,
  };
}

/** A row payload type (a type alias, so rows are assignable to plain records). */
function rowType(m: IrMapping): TypeAliasDeclarationStructure {
  return {
    kind: StructureKind.TypeAlias,
    name: mappingNames(m).row,
    isExported: true,
    docs: [`Columns of ${commentText(m.target)} written by mapping ${commentText(m.name)}.`],
    type: `{\n${m.fields.map((f) => `  ${literal(f.column)}: ${columnTs(f.type)};`).join('\n')}\n}`,
  };
}

/** An exported constant; `satisfies` keeps the literal's exact type (indexing known keys needs no check). */
function constant(name: string, value: string, docs: string, satisfies: string): VariableStatementStructure {
  return {
    kind: StructureKind.VariableStatement,
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: [docs],
    declarations: [{ name, initializer: `${value} satisfies ${satisfies}` }],
  };
}

/** One value map, a property per line and (when they do not fit on one) an entry per line. */
function valueMapLiteral(map: IrValueMap): string {
  const indent = '    ';
  const entries = blockLiteral(
    map.entries.map((e) => [e.source, e.target]),
    indent,
  );
  const properties = [
    `name: ${literal(map.name)}`,
    `entries: new Map(${entries})`,
    ...(map.default === undefined ? [] : [`defaultValue: ${literal(map.default)}`]),
    `unmapped: ${literal(map.unmapped)}`,
    `caseSensitive: ${literal(map.caseSensitive)}`,
  ];
  return `{\n${properties.map((p) => `${indent}${p},`).join('\n')}\n  }`;
}

/** A text chain as the call that compiles it: its steps, and its truncate when it has one. */
function textChainCall(chain: FieldTextChain): string {
  const truncate = chain.truncate ? `, ${literal(chain.truncate)}` : '';
  return `textChain(${literal(chain.steps)}${truncate})`;
}

/** A mapping's files as the generated code names them: inside the spec directory. */
function specFiles(m: IrMapping, specDir: string): string[] {
  return m.files.map((f) => `${specDir}/${f}`);
}

function mappingFunction(m: IrMapping, ir: Ir, specDir: string): FunctionDeclarationStructure {
  const names = mappingNames(m);
  return {
    kind: StructureKind.Function,
    name: names.fn,
    isExported: true,
    docs: [
      `Mapping ${commentText(m.name)} (${specFiles(m, specDir).map(commentText).join(', ')}): ${commentText(m.source)} → ${commentText(m.target)}.${m.description ? `\n${commentText(m.description)}` : ''}`,
    ],
    parameters: [{ name: 'r', type: names.record }],
    returnType: `Outcome<${names.row}>`,
    statements: mappingBody(m, ir),
  };
}

function registry(m: IrMapping, specDir: string): string {
  const key =
    m.key.kind === 'match'
      ? { kind: 'match', column: m.key.column, activeOnly: m.key.activeOnly }
      : m.key.kind === 'alternate'
        ? { kind: 'alternate', column: m.key.column, prefix: m.key.prefix }
        : { kind: 'derived', prefix: m.key.prefix };
  const meta = {
    name: m.name,
    files: specFiles(m, specDir),
    description: m.description,
    source: m.source,
    target: m.target,
    mode: m.mode,
    key,
    updates: m.updates,
    notMatchedBy: m.where.flatMap((c) => (c.kind === 'not_matched_by' ? [c.mapping] : [])),
    lookups: m.lookups.map((l) => ({
      column: l.column,
      required: l.required,
      deferred: l.deferred,
      candidates: l.candidates.map((c) => ({
        mapping: c.mapping,
        table: c.table,
        entitySet: c.entitySet,
        nav: c.nav,
      })),
    })),
    roles: m.roles,
    owner: m.owner ? { kind: m.owner.kind, nav: m.owner.nav } : undefined,
    hasState: m.state !== undefined,
    document: m.document ? { maxBytes: m.document.maxBytes } : undefined,
    group: m.group,
    archive: m.archive
      ? {
          name: m.archive.name.map((p) => (p.kind === 'text' ? { text: p.text } : { path: p.path })),
          columns: m.archive.columns,
          urlColumn: m.archive.urlColumn,
        }
      : undefined,
    fanOut: m.each !== undefined,
    split: m.split,
    dependsOn: m.dependsOn,
    columns: m.fields.map((f) => f.column),
  };
  const fields = Object.entries(meta)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `    ${k}: ${blockLiteral(v, '    ', `    ${k}: `)},`);
  return `  ${literal(m.name)}: {\n${fields.join('\n')}\n    transform: ${mappingNames(m).fn},\n  }`;
}

/** The import declarations, naming only what the code uses (the generated file is checked with noUnusedLocals). */
function imports({ calls, types }: References): ImportDeclarationStructure[] {
  const typeUsed = (names: readonly string[]) => used(names, types);
  const declarations: ImportDeclarationStructure[] = [
    {
      kind: StructureKind.ImportDeclaration,
      moduleSpecifier: '../runtime/mapping/index.ts',
      namedImports: used(MAPPING_FUNCTIONS, calls),
    },
    {
      kind: StructureKind.ImportDeclaration,
      isTypeOnly: true,
      moduleSpecifier: '../runtime/mapping/index.ts',
      namedImports: typeUsed([
        'GeneratedModule',
        'Outcome',
        'PendingLookup',
        'PendingOwner',
        'Row',
        'StateMap',
      ]),
    },
    {
      kind: StructureKind.ImportDeclaration,
      moduleSpecifier: '../runtime/transforms/index.ts',
      namedImports: used(TRANSFORM_FUNCTIONS, calls),
    },
    {
      kind: StructureKind.ImportDeclaration,
      isTypeOnly: true,
      moduleSpecifier: '../runtime/transforms/index.ts',
      namedImports: typeUsed(['TextChain', 'ValueMap']),
    },
    {
      kind: StructureKind.ImportDeclaration,
      moduleSpecifier: '../runtime/transforms/types.ts',
      namedImports: used(['newIssues'], calls),
    },
  ];
  return declarations.filter((d) => Array.isArray(d.namedImports) && d.namedImports.length > 0);
}

/** An exported table of named entries (each `[name, code]`, a line each); nothing when it has none. */
function table(
  name: string,
  entries: readonly (readonly [string, string])[],
  docs: string,
  satisfies: string,
): VariableStatementStructure[] {
  if (entries.length === 0) return [];
  const lines = entries.map(([key, code]) => `  ${literal(key)}: ${code},`);
  return [constant(name, `{\n${lines.join('\n')}\n}`, docs, satisfies)];
}

/** The statements of generated/transformer.ts after the imports, in a fixed order. */
function statements(ir: Ir, specDir: string): StatementStructures[] {
  const choiceMaps = ir.valueMaps.filter((v) => v.kind === 'choice');
  const stateMaps = ir.valueMaps.filter((v) => v.kind === 'state');
  const mappedResources = ir.resources.filter((r) => ir.mappings.some((m) => m.source === r.name));
  const chains = ir.mappings.flatMap((m) => m.fields.flatMap((f) => fieldTextChain(m, f) ?? []));
  return [
    ...mappedResources.map(recordType),
    ...ir.mappings.map(rowType),
    ...table(
      'VALUE_MAPS',
      choiceMaps.map((v) => [v.name, valueMapLiteral(v)]),
      'Value maps, resolved to option values per target column.',
      'Readonly<Record<string, ValueMap>>',
    ),
    ...table(
      'STATE_MAPS',
      stateMaps.map((v) => [v.name, valueMapLiteral(v)]),
      'State maps: source status → statecode and statuscode.',
      'Readonly<Record<string, StateMap>>',
    ),
    ...table(
      'TEXT_CHAINS',
      chains.map((c) => [c.key, textChainCall(c)]),
      "Each field's leading text steps in spec order, run as one call (runtime/transforms/text-chain.ts).",
      'Readonly<Record<string, TextChain>>',
    ),
    ...ir.mappings.map((m) => mappingFunction(m, ir, specDir)),
    constant(
      'MIGRATION',
      blockLiteral(ir.migration),
      `Migration settings from ${specDir}/migration.yaml.`,
      "GeneratedModule['MIGRATION']",
    ),
    constant(
      'LOAD_ORDER',
      blockLiteral(ir.mappings.map((m) => m.name)),
      'Mappings in load order: referenced rows load before the rows that point to them.',
      'readonly string[]',
    ),
    constant(
      'TABLES',
      blockLiteral(
        Object.fromEntries(
          ir.tables.map((t) => [
            t.name,
            { ...t, columns: Object.fromEntries(t.columns.map(({ name, ...c }) => [name, c])) },
          ]),
        ),
      ),
      'Dataverse tables written: entity sets, keys, columns and lookup navigation properties.',
      "GeneratedModule['TABLES']",
    ),
    constant(
      'RESOURCES',
      blockLiteral(
        Object.fromEntries(
          ir.resources.map((r) => [r.name, { name: r.name, used: r.used, phi: r.phi, mappings: r.mappings }]),
        ),
      ),
      'PracticeHub resources read.',
      "GeneratedModule['RESOURCES']",
    ),
    constant(
      'MAPPINGS',
      `{\n${ir.mappings.map((m) => registry(m, specDir)).join(',\n')},\n}`,
      'Every mapping: what the runtime needs, and its transform function.',
      "GeneratedModule['MAPPINGS']",
    ),
  ];
}

/**
 * The text of generated/transformer.ts, built with ts-morph from the IR; `specDir` is the spec directory
 * as the header and each mapping's files name it (relative to the directory holding generated/).
 */
export function emitTransformer(ir: Ir, specDir: string): string {
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { strict: true } });
  const file = project.createSourceFile(TRANSFORMER_PATH, { statements: statements(ir, specDir) });
  file.insertImportDeclarations(0, imports(references(file)));
  file.insertStatements(0, [
    `// Generated by flitstack from ${commentText(`${specDir}/`)}; do not edit.`,
    '// Regenerate with `npx flitstack compile`; `npx flitstack compile --check` fails when this file is stale.',
  ]);
  return file.getFullText();
}
