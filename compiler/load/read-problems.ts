import { assertNever } from '../assert.ts';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';

/**
 * A spec file the CLI could not take as it is, found while reading the spec directory (paths are
 * relative to it). The compiler never reads the disk, so the reader hands these over with the text.
 */
export type ReadProblem =
  /** A link that leads nowhere (`loop`: to a chain of links that never ends). What it stood for is missing. */
  | { readonly kind: 'broken-link'; readonly path: string; readonly target: string; readonly loop: boolean }
  /** A link to a folder it is itself in: followed, the spec would be read without end, so it is not. */
  | { readonly kind: 'looping-link'; readonly path: string; readonly target: string }
  /** A file that is not UTF-8: its text holds U+FFFD from the first bad byte (at line, column) on. */
  | {
      readonly kind: 'not-utf8';
      readonly path: string;
      readonly line: number;
      readonly column: number;
      readonly byte: number;
    };

const ACROSS_FILES = 'the checks across files run once every spec file can be read';

/** Whether a file (relative path) is missing because a link to it, or to a folder it is in, is broken. */
export function lostToBrokenLink(problems: readonly ReadProblem[], rel: string): boolean {
  return problems.some((p) => p.kind === 'broken-link' && (rel === p.path || rel.startsWith(`${p.path}/`)));
}

/** FS007 and FS008: each read problem as a diagnostic, at the link, or at the first byte that is not UTF-8. */
export function readDiagnostics(root: string, problems: readonly ReadProblem[]): Diagnostic[] {
  return problems.map((p) => readDiagnostic(root, p));
}

function readDiagnostic(root: string, p: ReadProblem): Diagnostic {
  const base = { severity: 'error', file: `${root}/${p.path}`, pointer: '', line: 1, column: 1 } as const;
  switch (p.kind) {
    case 'broken-link':
      return {
        ...base,
        code: 'FS007',
        message: p.loop
          ? `this link points to '${p.target}', a chain of links that never reaches a file or folder`
          : `this link points to '${p.target}', which does not exist`,
        hint: `restore what it points to, put the file or folder itself in its place, or delete the link; ${ACROSS_FILES}`,
      };
    case 'looping-link':
      return {
        ...base,
        code: 'FS007',
        message: `this link points to '${p.target}', a folder it is itself in, so it is not followed`,
        hint: 'delete the link, or point it at the folder it was meant for',
      };
    case 'not-utf8':
      return {
        ...base,
        code: 'FS008',
        line: p.line,
        column: p.column,
        message: `this file is not UTF-8 text: byte 0x${p.byte.toString(16).toUpperCase().padStart(2, '0')} here is not valid UTF-8 (the file may be saved as Latin-1 or Windows-1252)`,
        hint: 'save the file as UTF-8 (in the editor: save with encoding UTF-8); until then its accented letters are read as replacement characters',
      };
    default:
      return assertNever(p);
  }
}
