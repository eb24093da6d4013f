import { Errors } from '../errors.ts';
import type { CompareOp, FilterExpr, Operand } from './filter.ts';
import { type Literal, literalEdmType } from './literal.ts';

/** How a member's values compare. Strings compare case-insensitively, like Dataverse's SQL collation. */
export type ValueKind = 'string' | 'number' | 'boolean' | 'datetime' | 'date' | 'guid';

/** A resolved property path: its kind, its Edm type name and a getter. */
export interface Member<R> {
  readonly kind: ValueKind;
  readonly edm: string;
  get(row: R): unknown;
}

/**
 * Resolves a property path or throws Dataverse's "Could not find a property" error. With `attribute`,
 * the path is a query function's PropertyName: a column's logical name, lookups included
 * (`parentcustomerid`, not `_parentcustomerid_value`), as the condition it becomes names the attribute.
 */
export type MemberResolver<R> = (path: readonly string[], attribute?: boolean) => Member<R>;

type Tri = boolean | null;
type Scalar = string | number | boolean | null;

const OP_NAMES: Record<CompareOp, string> = {
  eq: 'Equal',
  ne: 'NotEqual',
  gt: 'GreaterThan',
  ge: 'GreaterThanOrEqual',
  lt: 'LessThan',
  le: 'LessThanOrEqual',
};
const FLIP: Record<CompareOp, CompareOp> = { eq: 'eq', ne: 'ne', gt: 'lt', ge: 'le', lt: 'gt', le: 'ge' };

/** Normalizes a stored or literal value so `<`/`===` give Dataverse's ordering. */
export function normalize(kind: ValueKind, v: unknown): Scalar {
  if (v === null || v === undefined) return null;
  if (kind === 'string' || kind === 'guid') return String(v).toLowerCase();
  return v as Scalar;
}

function incompatible(left: string, right: string, op: CompareOp): never {
  throw Errors.querySyntax(
    `A binary operator with incompatible types was detected. Found operand types '${left}' and '${right}' for operator kind '${OP_NAMES[op]}'.`,
  );
}

/** Converts a literal to the member's kind or throws OData's incompatible-types error. */
function coerce(kind: ValueKind, edm: string, lit: Literal, op: CompareOp): Scalar {
  if (lit.type === 'null') return null;
  const ok =
    (kind === 'string' && lit.type === 'string') ||
    (kind === 'number' && lit.type === 'number') ||
    (kind === 'boolean' && lit.type === 'boolean') ||
    (kind === 'guid' && lit.type === 'guid') ||
    (kind === 'date' && lit.type === 'date') ||
    (kind === 'datetime' && (lit.type === 'datetime' || lit.type === 'date'));
  if (!ok) incompatible(edm, literalEdmType(lit), op);
  if (lit.type === 'date' && kind === 'datetime') return Date.parse(`${lit.value}T00:00:00Z`);
  return normalize(kind, lit.value);
}

function compareScalars(op: CompareOp, a: Scalar, b: Scalar): Tri {
  if (op === 'eq' && b === null) return a === null;
  if (op === 'ne' && b === null) return a !== null;
  // SQL semantics: any comparison with NULL is unknown, so the row is not returned.
  if (a === null || b === null) return null;
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
  }
}

/** Compiles a filter into a predicate; type errors surface at compile time, before any row is read. */
export function compileFilter<R>(expr: FilterExpr, resolve: MemberResolver<R>): (row: R) => boolean {
  const fn = compile(expr, resolve);
  return (row) => fn(row) === true;
}

function compile<R>(expr: FilterExpr, resolve: MemberResolver<R>): (row: R) => Tri {
  switch (expr.kind) {
    case 'and': {
      const l = compile(expr.left, resolve);
      const r = compile(expr.right, resolve);
      return (row) => {
        const a = l(row);
        if (a === false) return false;
        const b = r(row);
        if (b === false) return false;
        return a === null || b === null ? null : true;
      };
    }
    case 'or': {
      const l = compile(expr.left, resolve);
      const r = compile(expr.right, resolve);
      return (row) => {
        const a = l(row);
        if (a === true) return true;
        const b = r(row);
        if (b === true) return true;
        return a === null || b === null ? null : false;
      };
    }
    case 'not': {
      const inner = compile(expr.expr, resolve);
      return (row) => {
        const v = inner(row);
        return v === null ? null : !v;
      };
    }
    case 'compare':
      return compileCompare(expr.op, expr.left, expr.right, resolve);
    case 'call':
      return compileCall(expr.name, expr.args, resolve);
    case 'valueset':
      return compileValueSet(expr.fn, expr.path, expr.values, resolve);
  }
}

/**
 * In / NotIn compare the property with a list of values written as strings; ContainValues and
 * DoesNotContainValues test the options of a multi-select choice column ("1,2").
 */
function compileValueSet<R>(
  fn: string,
  path: readonly string[],
  values: readonly string[],
  resolve: MemberResolver<R>,
) {
  const m = resolve(path, true);
  if (fn === 'ContainValues' || fn === 'DoesNotContainValues') {
    const wanted = new Set(values);
    return (row: R): Tri => {
      const v = m.get(row);
      if (v === null || v === undefined) return fn === 'DoesNotContainValues';
      const hit = String(v)
        .split(',')
        .some((x) => wanted.has(x));
      return fn === 'ContainValues' ? hit : !hit;
    };
  }
  const set = new Set(
    values.map((v) => {
      if (m.kind === 'number') {
        const n = Number(v);
        if (Number.isNaN(n)) incompatible(m.edm, 'Edm.String', 'eq');
        return n;
      }
      if (m.kind === 'boolean') return v === 'true';
      if (m.kind === 'datetime') return Date.parse(v);
      return normalize(m.kind, v);
    }),
  );
  return (row: R): Tri => {
    const v = normalize(m.kind, m.get(row));
    if (v === null) return null;
    return fn === 'In' ? set.has(v) : !set.has(v);
  };
}

function compileCompare<R>(op: CompareOp, left: Operand, right: Operand, resolve: MemberResolver<R>) {
  if (left.kind === 'literal' && right.kind === 'member')
    return compileCompare(FLIP[op], right, left, resolve);
  if (left.kind !== 'member')
    throw Errors.querySyntax(`Syntax error at position ${left.at}: a property name is expected.`);
  const m = resolve(left.path);
  if (right.kind === 'literal') {
    const value = coerce(m.kind, m.edm, right.lit, op);
    return (row: R) => compareScalars(op, normalize(m.kind, m.get(row)), value);
  }
  // Column comparison (both sides are properties) requires the same kind on both sides.
  const other = resolve(right.path);
  if (other.kind !== m.kind) incompatible(m.edm, other.edm, op);
  return (row: R) => {
    const b = normalize(other.kind, other.get(row));
    return b === null ? null : compareScalars(op, normalize(m.kind, m.get(row)), b);
  };
}

function compileCall<R>(name: string, args: readonly Operand[], resolve: MemberResolver<R>) {
  const [target, arg] = args;
  if (args.length !== 2 || target?.kind !== 'member' || arg?.kind !== 'literal') {
    throw Errors.querySyntax(`The function '${name}' takes a property name and a string literal.`);
  }
  const m = resolve(target.path);
  if (m.kind !== 'string' || arg.lit.type !== 'string') {
    throw Errors.querySyntax(
      `No function signature for the function with name '${name}' matches the specified arguments. The function signatures considered are: ${name}(Edm.String Nullable=true, Edm.String Nullable=true).`,
    );
  }
  const needle = arg.lit.value.toLowerCase();
  const test =
    name === 'contains'
      ? (s: string) => s.includes(needle)
      : name === 'startswith'
        ? (s: string) => s.startsWith(needle)
        : (s: string) => s.endsWith(needle);
  return (row: R): Tri => {
    const v = normalize('string', m.get(row));
    return v === null ? null : test(v as string);
  };
}
