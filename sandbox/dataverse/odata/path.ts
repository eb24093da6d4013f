import { Errors } from '../errors.ts';
import { type Literal, parseBareLiteral, readQuoted } from './literal.ts';

/** A key predicate: `(guid)` or `(name=value,…)` (PA`use-alternate-key-reference-record`). */
export type KeyPredicate =
  | { readonly kind: 'single'; readonly value: Literal }
  | { readonly kind: 'named'; readonly parts: readonly (readonly [string, Literal])[] };

/** One path segment: a name and an optional key predicate. */
export interface Segment {
  readonly name: string;
  readonly key?: KeyPredicate;
  /** The segment as written, for error messages. */
  readonly raw: string;
}

/** Splits a resource path (already URL-decoded) into segments, keeping quoted key values intact. */
export function parsePath(path: string): Segment[] {
  const segments: Segment[] = [];
  let i = 0;
  while (i < path.length) {
    const start = i;
    let name = '';
    while (i < path.length && path[i] !== '/' && path[i] !== '(') name += path[i++];
    let key: KeyPredicate | undefined;
    if (path[i] === '(') {
      const close = findClose(path, i);
      key = parseKey(path.slice(i + 1, close), path.slice(start, close + 1));
      i = close + 1;
    }
    segments.push({ name, raw: path.slice(start, i), ...(key ? { key } : {}) });
    if (i < path.length && path[i] !== '/') throw Errors.resourceNotFound(path.slice(start));
    i += 1;
  }
  return segments;
}

function findClose(text: string, open: number): number {
  let i = open + 1;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "'") {
      const q = readQuoted(text, i);
      if (!q) break;
      i = q.end;
      continue;
    }
    if (ch === ')') return i;
    i += 1;
  }
  throw Errors.querySyntax(`Bad Request - Error in query syntax. Unterminated key in '${text.slice(open)}'.`);
}

/** Parses the inside of `( … )`; `()` (function call parentheses) gives an empty named key. */
export function parseKey(inner: string, raw: string): KeyPredicate {
  const text = inner.trim();
  if (text === '') return { kind: 'named', parts: [] };
  const parts: [string, Literal][] = [];
  let i = 0;
  let single: Literal | undefined;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    const quote = text.indexOf("'", i);
    const named = eq !== -1 && (quote === -1 || eq < quote);
    let name = '';
    if (named) {
      name = text.slice(i, eq).trim();
      i = eq + 1;
    }
    while (text[i] === ' ') i += 1;
    let literal: Literal | undefined;
    if (text[i] === "'") {
      const q = readQuoted(text, i);
      if (!q) throw Errors.querySyntax(`Bad Request - Error in query syntax. ${raw}`);
      literal = { type: 'string', value: q.value };
      i = q.end;
    } else {
      let token = '';
      while (i < text.length && text[i] !== ',') token += text[i++];
      literal = parseBareLiteral(token.trim());
      if (!literal) throw Errors.querySyntax(`Bad Request - Error in query syntax. ${raw}`);
    }
    while (text[i] === ' ') i += 1;
    if (named) parts.push([name, literal]);
    else if (parts.length === 0 && single === undefined) single = literal;
    else throw Errors.querySyntax(`Bad Request - Error in query syntax. ${raw}`);
    if (text[i] === ',') i += 1;
    else if (i < text.length) throw Errors.querySyntax(`Bad Request - Error in query syntax. ${raw}`);
  }
  if (single) {
    if (parts.length > 0) throw Errors.querySyntax(`Bad Request - Error in query syntax. ${raw}`);
    return { kind: 'single', value: single };
  }
  return { kind: 'named', parts };
}

/**
 * Strips an absolute or root-relative Web API address down to the resource path: `https://org/api/data/
 * v9.2/accounts(…)`, `/api/data/v9.2/accounts(…)` and `accounts(…)` all give `accounts(…)`.
 */
export function resourcePath(address: string): string {
  const m = /\/api\/data\/v9\.[0-2]\/(.*)$/.exec(address);
  if (m) return m[1]!;
  return address.replace(/^\/+/, '');
}
