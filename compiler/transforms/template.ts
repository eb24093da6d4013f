/** A parsed template: literal text and field placeholders, in order. */
export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  /** `offset`: where its `{` is in the template, for messages that point at it. */
  | { readonly kind: 'field'; readonly path: string; readonly offset: number };

/** Result of parsing: the parts, or the offset and reason of the first error. */
export type ParsedTemplate =
  | { readonly ok: true; readonly parts: readonly TemplatePart[] }
  | { readonly ok: false; readonly offset: number; readonly reason: string };

const PATH = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$/;

/**
 * Parses `Hello {first_name}`: `{path}` is a source field, `{{` and `}}` are literal braces.
 * No expressions: a placeholder is a field path and nothing else.
 */
export function parseTemplate(template: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  let text = '';
  let i = 0;
  while (i < template.length) {
    const ch = template[i]!;
    if (ch === '{' && template[i + 1] === '{') {
      text += '{';
      i += 2;
    } else if (ch === '}' && template[i + 1] === '}') {
      text += '}';
      i += 2;
    } else if (ch === '{') {
      const end = template.indexOf('}', i + 1);
      if (end < 0)
        return { ok: false, offset: i, reason: "a '{' is not closed (write '{{' for a literal brace)" };
      const path = template.slice(i + 1, end).trim();
      if (!PATH.test(path)) {
        return {
          ok: false,
          offset: i,
          reason: `'{${path}}' is not a field path (letters, digits, underscores and dots)`,
        };
      }
      if (text) parts.push({ kind: 'text', text });
      text = '';
      parts.push({ kind: 'field', path, offset: i });
      i = end + 1;
    } else if (ch === '}') {
      return { ok: false, offset: i, reason: "a '}' has no opening '{' (write '}}' for a literal brace)" };
    } else {
      text += ch;
      i += 1;
    }
  }
  if (text) parts.push({ kind: 'text', text });
  return { ok: true, parts };
}
