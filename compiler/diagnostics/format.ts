import { visible } from './characters.ts';
import type { Diagnostic } from './diagnostic.ts';
import { maskSecrets } from './secret-text.ts';

/** Source text of each file, for printing the offending line under a diagnostic. */
export type SourceLines = (file: string) => string | undefined;

/**
 * Formats diagnostics like a compiler: `file:line:col: severity CODE: message`, the source line,
 * a caret under the column (a long line shown around it), and `hint: ...`. Tabs in the source line are
 * kept so the caret lines up.
 * Secrets written into the spec are masked in the source line (FS117 points at one) with as many
 * asterisks as characters, so the caret still lines up; messages and hints come masked already
 * (validateSpec, compileSpec). A space or mark that would not show in a message or hint (a name quoted
 * with a zero-width space in it) is written as <U+XXXX>.
 */
export function formatText(diagnostics: readonly Diagnostic[], sources: SourceLines): string {
  const lines: string[] = [];
  for (const d of diagnostics) {
    lines.push(`${d.file}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${visible(d.message)}`);
    const text = sources(d.file);
    const line = text?.split(/\r?\n/)[d.line - 1];
    const sourceLine = line === undefined ? undefined : maskSecrets(line);
    if (sourceLine !== undefined) {
      const { shown, before } = around(sourceLine, d.column - 1);
      lines.push(`  ${shown}`);
      lines.push(`  ${before.replace(/[^\t]/g, ' ')}^`);
    }
    if (d.hint) lines.push(`  hint: ${visible(d.hint)}`);
  }
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  lines.push(`${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
  return `${lines.join('\n')}\n`;
}

const WIDTH = 160;

/**
 * The part of a source line shown under a diagnostic: the whole line up to WIDTH characters, else a
 * WIDTH-wide window holding the column (cut ends marked ...), so the caret stays under the token of a
 * long flow-style line. `before` is what is shown before the column.
 */
function around(line: string, index: number): { shown: string; before: string } {
  if (line.length <= WIDTH) return { shown: line, before: line.slice(0, index) };
  const start = index < WIDTH - 40 ? 0 : index - 60;
  const cut = start + WIDTH - (start > 0 ? 6 : 3);
  const end = line.length - cut <= 3 ? line.length : cut;
  const lead = start > 0 ? '...' : '';
  const shown = `${lead}${line.slice(start, end)}${end < line.length ? '...' : ''}`;
  return { shown, before: `${lead}${line.slice(start, Math.max(start, index))}` };
}

/** The same diagnostics as JSON, one object with a summary, for `--format json`. */
export function formatJson(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  return `${JSON.stringify({ errors, warnings, diagnostics }, null, 2)}\n`;
}
