import { LineCounter } from 'yaml';
import { type Diagnostic, type PendingDiagnostic, pointerJoin } from '../../diagnostics/diagnostic.ts';
import { findSecrets, isSecretKey, looksSecret } from '../../diagnostics/secret-text.ts';
import type { YamlFile } from '../../load/yaml-file.ts';
import { yamlTokens } from '../../load/yaml-tokens.ts';
import { finding } from '../rule.ts';

const HINT =
  'secrets come from environment variables (PRACTICEHUB_API_KEY, AZURE_CLIENT_SECRET, ...); remove it from the spec and rotate it, since it may be in version control';

/** FS117: anything that looks like a secret written into a spec file (keys named like secrets, or secret-like values). */
export function secretsIn(file: YamlFile): PendingDiagnostic[] {
  const out: PendingDiagnostic[] = [];
  const visit = (value: unknown, pointer: string, depth: number) => {
    if (depth > 64) return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        visit(item, pointerJoin(pointer, i), depth + 1);
      });
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        const at = pointerJoin(pointer, key);
        const scalar = typeof child === 'string' || typeof child === 'number';
        if (isSecretKey(key) && scalar && String(child).trim().length > 0) {
          out.push(
            finding(
              'FS117',
              'error',
              file.path,
              at,
              `'${key}' looks like a secret written into the spec`,
              HINT,
            ),
          );
        } else visit(child, at, depth + 1);
      }
    } else if (typeof value === 'string') {
      const what = looksSecret(value);
      if (what)
        out.push(finding('FS117', 'error', file.path, pointer, `this value looks like ${what}`, HINT));
    }
  };
  visit(file.data, '', 0);
  return out;
}

/**
 * FS117 in comments: a key pasted into a comment is in version control as much as one in a value.
 * Comments are found with the parser's tokens (a # inside a quoted or block text is not one), and
 * only in a file whose text holds something secret-looking at all, which most never do.
 */
export function secretsInComments(file: YamlFile): Diagnostic[] {
  if (findSecrets(file.text).length === 0) return [];
  const lineCounter = new LineCounter();
  const out: Diagnostic[] = [];
  for (const token of yamlTokens(file.text, lineCounter.addNewLine)) {
    if (token.type !== 'comment' || !token.source) continue;
    let end = -1;
    // One finding per secret, though its form and its randomness may both give it away.
    for (const secret of findSecrets(token.source).sort((a, b) => a.index - b.index)) {
      if (secret.index < end) continue;
      end = secret.index + secret.length;
      const { line, col } = lineCounter.linePos(token.offset + secret.index);
      out.push({
        code: 'FS117',
        severity: 'error',
        file: file.path,
        line,
        column: col,
        pointer: '',
        message: `this comment holds what looks like ${secret.what}`,
        hint: HINT,
      });
    }
  }
  return out;
}
