import { Errors } from '../errors.ts';
import { type Literal, parseBareLiteral, readQuoted } from './literal.ts';

/** Comparison operators of `$filter` (PA`webapi/query/filter-rows`). */
export type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
/** String functions the sandbox supports. */
export type FilterFunction = 'contains' | 'startswith' | 'endswith';

/** A property path (`name`, `_parentcustomerid_value`, `parentcustomerid_account/name`) or a literal. */
export type Operand =
  | { readonly kind: 'member'; readonly path: readonly string[]; readonly at: number }
  | { readonly kind: 'literal'; readonly lit: Literal; readonly at: number };

/** Dataverse query functions the sandbox supports (PA`webapi/query/filter-rows`, query functions). */
export type QueryFunction = 'In' | 'NotIn' | 'ContainValues' | 'DoesNotContainValues';
const QUERY_FUNCTIONS: ReadonlySet<string> = new Set([
  'In',
  'NotIn',
  'ContainValues',
  'DoesNotContainValues',
]);

/** A parsed `$filter` expression. */
export type FilterExpr =
  | { readonly kind: 'and' | 'or'; readonly left: FilterExpr; readonly right: FilterExpr }
  | {
      readonly kind: 'valueset';
      readonly fn: QueryFunction;
      readonly path: readonly string[];
      readonly values: readonly string[];
    }
  | { readonly kind: 'not'; readonly expr: FilterExpr }
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly left: Operand; readonly right: Operand }
  | { readonly kind: 'call'; readonly name: FilterFunction; readonly args: readonly Operand[] };

type Token =
  | { readonly t: '(' | ')' | ','; readonly at: number }
  | { readonly t: 'string'; readonly value: string; readonly at: number }
  | { readonly t: 'word'; readonly value: string; readonly at: number };

const COMPARE: ReadonlySet<string> = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FUNCTIONS: ReadonlySet<string> = new Set(['contains', 'startswith', 'endswith']);

function syntax(text: string, at: number): never {
  throw Errors.querySyntax(`Syntax error at position ${at} in '${text}'.`);
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\t') {
      i += 1;
    } else if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ t: ch, at: i });
      i += 1;
    } else if (ch === "'") {
      const q = readQuoted(text, i);
      if (!q) syntax(text, text.length);
      tokens.push({ t: 'string', value: q.value, at: i });
      i = q.end;
    } else {
      const start = i;
      while (i < text.length && !" \t(),'".includes(text[i]!)) i += 1;
      const value = text.slice(start, i);
      // Enum literals of metadata queries: Microsoft.Dynamics.CRM.AttributeTypeCode'Picklist'.
      if (text[i] === "'" && /^Microsoft\.Dynamics\.CRM\.\w+$/.test(value)) {
        const q = readQuoted(text, i);
        if (!q) syntax(text, text.length);
        tokens.push({ t: 'string', value: q.value, at: start });
        i = q.end;
        continue;
      }
      tokens.push({ t: 'word', value, at: start });
    }
  }
  return tokens;
}

/** Parses a `$filter` value into an expression tree; errors carry OData's "Syntax error at position". */
export function parseFilter(text: string): FilterExpr {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos];
  const word = (value: string) => {
    const t = peek();
    return t?.t === 'word' && t.value === value;
  };
  const expect = (t: '(' | ')' | ',') => {
    const tok = peek();
    if (tok?.t !== t) syntax(text, tok?.at ?? text.length);
    pos += 1;
  };

  const operand = (): Operand => {
    const tok = peek();
    if (!tok) syntax(text, text.length);
    pos += 1;
    if (tok.t === 'string') return { kind: 'literal', lit: { type: 'string', value: tok.value }, at: tok.at };
    if (tok.t !== 'word') syntax(text, tok.at);
    const lit = parseBareLiteral(tok.value);
    if (lit) return { kind: 'literal', lit, at: tok.at };
    if (!/^[A-Za-z_][\w.]*(\/[A-Za-z_][\w.]*)*$/.test(tok.value)) syntax(text, tok.at);
    return { kind: 'member', path: tok.value.split('/'), at: tok.at };
  };

  const primary = (): FilterExpr => {
    const tok = peek();
    if (!tok) syntax(text, text.length);
    if (tok.t === '(') {
      pos += 1;
      const inner = or();
      expect(')');
      return inner;
    }
    if (tok.t === 'word' && FUNCTIONS.has(tok.value) && tokens[pos + 1]?.t === '(') {
      pos += 2;
      const args = [operand()];
      while (peek()?.t === ',') {
        pos += 1;
        args.push(operand());
      }
      expect(')');
      return { kind: 'call', name: tok.value as FilterFunction, args };
    }
    if (tok.t === 'word' && tok.value.startsWith('Microsoft.Dynamics.CRM.') && tokens[pos + 1]?.t === '(') {
      return queryFunction(tok.value.slice('Microsoft.Dynamics.CRM.'.length), tok.at);
    }
    const left = operand();
    const op = peek();
    if (op?.t !== 'word' || !COMPARE.has(op.value)) syntax(text, op?.at ?? text.length);
    pos += 1;
    const right = operand();
    return { kind: 'compare', op: op.value as CompareOp, left, right };
  };

  // Microsoft.Dynamics.CRM.In(PropertyName='statecode',PropertyValues=['0','1'])
  const queryFunction = (fn: string, at: number): FilterExpr => {
    if (!QUERY_FUNCTIONS.has(fn)) {
      throw Errors.querySyntax(
        `The query function 'Microsoft.Dynamics.CRM.${fn}' is not supported by the sandbox.`,
      );
    }
    pos += 2;
    let path: string[] | undefined;
    let values: string[] = [];
    while (peek() && peek()!.t !== ')') {
      const name = peek();
      if (name?.t !== 'word') syntax(text, name?.at ?? text.length);
      pos += 1;
      if (name.value === 'PropertyName=') {
        const v = peek();
        if (v?.t !== 'string') syntax(text, v?.at ?? text.length);
        pos += 1;
        path = v.value.split('/');
      } else if (name.value === 'PropertyValues=[]') {
        values = [];
      } else if (name.value === 'PropertyValues=[') {
        values = [];
        for (;;) {
          const v = peek();
          if (v?.t === 'string') values.push(v.value);
          else if (v?.t === 'word' && v.value === ']') break;
          else if (v?.t !== ',') syntax(text, v?.at ?? text.length);
          pos += 1;
        }
        pos += 1;
      } else {
        syntax(text, name.at);
      }
      if (peek()?.t === ',') pos += 1;
    }
    expect(')');
    if (!path) syntax(text, at);
    return { kind: 'valueset', fn: fn as QueryFunction, path, values };
  };

  const not = (): FilterExpr => {
    if (word('not')) {
      pos += 1;
      return { kind: 'not', expr: not() };
    }
    return primary();
  };

  const and = (): FilterExpr => {
    let left = not();
    while (word('and')) {
      pos += 1;
      left = { kind: 'and', left, right: not() };
    }
    return left;
  };

  const or = (): FilterExpr => {
    let left = and();
    while (word('or')) {
      pos += 1;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  };

  if (tokens.length === 0) syntax(text, 0);
  const expr = or();
  if (pos < tokens.length) syntax(text, tokens[pos]!.at);
  return expr;
}
