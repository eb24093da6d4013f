import { visible } from './characters.ts';
import type { Diagnostic } from './diagnostic.ts';
import { maskSecrets } from './secret-text.ts';

/** Source text of each file, for printing the offending line under a diagnostic. */
export type SourceLines = (file: string) => string | undefined;

/**
 * Formats diagnostics like a compiler: `file:line:col: severity CODE: message`, the source line,
 * a caret under the column, and `hint: ...`. Tabs in the source line are kept so the caret lines up.
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
      const shown = sourceLine.length > 160 ? `${sourceLine.slice(0, 157)}...` : sourceLine;
      lines.push(`  ${shown}`);
      const pad = sourceLine.slice(0, Math.max(0, Math.min(d.column - 1, 157))).replace(/[^\t]/g, ' ');
      lines.push(`  ${pad}^`);
    }
    if (d.hint) lines.push(`  hint: ${visible(d.hint)}`);
  }
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  lines.push(`${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
  return `${lines.join('\n')}\n`;
}

/** The same diagnostics as JSON, one object with a summary, for `--format json`. */
export function formatJson(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  return `${JSON.stringify({ errors, warnings, diagnostics }, null, 2)}\n`;
}
