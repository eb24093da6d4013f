import { byText } from '../../runtime/shared/order.ts';
/** Severity of a diagnostic: errors stop compile and run; warnings are shown; info is for reports. */
export type Severity = 'error' | 'warning' | 'info';

/**
 * The one diagnostic type used everywhere in the compiler. `file` is relative to the spec directory's
 * parent (as the user typed it, e.g. `spec/objects/patient.yaml`); `line` and `column` are 1-based;
 * `pointer` is the JSON pointer of the offending node inside the file.
 */
export interface Diagnostic {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly pointer: string;
  readonly hint?: string;
}

/** A diagnostic before its position is resolved: rules speak in JSON pointers, the loader knows lines. */
export interface PendingDiagnostic {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly file: string;
  readonly pointer: string;
  /** Point at the key of the pointed-to entry instead of its value (e.g. an unknown key). */
  readonly at?: 'key' | 'value';
  /**
   * Where in the pointed-to text value (or key, with `at: 'key'`) the problem is (a UTF-16 index: a
   * template's placeholder, a stray character), so that the position is the problem's own rather than
   * the value's start.
   */
  readonly within?: number;
  readonly hint?: string;
}

/** Orders diagnostics by file, line, column, then code, so output is stable. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      byText(a.file, b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      byText(a.code, b.code) ||
      byText(a.message, b.message),
  );
}

/** Removes exact duplicates (same code, place and message), which several rules can produce. */
export function dedupeDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const id = `${d.file}\u0000${d.line}\u0000${d.column}\u0000${d.code}\u0000${d.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** True when any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Appends a JSON pointer segment, escaping `~` and `/` as RFC 6901 says. */
export function pointerJoin(pointer: string, ...segments: (string | number)[]): string {
  return segments.reduce<string>(
    (acc, segment) => `${acc}/${String(segment).replaceAll('~', '~0').replaceAll('/', '~1')}`,
    pointer,
  );
}

/** Splits a JSON pointer into its unescaped segments. */
export function pointerSegments(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}
