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

/** PascalCase of a spec name (`patient-clinic` → `PatientClinic`, `clinical_notes` → `ClinicalNotes`). */
export function pascal(name: string): string {
  return identifier(
    name
      .split(/[-_]/)
      .filter(Boolean)
      .map((w) => w[0]!.toUpperCase() + w.slice(1))
      .join(''),
  );
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
