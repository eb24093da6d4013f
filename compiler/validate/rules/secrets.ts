import { type PendingDiagnostic, pointerJoin } from '../../diagnostics/diagnostic.ts';
import type { YamlFile } from '../../load/yaml-file.ts';
import { finding } from '../rule.ts';

const SECRET_KEY =
  /(pass(word|wd)?|secret|api[_-]?key|access[_-]?key|token|credential|private[_-]?key|client[_-]?secret|connection[_-]?string)$/i;
const SECRET_VALUE: readonly [RegExp, string][] = [
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/, 'a JSON Web Token'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
  [/\bBearer\s+[A-Za-z0-9._~+/-]{20,}/, 'a bearer token'],
  [/\bAKIA[0-9A-Z]{16}\b/, 'an access key id'],
  [/\b[A-Za-z0-9_~.-]{3}8Q~[A-Za-z0-9_~.-]{31,34}\b/, 'an Entra ID client secret'],
  [/\bphk_[A-Za-z0-9]{16,}(-[a-z]{2,3})?\b/, 'a PracticeHub API key'],
  [/\b(password|pwd|secret|apikey|api_key)=[^\s;&]{4,}/i, 'a password in a connection string'],
];

/** Shannon entropy in bits per character. */
function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / text.length) * Math.log2(n / text.length);
  return bits;
}

/** What secret a text looks like, if any. */
export function looksSecret(text: string): string | undefined {
  for (const [pattern, what] of SECRET_VALUE) if (pattern.test(text)) return what;
  for (const word of text.split(/[\s"'`,;()]+/)) {
    if (
      word.length >= 32 &&
      /^[A-Za-z0-9+/=_~.-]+$/.test(word) &&
      /[0-9]/.test(word) &&
      /[A-Za-z]/.test(word) &&
      !/^https?:/.test(word) &&
      entropy(word) > 4.2
    ) {
      return 'a high-entropy key or token';
    }
  }
  return undefined;
}

/** FS117: anything that looks like a secret written into a spec file (keys named like secrets, or secret-like values). */
export function secretsIn(file: YamlFile): PendingDiagnostic[] {
  const out: PendingDiagnostic[] = [];
  const hint =
    'secrets come from environment variables (PRACTICEHUB_API_KEY, AZURE_CLIENT_SECRET, ...); remove it from the spec and rotate it, since it may be in version control';
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
        if (SECRET_KEY.test(key) && scalar && String(child).trim().length > 0) {
          out.push(
            finding(
              'FS117',
              'error',
              file.path,
              at,
              `'${key}' looks like a secret written into the spec`,
              hint,
            ),
          );
        } else visit(child, at, depth + 1);
      }
    } else if (typeof value === 'string') {
      const what = looksSecret(value);
      if (what)
        out.push(finding('FS117', 'error', file.path, pointer, `this value looks like ${what}`, hint));
    }
  };
  visit(file.data, '', 0);
  return out;
}
