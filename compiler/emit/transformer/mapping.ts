import { assertNever } from '../../assert.ts';
import { readsAsText } from '../../ir/steps.ts';
import type { Ir, IrCondition, IrField, IrMapping } from '../../ir/types.ts';
import { literal, pascal } from '../literals.ts';
import { applyStep, type Expr, finish, read, sourceExpr } from './expressions.ts';

/** Names the generated module uses for a mapping. */
export function mappingNames(m: IrMapping) {
  return {
    fn: `transform${pascal(m.name)}`,
    row: `${pascal(m.name)}Row`,
    record: `${pascal(m.source)}Record`,
  };
}

/** The expression a field's steps start from: the source, read through textOf when it is read as text. */
function fieldSource(f: IrField): Expr {
  const e = sourceExpr(f.source, f.column);
  return readsAsText(f) ? { code: `textOf(${e.code}, issues, ${literal(f.column)})`, kind: 'text' } : e;
}

function fieldValue(f: IrField, ir: Ir): string {
  let e = fieldSource(f);
  for (const step of f.steps) e = applyStep(e, step, f.column);
  if (e.kind === 'parts') return 'null'; // the split column is filled per part below
  return finish(e, f.type, f.column, ir.migration, f.conversion);
}

function condition(c: IrCondition): { test: string; reason: string } | undefined {
  switch (c.kind) {
    case 'in':
      return {
        test: `isOneOf(${read(c.path)}, ${literal(c.values)})`,
        reason: `${c.path.join('.')} is not one of ${c.values.join(', ')}`,
      };
    case 'not_in':
      return {
        test: `!isOneOf(${read(c.path)}, ${literal(c.values)})`,
        reason: `${c.path.join('.')} is one of ${c.values.join(', ')}`,
      };
    case 'present':
      return {
        test: `${c.present ? '' : '!'}isPresent(${read(c.path)})`,
        reason: `${c.path.join('.')} is ${c.present ? 'empty' : 'not empty'}`,
      };
    case 'not_matched_by':
      return undefined; // routing: checked by the runtime against the other mapping's matches
    default:
      return assertNever(c);
  }
}

function lookupValues(m: IrMapping): string[] {
  return m.lookups.map((l) => {
    const values = l.candidates.map((c) =>
      l.pick
        ? `pickId(${read(c.path)}, ${literal(l.pick.mode)}, ${literal(l.pick.element)}, ${literal(l.pick.orderBy)})`
        : `idText(${read(c.path)})`,
    );
    return `{ column: ${literal(l.column)}, values: [${values.join(', ')}] }`;
  });
}

function keyParts(m: IrMapping): { prefix: string; parts: string; column: string } {
  switch (m.key.kind) {
    case 'alternate':
      return { prefix: m.key.prefix, parts: m.key.sources.map(read).join(', '), column: m.key.column };
    case 'derived':
      return { prefix: m.key.prefix, parts: m.key.sources.map(read).join(', '), column: '(key)' };
    case 'match':
      return { prefix: '', parts: `lowercase(trim(${read(m.key.source)}))`, column: m.key.column };
    default:
      return assertNever(m.key);
  }
}

/** The statements of a mapping's transform function. */
export function mappingBody(m: IrMapping, ir: Ir): string {
  const names = mappingNames(m);
  const table = ir.tables.find((t) => t.name === m.target)!;
  const lines: string[] = [`const sourceId = idText(r[${literal('id')}]) ?? '';`];
  for (const c of m.where) {
    const test = condition(c);
    if (test)
      lines.push(
        `if (!(${test.test})) return { kind: 'skipped', sourceId, reason: ${literal(`where: ${test.reason}`)} };`,
      );
  }
  lines.push('const issues = newIssues();');
  const key = keyParts(m);
  const keyExpr = `keyValue(${literal(key.prefix)}, [${key.parts}], issues, ${literal(key.column)})`;
  const rowLines = (indent: string) => [
    `${indent}const row: ${names.row} = {`,
    ...m.fields.map((f) => `${indent}  ${literal(f.column)}: ${fieldValue(f, ir)},`),
    `${indent}};`,
  ];
  const owner = m.owner
    ? `{ kind: ${literal(m.owner.kind)}, value: ${m.owner.kind === 'staff' ? `idText(${read(m.owner.path)})` : `lowercase(trim(${read(m.owner.path)}))`} }`
    : 'undefined';
  const state = m.state
    ? `mapState(${read(m.state.path)}, STATE_MAPS[${literal(m.state.map)}], issues)`
    : 'undefined';
  const document = m.document
    ? `idText(${read(m.document.path)}) === null ? undefined : { fileId: idText(${read(m.document.path)})! }`
    : 'undefined';
  const rejected = `{ kind: 'rejected', sourceId, rejections: issues.rejections, flags: issues.flags }`;

  if (m.each) {
    const items =
      m.each.skipMostRecent && m.each.orderBy
        ? `exceptMostRecent(${read(m.each.path)}, ${literal(m.each.orderBy)})`
        : `objects(${read(m.each.path)})`;
    lines.push(
      `const items = ${items};`,
      `if (items.length === 0) return { kind: 'skipped', sourceId, reason: ${literal(`no elements in ${m.each.path.join('.')}${m.each.skipMostRecent ? ' besides the most recent one' : ''}`)}, empty: true };`,
      `const rows: Row<${names.row}>[] = [];`,
      'for (const item of items) {',
      `  const key = ${keyExpr};`,
      ...rowLines('  '),
      `  if (key !== null) rows.push({ key, payload: row, lookups: [${lookupValues(m).join(', ')}], owner: ${owner}, state: ${state}, document: undefined });`,
      '}',
      `if (issues.rejections.length > 0) return ${rejected};`,
      "return { kind: 'rows', sourceId, rows, flags: issues.flags };",
    );
    return lines.join('\n');
  }

  lines.push(`const key = ${keyExpr};`);
  if (m.key.kind === 'match') {
    lines.push(
      `if (key === null) return { kind: 'skipped', sourceId, reason: ${literal(`no ${m.key.source.join('.')} to match against ${m.target}.${m.key.column}`)} };`,
    );
  }
  lines.push(...rowLines(''));
  lines.push(`const lookups: PendingLookup[] = [${lookupValues(m).join(', ')}];`);
  lines.push(`const owner: PendingOwner | undefined = ${owner};`);
  lines.push(`const state = ${state};`);
  lines.push(`const document = ${document};`);
  if (m.split) {
    const f = m.fields.find((x) => x.column === m.split!.column)!;
    let e = fieldSource(f);
    for (const step of f.steps) e = applyStep(e, step, f.column);
    const splitStep = f.steps.find((s) => s.kind === 'split');
    const suffix = splitStep?.kind === 'split' ? splitStep.titleSuffix : '';
    const titleColumn = m.split.titleColumn;
    const titleMax = table.columns.find((c) => c.name === titleColumn)?.maxLength ?? 100;
    lines.push(
      `const parts = ${e.code};`,
      `if (key === null || issues.rejections.length > 0) return ${rejected};`,
      `const pieces: (string | null)[] = parts.length === 0 ? [null] : parts;`,
      `const rows = pieces.map((part, i): Row<${names.row}> => ({`,
      '  key: partKey(key, i + 1),',
      `  payload: { ...row, ${literal(m.split.column)}: part${titleColumn ? `, ${literal(titleColumn)}: partTitle(row[${literal(titleColumn)}], ${literal(suffix)}, i + 1, pieces.length, ${literal(titleMax)})` : ''} },`,
      '  lookups,',
      '  owner,',
      '  state,',
      '  document: i === 0 ? document : undefined,',
      '}));',
      "return { kind: 'rows', sourceId, rows, flags: issues.flags };",
    );
    return lines.join('\n');
  }
  lines.push(`if (key === null || issues.rejections.length > 0) return ${rejected};`);
  lines.push(
    "return { kind: 'rows', sourceId, rows: [{ key, payload: row, lookups, owner, state, document }], flags: issues.flags };",
  );
  return lines.join('\n');
}
