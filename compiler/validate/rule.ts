import type { PendingDiagnostic, Severity } from '../diagnostics/diagnostic.ts';
import type { SpecContext } from './context.ts';

/** A semantic rule: reads the context, returns its findings. Rules never throw and never mutate. */
export type Rule = (ctx: SpecContext) => PendingDiagnostic[];

/** Builds a pending diagnostic. */
export function finding(
  code: string,
  severity: Severity,
  file: string,
  pointer: string,
  message: string,
  hint: string,
  at: 'key' | 'value' = 'value',
): PendingDiagnostic {
  return { code, severity, file, pointer, message, hint, at };
}
