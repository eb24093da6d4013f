import type { LineCounter, YAMLError } from 'yaml';
import { type Token, yamlTokens } from './yaml-tokens.ts';

/** A problem with a known offset (syntax errors come with offsets, not pointers). */
export interface LocatedProblem {
  readonly code: string;
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly hint: string;
  /** The parser could not read the file past this problem: the file's data is partial. */
  readonly fatal: boolean;
}

/** What each YAML library error code means for the analyst, and what to do about it. */
const KNOWN: Record<string, { code: string; message: string; hint: string }> = {
  TAB_AS_INDENT: {
    code: 'FS003',
    message: 'tab used for indentation',
    hint: 'indent with spaces (2 per level); YAML does not allow tabs in indentation',
  },
};

// Said once per file: the semantic checks wait for the file (validateSpec skips them while one fails).
const ACROSS_FILES = 'the checks across files run once every spec file parses';

/** The parser's token names, as the character the analyst typed. */
const TOKEN_TEXT: Record<string, string> = {
  'flow-map-start': '{',
  'flow-map-end': '}',
  'flow-seq-start': '[',
  'flow-seq-end': ']',
  'map-value-ind': ':',
  'seq-item-ind': '-',
  'explicit-key-ind': '?',
  comma: ',',
};

/**
 * The syntax problems of a file as the analyst should see them: duplicate keys and tabs (after which
 * the file is still read, `tabsRecovered` says whether it was), then the first error the parser could
 * not get past, at the quote or bracket that opened it when the parser's tokens show it. Errors after
 * that one are the parser having lost its place, not further mistakes, so they are left out.
 */
export function syntaxProblems(
  text: string,
  errors: readonly YAMLError[],
  lineCounter: LineCounter,
  tabsRecovered: boolean,
): LocatedProblem[] {
  const out: LocatedProblem[] = [];
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  for (const error of [...errors].sort((a, b) => a.pos[0] - b.pos[0])) {
    const known = KNOWN[error.code];
    if (error.code === 'TAB_AS_INDENT' && known) {
      if (tabsRecovered) {
        out.push({ ...known, ...at(error.pos[0]), fatal: false });
        continue;
      }
      out.push({ ...known, ...at(error.pos[0]), hint: `${known.hint}; ${ACROSS_FILES}`, fatal: true });
      break;
    }
    // With tabs read as spaces, the parser's other complaints are artefacts of the tabs.
    if (tabsRecovered) continue;
    const fatal = error.name === 'YAMLParseError';
    const opened = fatal
      ? (oddSpaceBefore(text, error, lineCounter) ??
        dashWithoutSpace(text, error, lineCounter) ??
        openingOf(text, error) ??
        collectionBefore(text, error) ??
        indentationOf(error, at(error.pos[0])))
      : undefined;
    out.push({
      code: 'FS001',
      message: `YAML syntax error: ${opened?.message ?? plainMessage(error)}`,
      ...at(opened?.offset ?? error.pos[0]),
      hint: `${opened?.hint ?? 'fix the YAML syntax at this position (quote text that contains ": " or starts with a symbol such as {, [, ", *, & or !)'}; ${ACROSS_FILES}`,
      fatal,
    });
    if (fatal) break;
  }
  return out;
}

/** A problem that stops the file from being read at all (aliases that expand without end). */
export function unreadableYaml(reason: string): LocatedProblem {
  return {
    code: 'FS001',
    message: `YAML could not be read: ${reason}`,
    line: 1,
    column: 1,
    hint: `remove recursive or excessive aliases (&anchor / *alias); ${ACROSS_FILES}`,
    fatal: true,
  };
}

/** A merge key (<<) whose value is not a mapping (or a list of them): YAML cannot merge it. */
export function badMergeSource(line: number, column: number): LocatedProblem {
  return {
    code: 'FS001',
    message: 'YAML syntax error: a merge key (<<) takes a mapping, not a list of values or text',
    line,
    column,
    hint: `write <<: *name with the anchor &name on a mapping, or <<: [*one, *two] for several, or write the keys out; ${ACROSS_FILES}`,
    fatal: true,
  };
}

/** The parser's message without its position suffix, token names written as the characters they are. */
function plainMessage(error: YAMLError): string {
  const first = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
  return first
    .replace(/^Unexpected ([a-z-]+)( token)? at node end$/, (whole, name: string) =>
      TOKEN_TEXT[name] ? `unexpected '${TOKEN_TEXT[name]}' after the end of a value` : whole,
    )
    .replace(/^Unexpected ([a-z-]+) token in YAML stream/, (whole, name: string) =>
      TOKEN_TEXT[name] ? `unexpected '${TOKEN_TEXT[name]}'` : whole,
    );
}

/**
 * "Unexpected ... at node end" right after a `{...}` or `[...]`: a text value that starts with a
 * bracket (`template: {first} {last}`) is read as a mapping or list, and the rest of the text is left
 * over. The mistake is the unquoted value, where the bracket opens.
 */
function collectionBefore(text: string, error: YAMLError): Opening | undefined {
  if (!/ at node end/.test(error.message)) return undefined;
  const found = lastToken(text, error.pos[0], (token) => {
    const close = token.end?.[0];
    return (
      token.type === 'flow-collection' &&
      close !== undefined &&
      close.offset !== undefined &&
      /^[ \t]*$/.test(text.slice(close.offset + 1, error.pos[0]))
    );
  });
  if (found === undefined) return undefined;
  const bracket = text[found];
  return {
    offset: found,
    message: `this value starts with ${bracket}, so YAML reads it as a ${bracket === '{' ? 'mapping' : 'list'}, and text follows it`,
    hint: `put the whole value in quotes: text that starts with ${bracket} is written "${bracket}..."`,
  };
}

/** Spaces other than U+0020 that a keyboard or a pasted document gives and YAML reads as text. */
const ODD_SPACE = '\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff';
// In the indentation, or after the ':' of a key or the '-' of a list item: where YAML needs a space.
const STRUCTURAL_ODD_SPACE = new RegExp(
  `^[ ]*[${ODD_SPACE}]|^[ ]*(?:- )*-[${ODD_SPACE}]|:[${ODD_SPACE}]`,
  'gmu',
);

/**
 * A non-breaking (or other non-ASCII) space where YAML needs a plain one makes `key: value` one
 * plain text and an indentation text, so the parser reports a key that runs on or a misaligned
 * mapping there or on the next line. The mistake is the space: the first one from two lines before
 * the error to the line after it.
 */
function oddSpaceBefore(text: string, error: YAMLError, lineCounter: LineCounter): Opening | undefined {
  const errorLine = lineCounter.linePos(error.pos[0]).line;
  for (const match of text.matchAll(STRUCTURAL_ODD_SPACE)) {
    const offset = match.index + match[0].length - 1;
    const line = lineCounter.linePos(offset).line;
    if (line > errorLine + 1) return undefined;
    // Further up, the space sits in text the parser read without trouble (a description, say).
    if (line < errorLine - 2) continue;
    // A comment may hold any space; a quoted value would not have ended the parse here.
    const lineStart = text.lastIndexOf('\n', offset) + 1;
    if (text.slice(lineStart, offset).includes('#')) continue;
    const ch = text[offset]!;
    const name = ch === '\u00a0' ? 'a non-breaking space' : 'a space that is not a plain space';
    const code = `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    const where = match[0].trimStart().startsWith(':')
      ? "after ':'"
      : match[0].trimStart().startsWith('-')
        ? "after '-'"
        : 'in the indentation';
    return {
      offset,
      message: `${name} (${code}) ${where}, where YAML needs a plain space, so it reads the line as text`,
      hint: 'replace it with a plain space (it comes from Option+Space, Alt+Space or text pasted from a document)',
    };
  }
  return undefined;
}

/**
 * `-to: x` where a list item was meant: without a space the dash is part of the key `-to`, so the
 * parser reports misaligned mapping items around it. Looked for from the line before the error to the
 * line after it.
 */
function dashWithoutSpace(text: string, error: YAMLError, lineCounter: LineCounter): Opening | undefined {
  const errorLine = lineCounter.linePos(error.pos[0]).line;
  for (const match of text.matchAll(/^[ ]*-(?=[A-Za-z_"'{[])/gm)) {
    const offset = match.index + match[0].length - 1;
    const line = lineCounter.linePos(offset).line;
    if (line > errorLine + 1) return undefined;
    if (line < errorLine - 1) continue;
    return {
      offset,
      message:
        "a '-' with no space after it: YAML reads it as part of the text that follows, not as a list item",
      hint: "put a space after the dash ('- to: ...')",
    };
  }
  return undefined;
}

/** "Implicit keys ..." errors: a line indented differently from its siblings, read as part of this one. */
function indentationOf(error: YAMLError, where: { line: number }): Opening | undefined {
  if (error.code !== 'BLOCK_AS_IMPLICIT_KEY' && error.code !== 'MULTILINE_IMPLICIT_KEY') return undefined;
  return {
    offset: error.pos[0],
    message: `${plainMessage(error)}: the line after line ${where.line} is read as part of this value`,
    hint: 'indent the keys of one mapping to the same column; quote a text value that runs on to the next line',
  };
}

/** The start of the last token at or before `limit` that `wanted` accepts, from the parser's token tree. */
function lastToken(text: string, limit: number, wanted: (token: Token) => boolean): number | undefined {
  let found: number | undefined;
  for (const token of yamlTokens(text))
    if (token.offset <= limit && wanted(token) && (found === undefined || token.offset > found))
      found = token.offset;
  return found;
}

interface Opening {
  readonly offset: number;
  readonly message: string;
  readonly hint: string;
}

/**
 * For "missing closing quote" and "flow collection must end with ...", the parser reports where it
 * gave up (often the end of the file); the mistake is the quote or bracket that was never closed.
 * The parser's token tree holds it: the unclosed quoted scalar that ends where the error is, or the
 * last unclosed flow collection that starts before it.
 */
function openingOf(text: string, error: YAMLError): Opening | undefined {
  const quote = /^Missing closing (["'])quote/.exec(error.message)?.[1];
  const flow = /^Flow (map|sequence)\b.* end with a ([}\]])/.exec(error.message);
  if (!quote && !flow) return undefined;
  const scalarType = quote === '"' ? 'double-quoted-scalar' : 'single-quoted-scalar';
  const opener = flow?.[1] === 'map' ? '{' : '[';
  const closer = flow?.[2] ?? '';
  const found = lastToken(text, error.pos[0], (token) =>
    quote
      ? token.type === scalarType && token.offset + (token.source?.length ?? 0) === error.pos[0]
      : token.type === 'flow-collection' &&
        token.start?.source === opener &&
        token.end?.[0]?.source !== closer,
  );
  if (found === undefined) return undefined;
  if (quote)
    return {
      offset: found,
      message: `the quoted text that starts here is never closed with ${quote}`,
      hint: `add the closing ${quote} where the text ends`,
    };
  return {
    offset: found,
    message: `this ${opener} is never closed with ${closer}`,
    hint: `add the ${closer} where the ${opener === '{' ? 'mapping' : 'list'} ends; quote a text value that contains { } [ ] or a comma`,
  };
}
