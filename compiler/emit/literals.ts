/** Reserved words (and names the generated module defines) an identifier from a spec may not take. */
const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for function if ' +
    'import in instanceof new null return super switch this throw true try typeof var void while with yield let static ' +
    'implements interface package private protected public await any boolean number string symbol never unknown object ' +
    'undefined arguments eval constructor prototype'
  ).split(' '),
);

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Checks an identifier built from spec names; throws on anything that is not a plain, safe identifier. */
export function identifier(name: string): string {
  if (!IDENTIFIER.test(name) || RESERVED.has(name))
    throw new Error(`unsafe identifier '${name}' in generated code`);
  return name;
}

/**
 * PascalCase of a spec name (`patient-clinic` → `PatientClinic`, `clinical_notes` → `ClinicalNotes`),
 * unchecked: names that differ only in their hyphens and underscores give the same word, which the
 * validator reports (FS148) before any code is generated.
 */
export function pascalWords(name: string): string {
  return name
    .split(/[-_]/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

/** PascalCase of a spec name, checked as an identifier (see pascalWords). */
export function pascal(name: string): string {
  return identifier(pascalWords(name));
}

/**
 * A spec value as a TypeScript literal: JSON text, with the line and paragraph separators escaped so
 * no string can end a line, a comment or a template. This is the only way spec text enters code.
 */
export function literal(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) return 'undefined';
  return json.replaceAll('\u2028', '\\u2028').replaceAll('\u2029', '\\u2029');
}

/** Widest line a literal is kept on before blockLiteral breaks it. */
const LINE_WIDTH = 120;

/**
 * A value as a TypeScript literal (JSON semantics, every string through `literal`) that keeps an
 * object or array on one line while it fits in LINE_WIDTH after `lead` (the text before it on its
 * line, by default its indentation), and otherwise gives each entry its own line, recursively. So a
 * constant such as TABLES reads as one column per line, and a spec change of one column is a one-line
 * diff instead of a rewrite of a 12,000-character line.
 */
export function blockLiteral(value: unknown, indent = '', lead = indent): string {
  const json = JSON.stringify(value);
  return json === undefined ? 'undefined' : block(JSON.parse(json) as unknown, indent, lead);
}

/** `lead` is the text before the value on its first line (indentation and key), counted in the width. */
function block(value: unknown, indent: string, lead: string): string {
  const inline = literal(value);
  if (value === null || typeof value !== 'object' || lead.length + inline.length <= LINE_WIDTH) return inline;
  const inner = `${indent}  `;
  const line = (key: string, v: unknown) => `${key}${block(v, inner, key)},`;
  const lines = Array.isArray(value)
    ? value.map((v) => line(inner, v))
    : Object.entries(value).map(([k, v]) => line(`${inner}${literal(k)}: `, v));
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  return lines.length === 0 ? `${open}${close}` : `${open}\n${lines.join('\n')}\n${indent}${close}`;
}

/** Spec text inside a JSDoc comment: one line, no comment terminator, no control characters. */
export function commentText(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
      .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
      .replaceAll('*/', '*\\/')
      .replaceAll('@', '(at)')
      .trim()
  );
}
