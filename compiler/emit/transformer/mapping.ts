import type { TextChainStep } from '../../../runtime/transforms/text-chain.ts';
import { assertNever } from '../../assert.ts';
import { readsAsText } from '../../ir/steps.ts';
import type { Ir, IrCondition, IrField, IrMapping, IrStepKind } from '../../ir/types.ts';
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

const CHAIN_STEPS: ReadonlySet<IrStepKind> = new Set<TextChainStep>([
  'strip_control',
  'trim',
  'collapse_whitespace',
  'lowercase',
  'uppercase',
]);

/**
 * A field's leading text steps, and the truncate right after them, run as one `cleanText` call, or with
 * the email step that follows them as one `cleanEmail` call.
 */
export interface FieldTextChain {
  /** The key of its entry in the generated TEXT_CHAINS. */
  readonly key: string;
  readonly steps: readonly TextChainStep[];
  readonly truncate: { readonly length: number; readonly flag: boolean } | undefined;
  /** How many of the field's steps the chain stands for. */
  readonly length: number;
}

/**
 * The text chain a field read as text starts with (runtime/transforms/text-chain.ts), or undefined
 * when its first step is none of the chain's steps. The steps after it apply to the chain's result (an
 * email step right after it joins the chain's call, see leadingExpr).
 */
export function fieldTextChain(m: IrMapping, f: IrField): FieldTextChain | undefined {
  if (!readsAsText(f)) return undefined;
  const steps: TextChainStep[] = [];
  for (const step of f.steps) {
    if (!CHAIN_STEPS.has(step.kind)) break;
    steps.push(step.kind as TextChainStep);
  }
  if (steps.length === 0) return undefined;
  const next = f.steps[steps.length];
  const truncate = next?.kind === 'truncate' ? { length: next.length, flag: next.flag } : undefined;
  return { key: `${m.name}.${f.column}`, steps, truncate, length: steps.length + (truncate ? 1 : 0) };
}

/**
 * The expression of a field's value after its steps: its leading expression (see leadingExpr), then
 * each remaining step.
 */
function stepsExpr(m: IrMapping, f: IrField): Expr {
  const leading = leadingExpr(m, f);
  let e = leading.expr;
  for (const step of f.steps.slice(leading.steps)) e = applyStep(e, step, f.column);
  return e;
}

/**
 * A field's value before its remaining steps, and how many of its steps that stands for: the source,
 * read through textOf when it is read as text; its leading text steps as one `cleanText` call when it
 * has them; those and the email step right after them as one `cleanEmail` call (text-chain.ts).
 */
function leadingExpr(m: IrMapping, f: IrField): { readonly expr: Expr; readonly steps: number } {
  const source = sourceExpr(f.source, f.column);
  const column = literal(f.column);
  const chain = fieldTextChain(m, f);
  if (!chain) {
    const expr: Expr = readsAsText(f)
      ? { code: `textOf(${source.code}, issues, ${column})`, kind: 'text' }
      : source;
    return { expr, steps: 0 };
  }
  const table = `TEXT_CHAINS[${literal(chain.key)}]`;
  const next = f.steps[chain.length];
  if (next?.kind === 'email') {
    const email = `${literal(next.policy)}, ${literal(next.maxLength)}`;
    const code = `cleanEmail(${source.code}, ${table}, ${email}, issues, ${column})`;
    return { expr: { code, kind: 'text' }, steps: chain.length + 1 };
  }
  const code = `cleanText(${source.code}, ${table}, issues, ${column})`;
  return { expr: { code, kind: 'text' }, steps: chain.length };
}

function fieldValue(m: IrMapping, f: IrField, ir: Ir): string {
  const e = stepsExpr(m, f);
  if (e.kind === 'parts') return 'null'; // the split column is filled per part below
  return finish(e, f.type, f.column, ir.migration, f.conversion, f.wallClock);
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
    const column = literal(l.column);
    const values = l.candidates.map((c) =>
      l.pick
        ? `pickId(${read(c.path)}, ${literal(l.pick.mode)}, ${literal(l.pick.element)}, ${literal(l.pick.orderBy)}, issues, ${column})`
        : `lookupId(${read(c.path)}, issues, ${column})`,
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
    ...m.fields.map((f) => `${indent}  ${literal(f.column)}: ${fieldValue(m, f, ir)},`),
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
  const split = m.split && m.fields.find((x) => x.column === m.split!.column)!;
  // The split column's parts come right after the row, so its flags precede the state's, in field order.
  if (split) lines.push(`const parts = ${stepsExpr(m, split).code};`);
  lines.push(`const lookups: PendingLookup[] = [${lookupValues(m).join(', ')}];`);
  lines.push(`const owner: PendingOwner | undefined = ${owner};`);
  lines.push(`const state = ${state};`);
  lines.push(`const document = ${document};`);
  if (m.split && split) {
    const splitStep = split.steps.find((s) => s.kind === 'split');
    const suffix = splitStep?.kind === 'split' ? splitStep.titleSuffix : '';
    const titleColumn = m.split.titleColumn;
    const titleMax = table.columns.find((c) => c.name === titleColumn)?.maxLength ?? 100;
    lines.push(
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
