import { Parser } from 'yaml';

/** A token of the yaml parser's token tree, as far as the checks read it. */
export interface Token {
  readonly type?: string;
  readonly offset: number;
  readonly source?: string;
  readonly start?: { readonly source?: string };
  readonly end?: readonly { readonly source?: string; readonly offset?: number }[];
}

/**
 * Every token of a text's token tree (documents, collections and their items, scalars, comments),
 * depth first. The tree's shape differs between token types, so every object in it that has an offset
 * is one; nesting deeper than 500 is not followed. `onNewLine` is the parser's line hook (a
 * LineCounter's `addNewLine`).
 */
export function* yamlTokens(text: string, onNewLine?: (offset: number) => void): Generator<Token> {
  function* visit(node: unknown, depth: number): Generator<Token> {
    if (depth > 500 || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) yield* visit(item, depth + 1);
      return;
    }
    if (typeof (node as Token).offset === 'number') yield node as Token;
    for (const value of Object.values(node)) yield* visit(value, depth + 1);
  }
  for (const token of new Parser(onNewLine).parse(text)) yield* visit(token, 0);
}
